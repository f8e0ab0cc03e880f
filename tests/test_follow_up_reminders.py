"""The daily follow-up reminder: an e-mail without content, two days before the due date
only, and once per request however often the job runs."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from amtsweg.cases.mailbox import request_follow_up
from amtsweg.cases.models import CaseStatus, Message
from amtsweg.cases.services import change_case_status
from amtsweg.cases.tasks import follow_up_reminders
from amtsweg.identity.bundid.models import Citizen

SECRET = "Bitte den Nachweis über die Hundehaftpflicht nachreichen"


@pytest.fixture
def follow_up(darmstadt_case, darmstadt_clerk) -> Message:
    """A request due in ten days, made the day before yesterday."""
    submission = darmstadt_case.submission
    submission.citizen = Citizen.objects.create(pseudonym="bpk2-x", last_login=timezone.now())
    submission.applicant_email = "erika@example.org"
    submission.save(update_fields=["citizen", "applicant_email"])
    case = change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    due = timezone.localdate() + timedelta(days=10)
    message = request_follow_up(case, "Nachweis fehlt", SECRET, due, actor=darmstadt_clerk)
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(days=2), applicant_notified_at=timezone.now()
    )
    message.refresh_from_db()
    return message


def run_on(day, monkeypatch):
    moment = timezone.make_aware(datetime.combine(day, time(6, 0)))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return follow_up_reminders.call()


def test_reminder_goes_two_days_before_due_once_and_without_content(follow_up, monkeypatch):
    due = follow_up.due_date
    for days_before in (5, 3):
        assert run_on(due - timedelta(days=days_before), monkeypatch)["sent"] == 0
    assert mail.outbox == []
    assert run_on(due - timedelta(days=2), monkeypatch)["sent"] == 1
    (sent,) = mail.outbox
    assert sent.to == ["erika@example.org"]
    assert follow_up.case.submission.reference_number in sent.subject
    assert SECRET not in sent.body and "Nachweis fehlt" not in sent.body
    assert "/mein-amtsweg/" in sent.body
    follow_up.refresh_from_db()
    assert follow_up.reminder_sent_at is not None
    # Again the same day, and on the following days: nothing more.
    assert run_on(due - timedelta(days=2), monkeypatch)["sent"] == 0
    assert run_on(due - timedelta(days=1), monkeypatch)["sent"] == 0
    assert len(mail.outbox) == 1


def test_no_reminder_for_an_answered_request(follow_up, monkeypatch):
    Message.objects.filter(pk=follow_up.pk).update(answered_at=timezone.now())
    assert run_on(follow_up.due_date - timedelta(days=2), monkeypatch)["sent"] == 0
    assert mail.outbox == []
