"""Periodic tasks: each run is enqueued exactly once, by whichever scheduler comes first."""

import io
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.scheduling.models import ScheduledJob
from amtsweg.scheduling.registry import PeriodicTask, periodic, registry
from amtsweg.scheduling.runner import SchedulerThread
from amtsweg.scheduling.services import enqueue_due_jobs, sync_jobs
from amtsweg.submissions.models import Submission
from amtsweg.submissions.services import start_draft
from amtsweg.submissions.tasks import delete_expired_drafts
from tests.factories import expire

HOUR = timedelta(hours=1)
NAME = "test.heartbeat"


@task()
def heartbeat() -> str:
    return "beat"


@task()
def unscheduled() -> str:
    return "never"


@pytest.fixture
def only_heartbeat(monkeypatch):
    """The registry holds just an hourly heartbeat (so the platform's own jobs stay out)."""
    entry = PeriodicTask(name=NAME, task=heartbeat, every=HOUR)
    monkeypatch.setattr(registry, "_entries", {NAME: entry})
    return entry


@pytest.fixture
def keep_signal_handlers():
    """db_worker installs SIGINT/SIGTERM handlers; give pytest its own back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def heartbeat_jobs() -> int:
    return DBTaskResult.objects.filter(task_path=heartbeat.module_path).count()


# --- the registry ---------------------------------------------------------------------------


def test_the_drafts_cleanup_runs_daily():
    entry = registry.get("submissions.delete_expired_drafts")
    assert entry is not None
    assert entry.task is delete_expired_drafts
    assert entry.every == timedelta(days=1)


def test_periodic_goes_above_task_only():
    with pytest.raises(TypeError):
        periodic(every=HOUR)(lambda: None)
    with pytest.raises(ValueError, match="at least one second"):
        periodic(every=timedelta(0))


def test_a_name_belongs_to_one_task(only_heartbeat):
    with pytest.raises(ValueError, match="taken"):
        periodic(every=HOUR, name=NAME)(unscheduled)


# --- enqueue_due_jobs -----------------------------------------------------------------------


def test_a_new_job_is_due_at_once(db, only_heartbeat):
    now = timezone.now()

    assert enqueue_due_jobs(now=now) == [NAME]

    job = ScheduledJob.objects.get(name=NAME)
    assert job.task_path == heartbeat.module_path
    assert job.interval_seconds == 3600
    assert job.last_run_at == now
    assert job.next_run_at == now + HOUR
    assert heartbeat_jobs() == 1


def test_called_twice_at_the_same_moment_it_enqueues_once(db, only_heartbeat):
    now = timezone.now()
    assert enqueue_due_jobs(now=now) == [NAME]
    assert enqueue_due_jobs(now=now) == []
    assert heartbeat_jobs() == 1


def test_next_run_moves_forward_on_its_grid(db, only_heartbeat):
    start = timezone.now()
    sync_jobs(now=start)

    assert enqueue_due_jobs(now=start + timedelta(minutes=10)) == [NAME]
    assert ScheduledJob.objects.get().next_run_at == start + HOUR
    assert enqueue_due_jobs(now=start + timedelta(minutes=59)) == []
    assert enqueue_due_jobs(now=start + HOUR) == [NAME]
    assert ScheduledJob.objects.get().next_run_at == start + 2 * HOUR
    assert heartbeat_jobs() == 2


def test_missed_runs_are_not_caught_up(db, only_heartbeat):
    start = timezone.now()
    sync_jobs(now=start)

    assert enqueue_due_jobs(now=start + timedelta(hours=5, minutes=30)) == [NAME]

    assert heartbeat_jobs() == 1
    assert ScheduledJob.objects.get().next_run_at == start + 6 * HOUR


def test_rows_of_tasks_this_code_does_not_know_are_left_alone(db, only_heartbeat):
    past = timezone.now() - HOUR
    ScheduledJob.objects.create(
        name="removed.job",
        task_path="amtsweg.gone.tasks.job",
        interval_seconds=60,
        next_run_at=past,
    )

    assert enqueue_due_jobs() == [NAME]

    assert ScheduledJob.objects.get(name="removed.job").next_run_at == past


def test_a_changed_interval_follows_the_code(db, monkeypatch):
    now = timezone.now()
    ScheduledJob.objects.create(
        name=NAME,
        task_path="tests.old_place.heartbeat",
        interval_seconds=86400,
        next_run_at=now + timedelta(hours=20),
    )
    monkeypatch.setattr(
        registry,
        "_entries",
        {NAME: PeriodicTask(name=NAME, task=heartbeat, every=timedelta(minutes=10))},
    )

    sync_jobs(now=now)

    job = ScheduledJob.objects.get(name=NAME)
    assert (job.task_path, job.interval_seconds) == (heartbeat.module_path, 600)
    assert job.next_run_at == now + timedelta(minutes=10)


class Boom(Exception):
    pass


class ExplodingTask:
    module_path = "tests.test_scheduling.exploding"

    def enqueue(self) -> None:
        raise Boom


def test_a_failed_enqueue_leaves_the_job_due(db, monkeypatch):
    now = timezone.now()
    monkeypatch.setattr(
        registry,
        "_entries",
        {NAME: PeriodicTask(name=NAME, task=ExplodingTask(), every=HOUR)},  # type: ignore[arg-type]
    )
    sync_jobs(now=now)

    with pytest.raises(Boom):
        enqueue_due_jobs(now=now)

    job = ScheduledJob.objects.get()
    assert (job.next_run_at, job.last_run_at) == (now, None)
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_many_schedulers_at_once_enqueue_once(only_heartbeat):
    """Four schedulers with their own connections wake up at the same moment."""
    now = timezone.now()
    sync_jobs(now=now)
    barrier = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def scheduler() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(enqueue_due_jobs(now=now))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(results) == [[], [], [], [NAME]]
    assert heartbeat_jobs() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SKIP LOCKED: SQLite serialises writers instead"
)
def test_a_second_scheduler_skips_the_job_the_first_is_enqueueing(only_heartbeat, monkeypatch):
    """While the first scheduler holds the row, the second neither waits nor enqueues."""
    now = timezone.now()
    sync_jobs(now=now)
    first_holds_row, release_first = threading.Event(), threading.Event()
    real_enqueue = heartbeat.enqueue

    class HoldingTask:
        module_path = heartbeat.module_path

        def enqueue(self) -> object:
            first_holds_row.set()
            release_first.wait(timeout=30)
            return real_enqueue()

    monkeypatch.setattr(
        registry,
        "_entries",
        {NAME: PeriodicTask(name=NAME, task=HoldingTask(), every=HOUR)},  # type: ignore[arg-type]
    )
    results: dict[str, list[str]] = {}

    def run(name: str) -> None:
        try:
            results[name] = enqueue_due_jobs(now=now)
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    assert first_holds_row.wait(timeout=30)
    started = time.monotonic()
    second = threading.Thread(target=run, args=("second",))
    second.start()
    second.join(timeout=30)
    waited = time.monotonic() - started
    release_first.set()
    first.join(timeout=30)

    assert results == {"first": [NAME], "second": []}
    assert waited < 5
    assert heartbeat_jobs() == 1


# --- where the scheduler runs ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_enqueues_and_stops(only_heartbeat):
    thread = SchedulerThread(interval=0.05)
    thread.start()
    deadline = time.monotonic() + 10
    while not heartbeat_jobs() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # a few more rounds, with nothing due
    thread.stop(timeout=10)

    assert not thread.is_alive()
    assert heartbeat_jobs() == 1


def test_a_failed_round_does_not_end_the_scheduler(db, monkeypatch, caplog):
    def fail(**kwargs: object) -> list[str]:
        raise Boom

    monkeypatch.setattr("amtsweg.scheduling.runner.enqueue_due_jobs", fail)
    SchedulerThread(interval=1).tick()
    assert "Scheduler round failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_enqueues_due_jobs_and_records_their_result(
    only_heartbeat, keep_signal_handlers
):
    call_command("worker", batch=True, interval=0, stdout=io.StringIO(), stderr=io.StringIO())

    job = DBTaskResult.objects.get(task_path=heartbeat.module_path)
    assert job.status == "SUCCESSFUL"
    scheduled = ScheduledJob.objects.get(name=NAME)
    assert scheduled.last_run_at is not None
    assert scheduled.last_result.endswith('SUCCESSFUL: "beat"')


@pytest.mark.django_db(transaction=True)
def test_a_worker_without_scheduler_enqueues_nothing(only_heartbeat, keep_signal_handlers):
    call_command(
        "worker",
        batch=True,
        interval=0,
        scheduler=False,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert not DBTaskResult.objects.exists()
    assert not ScheduledJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_daily_drafts_cleanup(offering, keep_signal_handlers):
    expired = start_draft(offering)
    expire(expired)

    call_command("worker", batch=True, interval=0, stdout=io.StringIO(), stderr=io.StringIO())

    assert not Submission.objects.filter(pk=expired.pk).exists()
    job = ScheduledJob.objects.get(name="submissions.delete_expired_drafts")
    assert '"deleted": 1' in job.last_result
    assert job.next_run_at > timezone.now() + timedelta(hours=23)
    assert AuditEvent.objects.filter(action="submissions.expired_drafts_deleted").count() == 1
