"""The task queue's backend (``amtsweg.lib.tasks``): its enqueue writes the job's row with a
statement built once per process (issue 9), and must leave exactly the row, the result and the
signals that django-tasks-db's own enqueue leaves."""

import datetime as dt
import uuid

import django_tasks_db
import pytest
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django_tasks_db.compat import task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from amtsweg.lib.tasks import DatabaseBackend
from amtsweg.submissions.tasks import follow_up_submission

pytestmark = pytest.mark.django_db

#: Columns that differ between two jobs enqueued one after the other.
OWN_COLUMNS = {"id", "enqueued_at"}

#: The ids ``numbered_id`` has made.
_made: list[uuid.UUID] = []


def numbered_id() -> uuid.UUID:
    """An id function of the kind the backend's ``OPTIONS`` may name."""
    _made.append(uuid.uuid5(uuid.NAMESPACE_OID, str(len(_made))))
    return _made[-1]


def _stored(job_id: object) -> dict[str, object]:
    row = DBTaskResult.objects.filter(pk=job_id).values().get()
    return {column: value for column, value in row.items() if column not in OWN_COLUMNS}


def _saves(backend, task) -> tuple[object, list[tuple]]:
    """Enqueue through ``backend``; the result, and what each save signal was sent with."""
    said = []

    def note(signal, sender, instance, **kwargs):
        said.append((signal, sorted(kwargs.items())))

    for signal in (pre_save, post_save):
        signal.connect(note, sender=DBTaskResult)
    try:
        result = backend.enqueue(task, (7,), {"attempt": 2})
    finally:
        for signal in (pre_save, post_save):
            signal.disconnect(note, sender=DBTaskResult)
    return result, said


@pytest.mark.parametrize("variant", ["now", "deferred", "priority", "id_function"])
def test_enqueue_stores_the_row_the_library_stores(variant):
    later = timezone.now() + dt.timedelta(hours=2)
    task = {
        "now": follow_up_submission,
        "deferred": follow_up_submission.using(run_after=later),
        "priority": follow_up_submission.using(priority=7),
        "id_function": follow_up_submission,
    }[variant]
    params = {"OPTIONS": {"id_function": numbered_id}} if variant == "id_function" else {}

    ours, our_saves = _saves(DatabaseBackend("default", params), task)
    theirs, their_saves = _saves(django_tasks_db.DatabaseBackend("default", params), task)

    stored = _stored(ours.id)
    assert stored == _stored(theirs.id)
    # The library's pre_save receiver stands in the far future for "as soon as possible".
    assert stored["run_after"] == (later if variant == "deferred" else get_date_max())
    assert stored["priority"] == task.priority
    assert our_saves == their_saves
    assert [signal for signal, *_ in our_saves] == [pre_save, post_save]
    assert (ours.task, ours.status, ours.args, ours.kwargs, ours.backend) == (
        theirs.task,
        theirs.status,
        theirs.args,
        theirs.kwargs,
        theirs.backend,
    )
    # The job's id is the one the instance had, of the same type as the library's.
    assert type(ours.db_result.id) is type(theirs.db_result.id)
    row = DBTaskResult.objects.get(pk=ours.id)
    assert ours.db_result == row
    assert ours.enqueued_at == row.enqueued_at
    if variant == "id_function":
        assert _made[-2:] == [ours.db_result.id, theirs.db_result.id]


def test_the_job_model_saves_as_django_saves():
    """The backend writes the row without ``save()``: an overridden one would be skipped."""
    assert DBTaskResult.save is Model.save


def test_the_platforms_jobs_go_through_it():
    """By default (``TASKS``); ``tests/test_rows.py`` checks that an API submit then builds no
    INSERT with the ORM's compiler, its job's included."""
    result = follow_up_submission.enqueue(11)

    assert isinstance(follow_up_submission.get_backend(), DatabaseBackend)
    assert DBTaskResult.objects.get(pk=result.id).args_kwargs == {"args": [11], "kwargs": {}}


def test_enqueue_announces_the_job_once():
    sent = []

    def note(sender, task_result, **kwargs):
        sent.append((sender, task_result))

    task_enqueued.connect(note)
    try:
        result = follow_up_submission.enqueue(5)
    finally:
        task_enqueued.disconnect(note)

    assert sent == [(DatabaseBackend, result)]
    assert str(DBTaskResult.objects.get().id) == str(result.id)
