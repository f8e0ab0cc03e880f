"""The e-mails around the mailbox. None carries a message's subject, body or files: e-mail is
not a safe channel for personal data, so each says only that something new is waiting (with
the reference number and a link to log in). Each send is recorded on the message once it has
gone out, so a retried task sends nothing twice; no transaction is open while it is sent
(``lib.mail``).
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from amtsweg.cases.models import Message, MessageDirection
from amtsweg.lib.mail import record_sent, render_mail, render_staff_mail
from amtsweg.tenants.models import Membership
from amtsweg.tenants.services import CASE_WORKING_ROLES

logger = logging.getLogger(__name__)

#: The reminder goes this many days before a follow-up request's due date.
REMINDER_DAYS = 2


def _message(message_id: int) -> Message | None:
    return (
        Message.objects.select_related("case__submission", "case__municipality", "case__assignee")
        .filter(pk=message_id)
        .first()
    )


def _mailbox_url(message: Message) -> str:
    return settings.BASE_URL + reverse("citizen:mailbox", args=[message.case.submission.uuid])


def _mail_applicant(message: Message, template: str) -> str:
    submission = message.case.submission
    if not submission.applicant_email:
        return "no e-mail address given"
    context = {
        "reference_number": submission.reference_number,
        "municipality": message.case.municipality,
        "due_date": message.due_date,
        "url": _mailbox_url(message),
    }
    subject, body = render_mail(f"cases/email/{template}", context, submission.language or "de")
    send_mail(subject, body, None, [submission.applicant_email])
    return "sent"


def notify_applicant(message_id: int) -> str:
    """Tell the applicant that a message (or a follow-up request) waits in Mein Amtsweg."""
    message = _message(message_id)
    if message is None or message.direction != MessageDirection.TO_APPLICANT:
        return "no such message"
    if message.applicant_notified_at:
        return "already sent"
    result = _mail_applicant(message, "new_message")
    record_sent(message, "applicant_notified_at", timezone.now())
    return result


def _staff_recipients(message: Message) -> list[str]:
    """The assignee; without one, every active clerk and admin of the case's inbox."""
    case = message.case
    if case.assignee is not None and case.assignee.is_active and case.assignee.email:
        return [case.assignee.email]
    return sorted(
        {
            email
            for email in Membership.objects.filter(
                municipality=case.municipality,
                role__in=CASE_WORKING_ROLES,
                user__is_active=True,
            ).values_list("user__email", flat=True)
            if email
        }
    )


def notify_staff(message_id: int) -> str:
    """Tell the clerks that an answer arrived: the reference number and a link, nothing more.

    German and English in one mail, as in the deadline notice (staff have no language)."""
    message = _message(message_id)
    if message is None or message.direction != MessageDirection.TO_OFFICE:
        return "no such message"
    if message.staff_notified_at:
        return "already sent"
    recipients = _staff_recipients(message)
    if recipients:
        context: dict[str, Any] = {
            "reference_number": message.case.submission.reference_number,
            "url": settings.BASE_URL + reverse("cases:detail", args=[message.case.uuid]),
        }
        subject, body = render_staff_mail("cases/email/answer", context)
        send_mail(subject, body, None, recipients)
    record_sent(message, "staff_notified_at", timezone.now())
    return "sent" if recipients else "nobody to tell"


def reminders_due(today: date) -> QuerySet[Message]:
    """Open follow-up requests due exactly ``REMINDER_DAYS`` days from ``today``, not yet
    reminded, of open cases. A request made today is left out: its applicant has just been
    told. (A missed daily run is not caught up: a late reminder would only confuse.)"""
    start_of_today = timezone.make_aware(datetime.combine(today, time.min))
    return Message.objects.open_follow_ups().filter(
        reminder_sent_at__isnull=True,
        due_date=today + timedelta(days=REMINDER_DAYS),
        case__closed_at__isnull=True,
        created_at__lt=start_of_today,
    )


def send_reminder(message_id: int) -> str:
    """Remind the applicant of one open follow-up request; once, recorded on the message."""
    message = _message(message_id)
    if message is None or message.reminder_sent_at or not message.awaits_answer:
        return "skipped"
    result = _mail_applicant(message, "reminder")
    record_sent(message, "reminder_sent_at", timezone.now())
    return result


def send_follow_up_reminders(
    today: date, send: Callable[[int], str] = send_reminder
) -> dict[str, Any]:
    """Remind applicants of follow-up requests due soon, each through ``send`` (the task
    passes one that retries a failed mail later, ``cases.mail_delivery``)."""
    sent = skipped = failed = 0
    for message_id in list(reminders_due(today).values_list("pk", flat=True)):
        try:
            result = send(message_id)
        except OSError:
            logger.exception("Follow-up reminder for message %s could not be sent", message_id)
            result = "failed"
        if result == "sent":
            sent += 1
        elif result.startswith("failed") or result == "gave up":
            failed += 1
        else:
            skipped += 1
    return {"day": today.isoformat(), "sent": sent, "skipped": skipped, "failed": failed}
