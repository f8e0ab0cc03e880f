"""Submit is one transaction: nothing acknowledged is lost, nothing unacknowledged half-written."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditChainHead, AuditEvent
from amtsweg.cases.models import Case, StatusEntry
from amtsweg.lib.rows import insert_row
from amtsweg.submissions.models import ReferenceSequence, Submission, SubmissionStatus
from amtsweg.submissions.services import submit_application
from amtsweg.submissions.tasks import follow_up_submission


def confirmation_jobs():
    """The submit's follow-up jobs (confirmation mail and receipt: one per submission)."""
    return DBTaskResult.objects.filter(task_path=follow_up_submission.module_path)


class Boom(Exception):
    """Stands for any failure late in the submit transaction (database, bug, lost connection)."""


def explode(*args, **kwargs):
    raise Boom


def explode_at_status_entry(instance):
    """The case is written, its first status entry fails."""
    if isinstance(instance, StatusEntry):
        raise Boom
    insert_row(instance)


class ExplodingTask:
    def enqueue(self, *args, **kwargs):
        raise Boom


def assert_nothing_written(draft: Submission) -> None:
    stored = Submission.objects.get(pk=draft.pk)
    assert stored.status == SubmissionStatus.DRAFT
    assert stored.reference_number is None
    assert stored.submitted_at is None
    assert stored.access_code_hash == ""
    assert stored.processing_municipality is None
    assert not Case.objects.exists()
    assert not StatusEntry.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.filter(length__gt=0).exists()
    assert not ReferenceSequence.objects.filter(last_number__gt=0).exists()


@pytest.mark.parametrize(
    ("target", "replacement"),
    [
        ("amtsweg.submissions.services.open_case_for", explode),
        ("amtsweg.submissions.services.record_event", explode),
        ("amtsweg.submissions.services.follow_up_submission", ExplodingTask()),
        ("amtsweg.cases.actions.insert_row", explode_at_status_entry),
    ],
    ids=["open_case", "audit", "enqueue", "status_entry"],
)
def test_failure_after_writing_leaves_nothing(complete_draft, monkeypatch, target, replacement):
    monkeypatch.setattr(target, replacement)
    with pytest.raises(Boom):
        submit_application(complete_draft, idempotency_key="attempt-1")
    assert_nothing_written(complete_draft)


def test_retry_after_failure_gets_the_first_number(complete_draft, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr("amtsweg.submissions.services.record_event", explode)
        with pytest.raises(Boom):
            submit_application(complete_draft, idempotency_key="attempt-1")

    receipt = submit_application(complete_draft, idempotency_key="attempt-1")
    assert receipt.created is True
    assert receipt.submission.reference_number == f"DA-{timezone.localdate().year}-000001"
    assert Case.objects.count() == 1
    assert confirmation_jobs().count() == 1
    assert AuditEvent.objects.filter(action="submission.submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_failure_rolls_back_a_real_transaction(complete_draft, monkeypatch):
    """The same with real COMMIT/ROLLBACK instead of the test's savepoints."""
    monkeypatch.setattr("amtsweg.submissions.services.follow_up_submission", ExplodingTask())
    with pytest.raises(Boom):
        submit_application(complete_draft)
    assert_nothing_written(complete_draft)
