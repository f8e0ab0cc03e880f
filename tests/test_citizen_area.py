"""Mein Amtsweg, the citizen's own area: log-in through the real SAML round trip against the
bundled test identity provider, the own applications with their status and drafts, the
mailbox with the office's messages, answering a follow-up request with text and a PDF,
refusing a wrong file type, isolation between two citizens, and the withdrawal."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.mailbox import request_follow_up, send_message
from amtsweg.cases.models import CaseStatus, Message, MessageAttachment, MessageDirection
from amtsweg.cases.services import change_case_status
from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.models import Submission, SubmissionStatus
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft
from tests.saml_flow import english_client, log_in, saml_settings, saml_var_dir  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Bitte reichen Sie den Mietvertrag nach"


@pytest.fixture
def erika(saml_settings, db) -> Client:  # noqa: F811
    client = english_client()
    log_in(client, "erika", "low")
    return client


@pytest.fixture
def jonas(saml_settings, db) -> Client:  # noqa: F811
    client = english_client()
    log_in(client, "jonas", "low")
    return client


def citizen_of(person_key: str) -> Citizen:
    return Citizen.objects.get(pseudonym__startswith=f"testidp-{person_key}")


@pytest.fixture
def erikas_case(erika, offering, darmstadt_clerk):
    """Erika's submitted application, in review at Darmstadt."""
    draft = make_complete_draft(offering)
    draft.citizen = citizen_of("erika")
    draft.save()
    receipt = submit_application(draft)
    submission = receipt.submission
    submission.applicant_email = "erika@example.org"
    submission.save(update_fields=["applicant_email"])
    return change_case_status(submission.case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)


def citizen_urls(case, message: Message | None = None) -> list[str]:
    submission = case.submission
    message_uuid = message.uuid if message else case.uuid
    return [
        reverse("citizen:mailbox", args=[submission.uuid]),
        reverse("citizen:answer", args=[submission.uuid, message_uuid]),
        reverse("citizen:attachment", args=[submission.uuid, case.uuid]),
        reverse("citizen:document", args=[submission.uuid, case.uuid]),
        reverse("citizen:withdraw", args=[submission.uuid]),
    ]


