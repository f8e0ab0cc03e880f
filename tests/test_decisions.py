"""Decisions (Bescheid, issue 6 point 6): the clerk previews and issues a decision; it is a
PDF/A document with the letterhead, reference number, outcome, fee and the notice of legal
remedies, stored with the case, the case is decided, audited, and delivered to the mailbox with
an e-mail that says nothing of it; the applicant (and only they) can download it."""

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.decisions import issue_decision
from amtsweg.cases.models import Case, CaseStatus, Decision, Message
from amtsweg.cases.services import TransitionRefused, change_case_status
from amtsweg.cases.tasks import delete_expired_personal_data, notify_applicant_of_decision
from amtsweg.documents.models import Document, DocumentKind
from amtsweg.submissions import drafts
from amtsweg.submissions.services import submit_application
from tests.factories import make_complete_draft
from tests.saml_flow import english_client, log_in, saml_settings, saml_var_dir  # noqa: F401
from tests.staff_login import login_staff
from tests.test_citizen_area import citizen_of
from tests.test_messages import run_enqueued

REASONING = "Der Hund Bello ist ordnungsgemäß angemeldet worden."


def pdf_text(document: Document) -> tuple[str, str]:
    with document.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    return text, xmp


@pytest.fixture
def case(darmstadt_case: Case, darmstadt_clerk: Any, darmstadt: Any) -> Case:
    """A Darmstadt case in review, from an applicant without BundID."""
    darmstadt.authority_name = "Magistrat der Wissenschaftsstadt"
    darmstadt.street = "Luisenplatz 5"
    darmstadt.postcode = "64283"
    darmstadt.city = "Darmstadt"
    darmstadt.save()
    submission = darmstadt_case.submission
    submission.applicant_email = "erika@example.org"
    submission.applicant_name = "Erika Mustermann"
    submission.save(update_fields=["applicant_email", "applicant_name"])
    return change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)


def issue(case: Case, actor: Any, **kwargs: Any) -> Decision:
    values: dict[str, Any] = {"outcome": "approved", "reasoning": REASONING}
    return issue_decision(case, actor=actor, **{**values, **kwargs})


def test_issued_decision_is_a_pdf_a_with_everything_it_must_say(case, darmstadt_clerk):
    decision = issue(case, darmstadt_clerk, fee=Decimal("45.00"), conditions="Leine tragen.")
    document = decision.document
    assert document.kind == DocumentKind.DECISION
    assert document.case == case and document.submission == case.submission
    text, xmp = pdf_text(document)
    assert case.submission.reference_number in text
    with translation.override("de"):
        assert translation.gettext("Your application is approved.") in text
    assert "45,00" in text
    assert "Rechtsbehelfsbelehrung" in text
    assert "Widerspruch" in text and "Luisenplatz 5" in text
    assert "Magistrat der Wissenschaftsstadt" in text and "Darmstadt" in text
    assert "Erika Mustermann" in text and "Leine tragen." in text
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp


def test_issuing_decides_the_case_records_the_result_and_audits(case, darmstadt_clerk):
    decision = issue(case, darmstadt_clerk, outcome="rejected")
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED
    assert case.result == "rejected"
    assert case.status_entries.last().actor == darmstadt_clerk
    event = AuditEvent.objects.get(action="case.decision_issued")
    assert event.actor == darmstadt_clerk
    assert event.data["decision"] == str(decision.uuid)
    assert event.data["sha256"] == decision.document.sha256
    assert REASONING not in str(event.data)
    assert decision.fee == case.submission.offering.fee  # the offering's fee by default


def test_double_click_issues_one_decision(case, darmstadt_clerk):
    first = issue(case, darmstadt_clerk)
    second = issue(case, darmstadt_clerk, outcome="rejected")
    assert first.pk == second.pk
    assert Decision.objects.count() == 1
    assert Document.objects.filter(kind=DocumentKind.DECISION).count() == 1


def test_only_a_case_in_review_can_be_decided(darmstadt_case, darmstadt_clerk):
    with pytest.raises(TransitionRefused):
        issue(darmstadt_case, darmstadt_clerk)  # still "received"
    assert not Decision.objects.exists()


def test_read_only_staff_cannot_issue(case, darmstadt_readonly, client):
    with pytest.raises(PermissionDenied):
        issue(case, darmstadt_readonly)
    login_staff(client, darmstadt_readonly)
    data = {"outcome": "approved", "reasoning": REASONING}
    for name in ("cases:decision_issue", "cases:decision_preview"):
        assert client.post(reverse(name, args=[case.uuid]), data).status_code == 403
    assert client.get(reverse("cases:decision", args=[case.uuid])).status_code == 403
    assert not Decision.objects.exists()


