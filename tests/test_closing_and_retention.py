"""Closing needs a result; the result decides the retention; the daily task deletes expired
personal data (and only expired), recording counts without content."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.models import Case, CaseResult, CaseStatus, StatusEntry
from amtsweg.cases.services import TransitionRefused, change_case_status, withdraw_case
from amtsweg.cases.tasks import delete_expired_personal_data
from amtsweg.submissions.models import Attachment
from amtsweg.submissions.services import submit_application
from tests.factories import OfferingFactory, SolutionVersionFactory, make_complete_draft


@pytest.fixture
def version(db):
    return SolutionVersionFactory(
        retention_days=365, retention_days_by_result={"rejected": 30, "approved": 730}
    )


@pytest.fixture
def case(darmstadt, version) -> Case:
    offering = OfferingFactory(municipality=darmstadt, solution_version=version)
    return submit_application(make_complete_draft(offering)).submission.case


def close(case: Case, actor, result: str = CaseResult.REJECTED) -> Case:
    for target in (CaseStatus.IN_REVIEW, CaseStatus.DECIDED):
        change_case_status(case, target, actor=actor, comment="Frau Mustermann angerufen")
    return change_case_status(case, CaseStatus.CLOSED, actor=actor, result=result)


def test_closing_requires_a_result(case, darmstadt_clerk):
    change_case_status(case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    change_case_status(case, CaseStatus.DECIDED, actor=darmstadt_clerk)
    for missing in ("", "maybe"):
        with pytest.raises(TransitionRefused):
            change_case_status(case, CaseStatus.CLOSED, actor=darmstadt_clerk, result=missing)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DECIDED


@pytest.mark.parametrize(
    "result,days",
    [(CaseResult.REJECTED, 30), (CaseResult.APPROVED, 730), (CaseResult.PARTLY_APPROVED, 365)],
)
def test_retention_follows_the_result(case, darmstadt_clerk, result, days):
    closed = close(case, darmstadt_clerk, result)
    assert closed.result == result
    assert closed.delete_personal_data_after == closed.closed_at + timedelta(days=days)
    event = AuditEvent.objects.filter(action="case.status_changed").last()
    assert event.data["result"] == result


def test_withdrawal_uses_its_result_retention(case):
    withdrawn = withdraw_case(case)
    assert withdrawn.delete_personal_data_after == withdrawn.closed_at + timedelta(days=365)


def test_retention_by_result_is_checked(version):
    from django.core.exceptions import ValidationError

    for bad in ({"approvedd": 3}, {"approved": -1}, {"approved": "3"}, [1]):
        draft = SolutionVersionFactory.build(retention_days_by_result=bad)
        with pytest.raises(ValidationError):
            draft.clean()


def test_closing_through_the_case_page_needs_a_result(client, case, darmstadt_clerk):
    from django.urls import reverse

    from tests.staff_login import login_staff

    change_case_status(case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    change_case_status(case, CaseStatus.DECIDED, actor=darmstadt_clerk)
    login_staff(client, darmstadt_clerk)
    url = reverse("cases:change_status", args=[case.uuid])
    refused = client.post(url, {"status": CaseStatus.CLOSED})
    assert refused.status_code == 409
    done = client.post(url, {"status": CaseStatus.CLOSED, "result": CaseResult.APPROVED})
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).result == CaseResult.APPROVED


def with_attachment(case: Case) -> Attachment:
    attachment = Attachment(
        submission=case.submission,
        field_path="evidence",
        original_name="nachweis.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
    )
    attachment.file.save("nachweis.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    return attachment


def test_task_deletes_expired_personal_data_and_audits_counts(
    case, darmstadt_clerk, darmstadt, django_capture_on_commit_callbacks
):
    attachment = with_attachment(case)
    storage, name = attachment.file.storage, attachment.file.name
    closed = close(case, darmstadt_clerk)
    reference = closed.submission.reference_number
    Case.objects.filter(pk=case.pk).update(
        delete_personal_data_after=timezone.now() - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = delete_expired_personal_data.call()

    assert result["cases"] == 1
    assert result["deleted"][0]["reference_number"] == reference
    assert result["deleted"][0]["attachments"] == 1
    case.refresh_from_db()
    submission = case.submission
    submission.refresh_from_db()
    assert submission.data == {}
    assert (submission.applicant_name, submission.applicant_email) == ("", "")
    assert not submission.attachments.exists()
    assert not storage.exists(name)
    assert set(StatusEntry.objects.filter(case=case).values_list("comment", flat=True)) == {""}
    assert case.personal_data_deleted_at is not None
    assert "mustermann" not in case.search_text
    event = AuditEvent.objects.get(action="case.personal_data_deleted")
    assert event.chain == darmstadt.ags
    assert event.data["reference_number"] == reference
    assert event.data["status_comments"] == 2
    assert "Mustermann" not in str(event.data) and "Erika" not in str(event.data)
    # Nothing to do on the next run.
    assert delete_expired_personal_data.call()["cases"] == 0


def test_nothing_is_deleted_early(case, darmstadt_clerk, darmstadt_case):
    close(case, darmstadt_clerk)
    Case.objects.filter(pk=darmstadt_case.pk).update(
        delete_personal_data_after=timezone.now() - timedelta(days=1)
    )  # open case with a date written around the services: still kept
    assert delete_expired_personal_data.call()["cases"] == 0
    case.submission.refresh_from_db()
    assert case.submission.data
    assert not AuditEvent.objects.filter(action="case.personal_data_deleted").exists()