def test_not_logged_in_goes_to_the_bundid_log_in_and_back(client, db):
    response = client.get(reverse("citizen:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("bundid:login"))
    assert "next=%2Fmein-amtsweg%2F" in response["Location"]


def test_list_shows_own_submissions_with_status_and_own_drafts(erika, erikas_case, offering):
    start = reverse("submissions:start", args=[offering.municipality.slug, offering.slug])
    erika.post(start)
    draft = Submission.objects.get(status=SubmissionStatus.DRAFT)
    assert draft.citizen == citizen_of("erika")  # set when a logged-in citizen starts
    page = erika.get(reverse("citizen:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert erikas_case.submission.reference_number in text
    assert "in review" in text
    assert reverse("citizen:resume_draft", args=[draft.uuid]) in text
    resumed = erika.get(reverse("citizen:resume_draft", args=[draft.uuid]))
    assert resumed.status_code == 302 and f"/antrag/{draft.uuid}/" in resumed["Location"]


def test_mailbox_shows_the_offices_message_and_marks_it_read(erika, erikas_case, darmstadt_clerk):
    message = send_message(erikas_case, "Rückfrage", SECRET, actor=darmstadt_clerk)
    listing = erika.get(reverse("citizen:home")).content.decode()
    assert "new message" in listing
    page = erika.get(reverse("citizen:mailbox", args=[erikas_case.submission.uuid]))
    assert page.status_code == 200
    assert SECRET in page.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    assert AuditEvent.objects.filter(action="case.message_read").count() == 1


@pytest.fixture
def follow_up(erikas_case, darmstadt_clerk) -> Message:
    due = timezone.localdate() + timedelta(days=10)
    return request_follow_up(erikas_case, "Unterlagen", SECRET, due, actor=darmstadt_clerk)


def test_answering_a_follow_up_with_text_and_pdf(erika, erikas_case, follow_up):
    url = reverse("citizen:answer", args=[erikas_case.submission.uuid, follow_up.uuid])
    upload = SimpleUploadedFile("mietvertrag.pdf", PDF, content_type="application/pdf")
    response = erika.post(url, {"body": "Anbei der Vertrag", "files": [upload]})
    assert response.status_code == 302
    erikas_case.refresh_from_db()
    assert erikas_case.status == CaseStatus.IN_REVIEW and erikas_case.has_new_reply
    answer = Message.objects.get(direction=MessageDirection.TO_OFFICE)
    assert answer.body == "Anbei der Vertrag"
    assert answer.attachments.get().original_name == "mietvertrag.pdf"
    page = erika.get(response["Location"]).content.decode()
    assert "Anbei der Vertrag" in page and "mietvertrag.pdf" in page


def test_a_wrong_file_type_is_refused_and_nothing_is_stored(erika, erikas_case, follow_up):
    url = reverse("citizen:answer", args=[erikas_case.submission.uuid, follow_up.uuid])
    upload = SimpleUploadedFile(
        "virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = erika.post(url, {"body": "Anbei", "files": [upload]})
    assert response.status_code == 400
    text = response.content.decode()
    assert 'id="error-summary"' in text
    assert "The file “virus.pdf” is not a" in text
    assert not Message.objects.filter(direction=MessageDirection.TO_OFFICE).exists()
    assert not MessageAttachment.objects.exists()
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
    erikas_case.refresh_from_db()
    assert erikas_case.status == CaseStatus.AWAITING_APPLICANT and not erikas_case.has_new_reply


def test_another_citizen_gets_404_on_every_citizen_url(jonas, erikas_case, follow_up):
    for url in citizen_urls(erikas_case, follow_up):
        for method in (jonas.get, jonas.post):
            response = method(url)
            assert response.status_code in (404, 405), (url, response.status_code)
    assert (
        erikas_case.submission.reference_number
        not in jonas.get(reverse("citizen:home")).content.decode()
    )
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None
    erikas_case.refresh_from_db()
    assert erikas_case.is_open


def test_withdraw_needs_confirmation_and_is_audited(erika, erikas_case):
    url = reverse("citizen:withdraw", args=[erikas_case.submission.uuid])
    assert "Withdraw application" in erika.get(url).content.decode()
    refused = erika.post(url, {})
    assert refused.status_code == 400
    erikas_case.refresh_from_db()
    assert erikas_case.is_open
    response = erika.post(url, {"confirm": "on"})
    assert response.status_code == 302
    erikas_case.refresh_from_db()
    assert erikas_case.status == CaseStatus.WITHDRAWN
    event = AuditEvent.objects.get(action="case.withdrawn")
    assert event.actor_label == "applicant" and event.data["by_applicant"] is True


def test_no_withdrawal_once_the_decision_is_issued(erika, erikas_case, darmstadt_clerk):
    from amtsweg.cases.decisions import issue_decision

    issue_decision(
        erikas_case,
        actor=darmstadt_clerk,
        outcome="approved",
        reasoning="Die Voraussetzungen liegen vor.",
    )
    mailbox = erika.get(reverse("citizen:mailbox", args=[erikas_case.submission.uuid]))
    assert reverse("citizen:withdraw", args=[erikas_case.submission.uuid]) not in (
        mailbox.content.decode()
    )
    url = reverse("citizen:withdraw", args=[erikas_case.submission.uuid])
    assert "can no longer be withdrawn" in erika.get(url).content.decode()
    response = erika.post(url, {"confirm": "on"})
    assert response.status_code == 400
    assert "can no longer be withdrawn" in response.content.decode()
    erikas_case.refresh_from_db()
    assert erikas_case.is_open and erikas_case.status != CaseStatus.WITHDRAWN
    assert not AuditEvent.objects.filter(action="case.withdrawn").exists()
