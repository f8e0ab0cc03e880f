"""Every e-mail is sent with no transaction of ours open (``amtsweg.lib.mail``, issue 9).

A mail server may take up to ``EMAIL_TIMEOUT`` to answer; on SQLite a transaction held that
long stops every other writer, every citizen's submit included. The probe backend records how
many atomic blocks are open when a mail goes out; the test's own block is the baseline.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from amtsweg.cases.actions import claim_case
from amtsweg.cases.decisions import issue_decision
from amtsweg.cases.decisions import notify_applicant as notify_of_decision
from amtsweg.cases.mailbox import answer_follow_up, request_follow_up, send_message
from amtsweg.cases.message_mail import notify_applicant, notify_staff, send_reminder
from amtsweg.cases.models import Case, CaseStatus, Message
from amtsweg.cases.notices import send_deadline_notices
from amtsweg.cases.services import change_case_status
from amtsweg.core.legal import forward_feedback
from amtsweg.core.models import AccessibilityFeedback
from amtsweg.identity.bundid.models import Citizen
from amtsweg.submissions.models import ResumeLink, Submission
from amtsweg.submissions.services import request_resume_mail, submit_application
from amtsweg.submissions.tasks import send_confirmation, send_resume_link
from tests.factories import make_complete_draft

#: Open atomic blocks at each send, and the test's own count.
DEPTHS: list[int] = []
BASELINE: list[int] = []


class ProbeBackend(EmailBackend):
    """The locmem backend, noting how many atomic blocks are open at each send."""

    def send_messages(self, messages: Any) -> int:
        DEPTHS.append(len(connection.atomic_blocks))
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def probe(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.ProbeBackend"
    DEPTHS.clear()
    BASELINE[:] = [len(connection.atomic_blocks)]
    yield


def sent_outside_transactions(count: int = 1) -> bool:
    """Whether ``count`` mails went out, each with only the test's own blocks open."""
    return len(mail.outbox) == count and BASELINE * count == DEPTHS


@pytest.fixture
def citizen() -> Citizen:
    return Citizen.objects.create(pseudonym="bpk2-mail-probe", last_login=timezone.now())


@pytest.fixture
def case(darmstadt_case: Case, citizen: Citizen, darmstadt_clerk: Any) -> Case:
    submission = darmstadt_case.submission
    submission.citizen = citizen
    submission.applicant_email = "erika@example.org"
    submission.save(update_fields=["citizen", "applicant_email"])
    return change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)


def test_the_confirmation(submitted):
    Submission.objects.filter(pk=submitted.submission.pk).update(
        applicant_email="erika@example.org", confirmation_sent_at=None
    )
    assert send_confirmation(submitted.submission.pk) == "sent"
    assert sent_outside_transactions()
    assert Submission.objects.get(pk=submitted.submission.pk).confirmation_sent_at
    assert send_confirmation(submitted.submission.pk) == "already sent"


def test_the_resume_link(offering):
    draft = make_complete_draft(offering)
    link = request_resume_mail(draft, email="erika@example.org")
    assert send_resume_link.call(link.pk) == "sent"
    assert sent_outside_transactions()
    stored = ResumeLink.objects.get(pk=link.pk)
    assert stored.sent_at and stored.token_hash
    assert send_resume_link.call(link.pk) == "already sent"


def test_the_message_and_the_reminder(case, darmstadt_clerk):
    message = send_message(case, "Rückfrage", "Text", actor=darmstadt_clerk)
    assert notify_applicant(message.pk) == "sent"
    due = timezone.localdate() + timedelta(days=2)
    follow_up = request_follow_up(case, "Unterlagen", "Bitte", due, actor=darmstadt_clerk)
    Message.objects.filter(pk=follow_up.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert send_reminder(follow_up.pk) == "sent"
    assert sent_outside_transactions(2)
    assert Message.objects.get(pk=follow_up.pk).reminder_sent_at
    assert notify_applicant(message.pk) == "already sent"


def test_the_answer_to_the_clerk(case, darmstadt_clerk, citizen):
    claim_case(case, actor=darmstadt_clerk)
    due = timezone.localdate() + timedelta(days=14)
    follow_up = request_follow_up(case, "Unterlagen", "Bitte", due, actor=darmstadt_clerk)
    answer = answer_follow_up(follow_up, "Hier", [], citizen=citizen)
    assert notify_staff(answer.pk) == "sent"
    assert sent_outside_transactions()
    assert Message.objects.get(pk=answer.pk).staff_notified_at


def test_the_decision(case, darmstadt_clerk):
    decision = issue_decision(case, actor=darmstadt_clerk, outcome="approved", reasoning="Gut.")
    assert notify_of_decision(decision.pk) == "sent"
    assert sent_outside_transactions()
    assert notify_of_decision(decision.pk) == "already sent"


def test_the_deadline_notice(offering, darmstadt_clerk):
    overdue = submit_application(make_complete_draft(offering)).submission.case
    claim_case(overdue, actor=darmstadt_clerk)
    today = timezone.localdate()
    Case.objects.filter(pk=overdue.pk).update(deadline=today - timedelta(days=1))
    assert send_deadline_notices(today)["sent"] == 1
    assert sent_outside_transactions()


def test_the_accessibility_feedback(darmstadt):
    darmstadt.email = "barrierefreiheit@darmstadt.example"
    darmstadt.save()
    feedback = AccessibilityFeedback.objects.create(municipality=darmstadt, message="Kontrast")
    assert forward_feedback(feedback.pk) == "sent"
    assert sent_outside_transactions()
    assert forward_feedback(feedback.pk) == "already sent"
