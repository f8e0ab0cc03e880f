"""The task queue's backend: django-tasks-db's, with an enqueue that costs a submit less CPU.

Every submit enqueues one job inside its transaction (issue 9). The library's ``enqueue``
builds the job's INSERT with Django's SQL compiler and makes the job's result object twice:
0.24-0.29 ms of CPU per job, where running the INSERT itself costs about 0.03 ms
(docs/benchmarks.md). This backend writes the same row with a statement built once per
process (``amtsweg.lib.rows.insert_row``) and makes the result once. Everything else is the
library's: the task is validated, the row's id comes from the backend's id function, the
model's save signals are sent as ``save()`` sends them (the library sets ``run_after`` in a
``pre_save`` receiver), and ``task_enqueued`` goes out with the result.
"""

from typing import Any

import django_tasks_db
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_save, pre_save
from django_tasks_db.backend import TaskResult
from django_tasks_db.compat import Task, normalize_json, task_enqueued

from amtsweg.lib.rows import insert_row


class DatabaseBackend(django_tasks_db.DatabaseBackend):
    """``django_tasks_db.DatabaseBackend`` with a leaner ``enqueue``; its workers run the
    jobs unchanged."""

    def enqueue(self, task: Task, args: tuple[Any, ...], kwargs: dict[str, Any]) -> TaskResult:
        """The library's enqueue, with the row written by a statement built once."""
        # Imported here, as the library does: tasks are defined (and their backend built)
        # while the app registry may not be ready yet.
        from django_tasks_db.models import DBTaskResult

        self.validate_task(task)
        job = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        saved = {"sender": DBTaskResult, "instance": job, "raw": False, "using": DEFAULT_DB_ALIAS}
        pre_save.send(**saved, update_fields=None)
        insert_row(job)
        post_save.send(**saved, created=True, update_fields=None)
        result = job.task_result
        task_enqueued.send(type(self), task_result=result)
        return result
