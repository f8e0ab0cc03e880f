"""The scheduling app's public door: declare periodic tasks, enqueue the due ones.

Any number of schedulers (one per ``amtsweg worker``) on any number of machines may call
:func:`enqueue_due_jobs` at the same moment: the job rows are locked with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) or by SQLite's immediate transaction, and the
task's job row (django-tasks-db) is written in the transaction that moves ``next_run_at``
forward, so every run is enqueued exactly once.
"""

import json
import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.base import Task

from amtsweg.scheduling.models import ScheduledJob
from amtsweg.scheduling.registry import PeriodicTask, periodic, registry

__all__ = ["enqueue_due_jobs", "job_for", "periodic", "record_finished_run", "sync_jobs"]

logger = logging.getLogger(__name__)

#: ``last_result`` keeps this many characters of a return value; the rest is in the task table.
RESULT_SUMMARY_LENGTH = 1000


def sync_jobs(*, now: datetime | None = None) -> None:
    """Create the ``ScheduledJob`` rows of newly registered tasks; follow changed intervals.

    A new job is due at once. Rows of tasks that this version of the code does not know are
    left alone (during a rolling deployment, older or newer processes may still know them).
    """
    now = now or timezone.now()
    rows = {job.name: job for job in ScheduledJob.objects.filter(name__in=registry.names())}
    for entry in registry:
        job = rows.get(entry.name)
        if job is None:
            ScheduledJob.objects.get_or_create(
                name=entry.name,
                defaults={
                    "task_path": entry.task_path,
                    "interval_seconds": entry.interval_seconds,
                    "next_run_at": now,
                },
            )
        elif (job.task_path, job.interval_seconds) != (entry.task_path, entry.interval_seconds):
            _follow_code(job.pk, entry, now)


def _follow_code(job_id: int, entry: PeriodicTask, now: datetime) -> None:
    with transaction.atomic():
        job = ScheduledJob.objects.select_for_update().get(pk=job_id)
        job.task_path = entry.task_path
        job.interval_seconds = entry.interval_seconds
        # A shortened interval takes effect now, not after the old, longer wait.
        job.next_run_at = min(job.next_run_at, now + entry.every)
        job.save(update_fields=["task_path", "interval_seconds", "next_run_at"])


def enqueue_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Enqueue every registered job whose ``next_run_at`` has come; return their names.

    Rows another scheduler has locked are skipped, not waited for: that scheduler is enqueueing
    them right now. Without any due job this only reads, so it takes no write lock on SQLite.
    """
    now = now or timezone.now()
    sync_jobs(now=now)
    due = ScheduledJob.objects.filter(name__in=registry.names(), next_run_at__lte=now)
    if not due.exists():
        return []
    enqueued: list[str] = []
    with transaction.atomic():
        for job in due.select_for_update(skip_locked=True).order_by("next_run_at"):
            entry = registry.get(job.name)
            if entry is None:  # cannot happen: the query asked for registered names only
                continue
            result = entry.task.enqueue()
            job.advance(now)
            job.last_run_at = now
            job.save(update_fields=["next_run_at", "last_run_at"])
            enqueued.append(job.name)
            logger.info("Enqueued periodic job %s (task %s)", job.name, result.id)
    return enqueued


def job_for(task: Task[Any, Any]) -> ScheduledJob:
    """The ``ScheduledJob`` row of a periodic task, created if no scheduler has run yet.

    Periodic tasks use it as the object of the audit event that says what a run did.
    """
    entry = registry.for_task_path(task.module_path)
    if entry is None:
        raise LookupError(f"{task.module_path} is not a periodic task.")
    job, _created = ScheduledJob.objects.get_or_create(
        name=entry.name,
        defaults={
            "task_path": entry.task_path,
            "interval_seconds": entry.interval_seconds,
            "next_run_at": timezone.now(),
        },
    )
    return job


def record_finished_run(sender: object, task_result: TaskResult[Any], **kwargs: Any) -> None:
    """``task_finished`` receiver: note a periodic task's outcome in ``last_result``.

    It must never raise: django-tasks-db sends this signal inside its own error handling, and
    an exception here would mark a task that succeeded as failed.
    """
    try:
        entry = registry.for_task_path(task_result.task.module_path)
        if entry is None:
            return
        ScheduledJob.objects.filter(name=entry.name).update(
            last_result=_summary(task_result)[:RESULT_SUMMARY_LENGTH]
        )
    except Exception:
        logger.exception("Could not record the result of task %s", task_result.id)


def _summary(task_result: TaskResult[Any]) -> str:
    finished = timezone.localtime(task_result.finished_at or timezone.now()).isoformat(
        timespec="seconds"
    )
    if task_result.status == TaskResultStatus.SUCCESSFUL:
        value = json.dumps(task_result.return_value, ensure_ascii=False, sort_keys=True)
        return f"{finished} {task_result.status}: {value}"
    errors = ", ".join(error.exception_class_path for error in task_result.errors)
    return f"{finished} {task_result.status}: {errors or 'no error recorded'}"
