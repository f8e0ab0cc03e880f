"""The task queue's backend (``amtsweg.lib.tasks``): its enqueue writes the job's row with a
statement built once per process (issue 9), and must leave exactly the row, the result and the
signal that django-tasks-db's own enqueue leaves."""

import datetime as dt

import django_tasks_db
import pytest
from django.db.models.sql.compiler import SQLInsertCompiler
from django.utils import timezone
from django_tasks_db.compat import task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from amtsweg.lib.tasks import DatabaseBackend
from amtsweg.submissions.tasks import follow_up_submission

pytestmark = pytest.mark.django_db

#: Columns that differ between two jobs enqueued one after the other.
OWN_COLUMNS = {"id", "enqueued_at"}


def _stored(job_id: object) -> dict[str, object]:
    row = DBTaskResult.objects.filter(pk=job_id).values().get()
    return {column: value for column, value in row.items() if column not in OWN_COLUMNS}


@pytest.mark.parametrize("deferred", [False, True], ids=["now", "deferred"])
def test_enqueue_stores_the_row_the_library_stores(deferred):
    later = timezone.now() + dt.timedelta(hours=2)
    task = follow_up_submission.using(run_after=later) if deferred else follow_up_submission

    ours = DatabaseBackend("default", {}).enqueue(task, (7,), {})
    theirs = django_tasks_db.DatabaseBackend("default", {}).enqueue(task, (7,), {})

    assert _stored(ours.id) == _stored(theirs.id)
    # The library's pre_save receiver stands in the far future for "as soon as possible".
    assert _stored(ours.id)["run_after"] == (later if deferred else get_date_max())
    assert (ours.task, ours.status, ours.args, ours.kwargs, ours.backend) == (
        theirs.task,
        theirs.status,
        theirs.args,
        theirs.kwargs,
        theirs.backend,
    )
    assert ours.enqueued_at == DBTaskResult.objects.get(pk=ours.id).enqueued_at


def test_the_platforms_jobs_go_through_it_without_the_orms_compiler(monkeypatch):
    compiled = []
    as_sql = SQLInsertCompiler.as_sql

    def counting(compiler, *args, **kwargs):
        compiled.append(compiler.query.model._meta.label)
        return as_sql(compiler, *args, **kwargs)

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", counting)
    result = follow_up_submission.enqueue(11)

    assert isinstance(follow_up_submission.get_backend(), DatabaseBackend)
    assert compiled == []
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
