"""Submitting a complete draft: submission, case, audit event and confirmation job, together."""

import re

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.audit.services import verify_chain
from amtsweg.cases.models import Case, CaseStatus, StatusEntry
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.submissions.reference import access_code_matches
from amtsweg.submissions.services import (
    find_submission_by_reference,
    save_step,
    submit_application,
)

TASK_PATH = "amtsweg.submissions.tasks.follow_up_submission"


def test_complete_draft_is_submitted(complete_draft, darmstadt):
    receipt = submit_application(complete_draft, idempotency_key="k-1", language="en")

    assert receipt.created is True
    submission = Submission.objects.get(pk=complete_draft.pk)
    assert receipt.submission.pk == submission.pk
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.is_submitted
    assert submission.submitted_at is not None
    assert submission.reference_number == f"DA-{timezone.localdate().year}-000001"
    assert submission.processing_municipality == darmstadt
    assert submission.applicant_name == "Erika Mustermann"
    assert submission.applicant_email == "erika.mustermann@example.de"
    assert submission.language == "en"
    assert submission.idempotency_key == "k-1"


def test_access_code_is_shown_once_and_stored_only_as_hash(complete_draft):
    receipt = submit_application(complete_draft)
    code = receipt.access_code
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)

    submission = Submission.objects.get(pk=complete_draft.pk)
    assert submission.access_code_hash
    assert code not in submission.access_code_hash
    assert code.replace("-", "") not in submission.access_code_hash
    assert access_code_matches(code, submission.access_code_hash)
    assert not access_code_matches("AAAA-BBBB-CCCC", submission.access_code_hash)


def test_applicant_finds_the_submission_with_reference_and_code(submitted):
    reference = submitted.submission.reference_number
    code = submitted.access_code
    found = find_submission_by_reference(reference, code)
    assert found is not None and found.pk == submitted.submission.pk
    # Typed again from paper: lower case, spaces instead of dashes.
    assert find_submission_by_reference(f" {reference.lower()} ", code.lower().replace("-", " "))
    assert find_submission_by_reference(reference, "AAAA-BBBB-CCCC") is None
    assert find_submission_by_reference("DA-1999-000001", code) is None


def test_case_opens_in_the_processing_municipality(complete_draft, darmstadt):
    submission = submit_application(complete_draft).submission

    case = Case.objects.get(submission=submission)
    assert case.municipality == darmstadt
    assert case.status == CaseStatus.RECEIVED
    assert case.assignee is None
    entries = list(StatusEntry.objects.filter(case=case))
    assert [(entry.status, entry.actor) for entry in entries] == [(CaseStatus.RECEIVED, None)]


def test_submission_is_audited(complete_draft, darmstadt):
    submission = submit_application(complete_draft).submission

    event = AuditEvent.objects.get(action="submission.submitted")
    assert event.chain == darmstadt.ags
    assert event.object_type == "submissions.submission"
    assert event.object_id == str(submission.uuid)
    assert event.actor is None
    assert event.actor_label == "applicant"
    assert event.data["reference_number"] == submission.reference_number
    assert event.data["case"] == str(submission.case.uuid)
    assert event.data["offering"] == str(submission.offering.uuid)
    # No form content in the audit trail.
    assert "Mustermann" not in str(event.data)
    assert verify_chain(darmstadt.ags) is None


def test_confirmation_job_is_written_with_the_submission(complete_draft):
    submission = submit_application(complete_draft).submission

    job = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert job.args_kwargs == {"args": [submission.pk], "kwargs": {}}
    assert job.status == "READY"


def test_submitted_application_cannot_be_changed(submitted):
    submission = submitted.submission
    with pytest.raises(ValueError, match="cannot be changed"):
        save_step(submission, "address", {"postcode": "64289"})
    assert Submission.objects.get(pk=submission.pk).data["postcode"] == "64283"


def test_each_submission_gets_its_own_case_and_job(offering, submit):
    from tests.factories import make_complete_draft

    first = submit(make_complete_draft(offering)).submission
    second = submit(make_complete_draft(offering, given_name="Max")).submission
    assert first.reference_number != second.reference_number
    assert Case.objects.count() == 2
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 2
    assert second.applicant_name == "Max Mustermann"
