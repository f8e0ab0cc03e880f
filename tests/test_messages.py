"""Messages and follow-up requests (Nachforderungen) in the back office: sending, waiting with
the clock stopped, the applicant's answer returning the case flagged, the clerks' e-mail
(without content), read-only staff refused, and the audit trail."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.mailbox import answer_follow_up, request_follow_up, send_message
from amtsweg.cases.models import Case, CaseStatus, Message, MessageDirection
from amtsweg.cases.services import TransitionRefused, change_case_status
from amtsweg.cases.tasks import notify_applicant_of_message, notify_staff_of_answer
from amtsweg.identity.bundid.models import Citizen
from tests.staff_login import login_staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Bitte den Mietvertrag Seite 3 nachreichen"


def run_enqueued(task) -> list[str]:
    """Run the jobs of ``task`` waiting in the database queue, as the worker would."""
    rows = DBTaskResult.objects.filter(task_path=task.module_path, status="READY")
    return [task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]) for row in rows]


@pytest.fixture
def citizen(db) -> Citizen:
    return Citizen.objects.create(pseudonym="bpk2-test-citizen", last_login=timezone.now())


@pytest.fixture
def case(darmstadt_case: Case, citizen: Citizen, darmstadt_clerk) -> Case:
    """A Darmstadt case in review whose applicant logged in with BundID."""
    submission = darmstadt_case.submission
    submission.citizen = citizen
    submission.applicant_email = "erika@example.org"
    submission.save(update_fields=["citizen", "applicant_email"])
    return change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)


def test_message_is_sent_audited_and_announced_without_content(case, darmstadt_clerk):
    message = send_message(case, "Rückfrage", SECRET, actor=darmstadt_clerk)
    assert message.direction == MessageDirection.TO_APPLICANT
    assert message.sender == darmstadt_clerk
    event = AuditEvent.objects.get(action="case.message_sent")
    assert event.data == {"message": str(message.uuid)}
    assert SECRET not in str(event.data)
    assert run_enqueued(notify_applicant_of_message) == ["sent"]
    (sent,) = mail.outbox
    assert sent.to == ["erika@example.org"]
    assert case.submission.reference_number in sent.subject
    assert SECRET not in sent.body and "Rückfrage" not in sent.body
    assert reverse("citizen:mailbox", args=[case.submission.uuid]) in sent.body
    # A retried job sends nothing twice.
    assert notify_applicant_of_message.call(message.pk) == "already sent"
    assert len(mail.outbox) == 1


def test_follow_up_moves_the_case_to_waiting_and_stops_the_clock(case, darmstadt_clerk):
    due = timezone.localdate() + timedelta(days=14)
    message = request_follow_up(case, "Unterlagen fehlen", SECRET, due, actor=darmstadt_clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert case.suspended_at is not None
    assert message.is_follow_up_request and message.due_date == due
    assert AuditEvent.objects.filter(action="case.status_changed").last().data["clock_stopped"]
    event = AuditEvent.objects.get(action="case.follow_up_requested")
    assert event.data["due_date"] == due.isoformat()


def test_follow_up_due_date_must_be_in_the_future(case, darmstadt_clerk):
    with pytest.raises(TransitionRefused):
        request_follow_up(case, "x", "y", timezone.localdate(), actor=darmstadt_clerk)
    assert not Message.objects.exists()


def test_answer_returns_the_case_to_review_flagged_and_tells_the_clerk(
    case, darmstadt_clerk, citizen, monkeypatch
):
    case.assignee = darmstadt_clerk
    case.save()
    deadline = case.deadline
    due = timezone.localdate() + timedelta(days=14)
    request = request_follow_up(
        case, "Unterlagen", "Bitte nachreichen", due, actor=darmstadt_clerk
    )
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    upload = SimpleUploadedFile("vertrag.pdf", PDF, content_type="application/pdf")
    answer = answer_follow_up(request, SECRET, [upload], citizen=citizen)
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert case.suspended_at is None and case.deadline == deadline + timedelta(days=3)
    assert case.has_new_reply
    assert request.answered_at is not None
    assert answer.direction == MessageDirection.TO_OFFICE and answer.answer_to == request
    (stored,) = answer.attachments.all()
    assert stored.content_type == "application/pdf" and stored.file.read() == PDF
    event = AuditEvent.objects.get(action="case.follow_up_answered")
    assert event.actor_label == "applicant" and event.data["files"] == 1
    mail.outbox.clear()
    assert run_enqueued(notify_staff_of_answer) == ["sent"]
    (sent,) = mail.outbox
    assert sent.to == [darmstadt_clerk.email]
    assert case.submission.reference_number in sent.body
    assert SECRET not in sent.body and "vertrag" not in sent.body


def test_unassigned_case_tells_the_inbox_clerks(case, darmstadt_clerk, darmstadt_admin, citizen):
    due = timezone.localdate() + timedelta(days=7)
    request = request_follow_up(case, "Unterlagen", "Bitte", due, actor=darmstadt_clerk)
    answer_follow_up(request, "Hier", [], citizen=citizen)
    mail.outbox.clear()
    run_enqueued(notify_staff_of_answer)
    assert set(mail.outbox[0].to) == {darmstadt_clerk.email, darmstadt_admin.email}


def test_flag_shows_in_the_inbox_and_goes_when_seen(client, case, darmstadt_clerk, citizen):
    due = timezone.localdate() + timedelta(days=7)
    request = request_follow_up(case, "Unterlagen", "Bitte", due, actor=darmstadt_clerk)
    answer_follow_up(request, "Hier", [], citizen=citizen)
    login_staff(client, darmstadt_clerk)
    inbox = client.get(reverse("cases:inbox", args=[case.municipality.slug]), {"lang": "en"})
    assert "kern-badge--warning" in inbox.content.decode()
    response = client.post(reverse("cases:replies_seen", args=[case.uuid]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert not case.has_new_reply
    assert Message.objects.get(direction=MessageDirection.TO_OFFICE).read_at is not None
    assert AuditEvent.objects.filter(action="case.replies_seen").exists()


def test_clerk_sends_message_and_follow_up_through_the_case_view(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    page = client.get(reverse("cases:detail", args=[case.uuid]))
    assert 'id="messages-heading"' in page.content.decode()
    response = client.post(
        reverse("cases:message", args=[case.uuid]),
        {"message-subject": "Hallo", "message-body": "Eine Frage"},
    )
    assert response.status_code == 302
    due = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("cases:follow_up", args=[case.uuid]),
        {
            "follow_up-subject": "Fehlt",
            "follow_up-body": "Bitte Nachweis",
            "follow_up-due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert Message.objects.filter(case=case).count() == 2
    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    assert "Eine Frage" in page and "Bitte Nachweis" in page


def test_invalid_follow_up_form_shows_errors(client, case, darmstadt_clerk):
    login_staff(client, darmstadt_clerk)
    response = client.post(
        reverse("cases:follow_up", args=[case.uuid]), {"follow_up-subject": "Fehlt"}
    )
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert not Message.objects.exists()


def test_read_only_staff_are_refused(client, case, darmstadt_readonly):
    with pytest.raises(PermissionDenied):
        send_message(case, "x", "y", actor=darmstadt_readonly)
    login_staff(client, darmstadt_readonly)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    for name, data in [
        ("cases:message", {"message-subject": "x", "message-body": "y"}),
        (
            "cases:follow_up",
            {"follow_up-subject": "x", "follow_up-body": "y", "follow_up-due_date": due},
        ),
        ("cases:replies_seen", {}),
    ]:
        assert client.post(reverse(name, args=[case.uuid]), data).status_code == 403
    assert not Message.objects.exists()
    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    assert reverse("cases:message", args=[case.uuid]) not in page


def test_applicant_without_bundid_has_no_mailbox(darmstadt_case, darmstadt_clerk):
    with pytest.raises(TransitionRefused):
        send_message(darmstadt_case, "x", "y", actor=darmstadt_clerk)


def test_follow_up_form_is_offered_only_where_the_workflow_can_wait(
    client, darmstadt_case, citizen, darmstadt_clerk
):
    """A received case cannot wait for the applicant in the default workflow: the case view
    says to move it to review first instead of offering a form that would be refused."""
    submission = darmstadt_case.submission
    submission.citizen = citizen
    submission.save(update_fields=["citizen"])
    login_staff(client, darmstadt_clerk)
    url = reverse("cases:detail", args=[darmstadt_case.uuid])
    page = client.get(url).content.decode()
    assert 'id="follow-up-heading"' not in page
    assert 'id="follow-up-unavailable"' in page
    change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    page = client.get(url).content.decode()
    assert 'id="follow-up-heading"' in page
    assert 'id="follow-up-unavailable"' not in page
