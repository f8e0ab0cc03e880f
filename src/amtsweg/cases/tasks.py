"""Jobs of the back office: daily deadline notices, the retention deletion, the mailbox's
e-mails (retried on failure, ``cases.mail_delivery``) and the daily follow-up reminders."""

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from amtsweg.cases import message_mail
from amtsweg.cases.mail_delivery import deliver
from amtsweg.cases.models import MailKind
from amtsweg.cases.notices import send_deadline_notices
from amtsweg.cases.retention import delete_personal_data, expired_cases
from amtsweg.scheduling.services import periodic

logger = logging.getLogger(__name__)


@periodic(every=timedelta(days=1), name="cases.deadline_notices")
@task()
def deadline_notices() -> dict[str, Any]:
    """E-mail every clerk the reference numbers of their cases due within two days and
    overdue; at most once per clerk and day, however often it runs."""
    result = send_deadline_notices(timezone.localdate())
    logger.info("Deadline notices: %s", result)
    return result


@periodic(every=timedelta(days=1), name="cases.delete_expired_personal_data")
@task()
def delete_expired_personal_data() -> dict[str, Any]:
    """Delete the personal data of closed cases whose retention ended (DESIGN rule 5) and say
    what was deleted: per case the reference number and counts, never the content."""
    now = timezone.now()
    deleted = []
    for case_id in list(expired_cases(now).values_list("pk", flat=True)):
        summary = delete_personal_data(case_id, now)
        if summary is not None:
            deleted.append(summary)
            logger.info(
                "Deleted personal data of case %s: %s", summary["reference_number"], summary
            )
    logger.info("Deleted the personal data of %d case(s)", len(deleted))
    return {"cases": len(deleted), "deleted": deleted, "expired_before": now.isoformat()}


@task()
def notify_applicant_of_message(message_id: int, attempt: int = 1) -> str:
    """E-mail the applicant that a message waits in Mein Amtsweg (no content); retried later
    when the mail server fails (``cases.mail_delivery``)."""
    return deliver(
        MailKind.MESSAGE,
        message_id,
        attempt,
        message_mail.notify_applicant,
        notify_applicant_of_message,
    )


@task()
def notify_staff_of_answer(message_id: int, attempt: int = 1) -> str:
    """E-mail the assignee (or the inbox's clerks) that an answer arrived (no content)."""
    return deliver(
        MailKind.ANSWER, message_id, attempt, message_mail.notify_staff, notify_staff_of_answer
    )


@periodic(every=timedelta(days=1), name="cases.follow_up_reminders")
@task()
def follow_up_reminders() -> dict[str, Any]:
    """Remind applicants two days before a follow-up request is due; once per request."""
    result = message_mail.send_follow_up_reminders(
        timezone.localdate(), send=remind_applicant.call
    )
    logger.info("Follow-up reminders: %s", result)
    return result


@task()
def remind_applicant(message_id: int, attempt: int = 1) -> str:
    """One follow-up reminder; a failing mail server gets it again later."""
    return deliver(
        MailKind.REMINDER, message_id, attempt, message_mail.send_reminder, remind_applicant
    )


@task()
def notify_applicant_of_decision(decision_id: int, attempt: int = 1) -> str:
    """E-mail the applicant that a decision is waiting (no content, a link only)."""
    from amtsweg.cases import decisions  # decisions enqueues this task: import it late

    return deliver(
        MailKind.DECISION,
        decision_id,
        attempt,
        decisions.notify_applicant,
        notify_applicant_of_decision,
    )
