"""An incomplete or tampered draft is refused with the fields named, and nothing is written."""

import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case
from amtsweg.submissions.models import ReferenceSequence, Submission, SubmissionStatus
from amtsweg.submissions.services import (
    SubmissionIncomplete,
    missing_steps,
    start_draft,
    submit_application,
)
from tests.factories import fill_draft


def refused(draft: Submission) -> dict[str, str]:
    with translation.override("en"), pytest.raises(SubmissionIncomplete) as raised:
        submit_application(draft, idempotency_key="try")
    stored = Submission.objects.get(pk=draft.pk)
    assert stored.status == SubmissionStatus.DRAFT
    assert stored.reference_number is None
    assert stored.idempotency_key is None
    assert not Case.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not ReferenceSequence.objects.filter(last_number__gt=0).exists()
    return raised.value.problems


def tamper(draft: Submission, **changes) -> None:
    """Change stored answers behind the form's back (as a bug or an attacker could)."""
    data = {**Submission.objects.get(pk=draft.pk).data, **changes}
    Submission.objects.filter(pk=draft.pk).update(data=data)


def test_empty_draft(offering):
    problems = refused(start_draft(offering))
    assert problems["__steps__"] == "applicant, address, dog"
    assert "Family name" in problems["family_name"]


def test_missing_step(offering):
    draft = fill_draft(start_draft(offering), skip=("dog",))
    assert missing_steps(draft) == ["dog"]
    problems = refused(draft)
    assert problems["__steps__"] == "dog"
    assert set(problems) == {"__steps__", "dog_count", "breed", "insured"}
    assert "Number of dogs" in problems["dog_count"]


def test_invalid_value(complete_draft):
    tamper(complete_draft, postcode="6428")
    problems = refused(complete_draft)
    assert list(problems) == ["postcode"]
    assert "5 digits" in problems["postcode"]


def test_value_out_of_range(complete_draft):
    tamper(complete_draft, dog_count=50)
    assert list(refused(complete_draft)) == ["dog_count"]


def test_unknown_extra_key(complete_draft):
    tamper(complete_draft, fee_waived=True)
    problems = refused(complete_draft)
    assert list(problems) == ["fee_waived"]
    assert "does not belong" in problems["fee_waived"]


def test_required_answer_removed(complete_draft):
    data = dict(Submission.objects.get(pk=complete_draft.pk).data)
    del data["email"]
    Submission.objects.filter(pk=complete_draft.pk).update(data=data)
    problems = refused(complete_draft)
    assert list(problems) == ["email"]


def test_refused_draft_can_be_fixed_and_submitted(complete_draft):
    tamper(complete_draft, postcode="6428")
    refused(complete_draft)
    tamper(complete_draft, postcode="64289")
    receipt = submit_application(complete_draft, idempotency_key="try")
    assert receipt.created is True
    assert receipt.submission.reference_number.endswith("-000001")