def test_a_modautal_clerk_gets_404(case, modautal_clerk, client):
    login_staff(client, modautal_clerk)
    data = {"outcome": "approved", "reasoning": REASONING}
    assert client.get(reverse("cases:decision", args=[case.uuid])).status_code == 404
    for name in ("cases:decision_issue", "cases:decision_preview"):
        assert client.post(reverse(name, args=[case.uuid]), data).status_code == 404
    assert not Decision.objects.exists()


def test_clerk_previews_then_issues_through_the_case_view(case, darmstadt_clerk, client):
    login_staff(client, darmstadt_clerk)
    page = client.get(reverse("cases:decision", args=[case.uuid]))
    assert page.status_code == 200
    data = {"outcome": "partly_approved", "reasoning": REASONING, "fee": "12.50"}
    preview = client.post(reverse("cases:decision_preview", args=[case.uuid]), data)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(preview.content)).pages)
    assert case.submission.reference_number in text and "12,50" in text
    assert not Document.objects.filter(kind="decision")
    assert Decision.objects.get().state == "draft"  # the preview kept the draft
    invalid = client.post(reverse("cases:decision_issue", args=[case.uuid]), {"outcome": "x"})
    assert invalid.status_code == 400
    issued = client.post(reverse("cases:decision_issue", args=[case.uuid]), data)
    assert issued.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == "partly_approved" and decision.fee == Decimal("12.50")
    detail = client.get(reverse("cases:decision", args=[case.uuid])).content.decode()
    assert str(decision.document.uuid) in detail


def test_anonymous_applicant_gets_mail_and_downloads_from_the_status_page(
    case, darmstadt_clerk, client
):
    decision = issue(case, darmstadt_clerk)
    assert not Message.objects.exists()  # no BundID, no mailbox
    assert run_enqueued(notify_applicant_of_decision) == ["sent"]
    (sent,) = mail.outbox
    assert sent.to == ["erika@example.org"]
    assert case.submission.reference_number in sent.subject
    assert REASONING not in sent.body and "approved" not in sent.body
    assert reverse("submissions:status") in sent.body
    assert notify_applicant_of_decision.call(decision.pk) == "already sent"

    url = reverse(
        "documents:applicant_document", args=[case.submission.uuid, decision.document.uuid]
    )
    assert client.get(url).status_code == 404  # a session that has not looked it up
    session = client.session
    session[drafts.SESSION_KEY] = [str(case.submission.uuid)]
    session.save()
    status_page = client.get(reverse("submissions:status"))
    assert status_page.status_code == 200
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    receipt = Document.objects.get(submission=case.submission, kind=DocumentKind.RECEIPT)
    other = reverse("documents:applicant_document", args=[case.submission.uuid, receipt.uuid])
    assert client.get(other).status_code == 404  # decisions only


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


def test_citizen_finds_the_decision_in_the_mailbox_and_only_they_download_it(
    erika, jonas, offering, darmstadt_clerk
):
    draft = make_complete_draft(offering)
    draft.citizen = citizen_of("erika")
    draft.save()
    submission = submit_application(draft).submission
    submission.applicant_email = "erika@example.org"
    submission.language = "en"
    submission.save(update_fields=["applicant_email", "language"])
    case = change_case_status(submission.case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    decision = issue(case, darmstadt_clerk, outcome="rejected")

    message = Message.objects.get(case=case)
    assert message.document == decision.document and message.is_from_office
    assert run_enqueued(notify_applicant_of_decision) == ["sent"]
    (sent,) = mail.outbox
    assert REASONING not in sent.body and "rejected" not in sent.body.lower()
    assert reverse("citizen:mailbox", args=[submission.uuid]) in sent.body
    message.refresh_from_db()
    assert message.applicant_notified_at is not None

    text, _xmp = pdf_text(decision.document)
    assert "Your application is rejected." in text  # an English submission
    assert "Rechtsbehelfsbelehrung" in text and "objection" in text

    mailbox = erika.get(reverse("citizen:mailbox", args=[submission.uuid])).content.decode()
    url = reverse("citizen:document", args=[submission.uuid, decision.document.uuid])
    assert url in mailbox
    assert erika.get(url).status_code == 200
    assert jonas.get(url).status_code == 404


def test_retention_deletes_the_decision_pdf_and_blanks_its_texts(
    case, darmstadt_clerk, django_capture_on_commit_callbacks
):
    decision = issue(case, darmstadt_clerk, conditions="Leine tragen.")
    storage, name = decision.document.file.storage, decision.document.file.name
    change_case_status(case, CaseStatus.CLOSED, actor=darmstadt_clerk, result="approved")
    Case.objects.filter(pk=case.pk).update(
        delete_personal_data_after=timezone.now() - timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = delete_expired_personal_data.call()

    summary = result["deleted"][0]
    assert summary["documents"] >= 1 and summary["decision_texts"] == 1
    decision.refresh_from_db()
    assert decision.document is None
    assert decision.reasoning == "" and decision.conditions == ""
    assert decision.outcome == "approved"  # what was decided stays on record
    assert not storage.exists(name)
