"""Notification e-mails retry with backoff (issue 6 point 8): a failing mail server gets the
mail again after 1, 5 and 30 minutes, every attempt is recorded with the case, and the last
failure gives up, is audited and shown to the clerks. Tested with an e-mail backend that
really fails the way an SMTP connection does."""

import smtplib
from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from amtsweg.audit.models import AuditEvent
from amtsweg.cases.decisions import issue_decision
from amtsweg.cases.mail_delivery import RETRY_MINUTES
from amtsweg.cases.models import CaseStatus, MailAttempt, MailOutcome
from amtsweg.cases.services import change_case_status
from amtsweg.cases.tasks import notify_applicant_of_decision, remind_applicant
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tasks import submission_received
from tests.staff_login import login_staff
from tests.test_follow_up_reminders import follow_up, run_on  # noqa: F401 (fixture)

FAILING = "tests.test_mail_retries.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """The SMTP server hangs up on every message (what ``smtplib`` raises then)."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def waiting_jobs(task: Any) -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(task_path=task.module_path, status="READY").order_by(
            "enqueued_at"
        )
    )


def run_latest(task: Any) -> tuple[str, DBTaskResult]:
    """Run the newest waiting job of ``task`` as the worker will once its time has come."""
    job = waiting_jobs(task)[-1]
    return task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"]), job


def test_a_failed_confirmation_is_retried_after_1_5_30_minutes_then_given_up(
    settings, submitted, darmstadt_clerk, client
):
    settings.EMAIL_BACKEND = FAILING
    submission = submitted.submission
    case = submission.case

    first = submission_received.call(submission.pk)
    assert first.startswith("failed, retry at")
    for attempt, minutes in enumerate(RETRY_MINUTES, start=2):
        result, job = run_latest(submission_received)
        assert job.args_kwargs["args"] == [submission.pk, attempt]
        expected = timezone.now() + timedelta(minutes=minutes)
        assert abs(job.run_after - expected) < timedelta(seconds=30)
        assert result.startswith("failed") or attempt == len(RETRY_MINUTES) + 1
    assert result == "gave up"
    # The job that gave up enqueued nothing more: three retries (the first attempt is the
    # submit's follow-up job).
    assert len(waiting_jobs(submission_received)) == len(RETRY_MINUTES)

    attempts = list(MailAttempt.objects.filter(case=case).order_by("attempt"))
    assert [a.attempt for a in attempts] == [1, 2, 3, 4]
    assert [a.outcome for a in attempts] == ["retry", "retry", "retry", "gave_up"]
    assert {a.error for a in attempts} == {"SMTPServerDisconnected"}
    assert attempts[-1].retry_at is None and all(a.retry_at for a in attempts[:-1])
    assert Submission.objects.get(pk=submission.pk).confirmation_sent_at is None
    event = AuditEvent.objects.get(action="case.mail_given_up")
    assert event.data == {
        "kind": "received",
        "object": submission.pk,
        "attempts": 4,
        "error": "SMTPServerDisconnected",
    }
    assert "erika" not in str(event.data).lower()

    login_staff(client, darmstadt_clerk)
    page = client.get(reverse("cases:detail", args=[case.uuid])).content.decode()
    assert 'id="mail-attempts"' in page and "kern-badge--danger" in page


def test_a_retry_that_gets_through_sends_once_and_records_it(settings, submitted):
    submission = submitted.submission
    settings.EMAIL_BACKEND = FAILING
    submission_received.call(submission.pk)
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result, _job = run_latest(submission_received)

    assert result == "sent"
    assert len(mail.outbox) == 1
    outcomes = list(MailAttempt.objects.order_by("attempt").values_list("attempt", "outcome"))
    assert outcomes == [(1, MailOutcome.RETRY), (2, MailOutcome.SENT)]
    assert submission_received.call(submission.pk, 3) == "already sent"
    assert len(mail.outbox) == 1 and MailAttempt.objects.count() == 2
    assert not AuditEvent.objects.filter(action="case.mail_given_up").exists()


def test_the_decision_mail_is_retried_too(settings, darmstadt_case, darmstadt_clerk):
    submission = darmstadt_case.submission
    submission.applicant_email = "erika@example.org"
    submission.save(update_fields=["applicant_email"])
    case = change_case_status(darmstadt_case, CaseStatus.IN_REVIEW, actor=darmstadt_clerk)
    decision = issue_decision(case, actor=darmstadt_clerk, outcome="approved", reasoning="Gut.")
    settings.EMAIL_BACKEND = FAILING

    result, _job = run_latest(notify_applicant_of_decision)

    assert result.startswith("failed, retry at")
    decision.refresh_from_db()
    assert decision.applicant_notified_at is None  # the record rolled back with the failure
    attempt = MailAttempt.objects.get(case=case)
    assert (attempt.kind, attempt.object_id, attempt.attempt) == ("decision", decision.pk, 1)
    retry_job = waiting_jobs(notify_applicant_of_decision)[-1]
    assert retry_job.args_kwargs["args"] == [decision.pk, 2]


def test_every_successful_send_is_recorded(submitted):
    assert submission_received.call(submitted.submission.pk) == "sent"
    (attempt,) = MailAttempt.objects.all()
    assert (attempt.case, attempt.kind, attempt.outcome) == (
        submitted.submission.case,
        "received",
        "sent",
    )


def test_a_failed_follow_up_reminder_is_retried_not_lost(settings, follow_up, monkeypatch):  # noqa: F811
    """The daily reminder goes out two days before the due date only, so without a retry
    a failed one would never be sent."""
    settings.EMAIL_BACKEND = FAILING
    result = run_on(follow_up.due_date - timedelta(days=2), monkeypatch)
    monkeypatch.undo()

    assert (result["sent"], result["failed"]) == (0, 1)
    attempt = MailAttempt.objects.get(kind="reminder")
    assert (attempt.object_id, attempt.outcome) == (follow_up.pk, MailOutcome.RETRY)
    (job,) = waiting_jobs(remind_applicant)
    assert job.args_kwargs["args"] == [follow_up.pk, 2]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run_latest(remind_applicant)[0] == "sent"
    follow_up.refresh_from_db()
    assert follow_up.reminder_sent_at is not None
    assert len(mail.outbox) == 1
