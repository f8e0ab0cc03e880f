"""Notification e-mails that survive a mail server's bad minute: every attempt is recorded,
a failed one is tried again after 1, 5 and 30 minutes, then given up and shown to the clerks.

The sending functions (``message_mail.notify_applicant`` and the like) stay as they are: each
sends with no transaction open and records the send on its row only once the mail has gone
(``lib.mail``), so a failure records nothing and a retry sends once. ``deliver`` wraps them for
their tasks: it catches the failure, records the attempt (with the error's type and SMTP code,
never the mail's content or recipient) and enqueues the same task again to run later
(django-tasks' ``run_after``), in one transaction. A backend that cannot run tasks later (the
immediate one, for experiments) gives up at once rather than retrying in a loop.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from amtsweg.audit.services import record_event
from amtsweg.cases.models import Case, Decision, MailAttempt, MailKind, MailOutcome, Message

logger = logging.getLogger(__name__)

#: Minutes before the 2nd, 3rd and 4th attempt; the 4th failure gives up.
RETRY_MINUTES = (1, 5, 30)


def case_of(kind: str, object_id: int) -> Case | None:
    """The case a notification belongs to (None when its object has gone meanwhile)."""
    cases = Case.objects.select_related("municipality")
    if kind == MailKind.RECEIVED:
        return cases.filter(submission_id=object_id).first()
    if kind in (MailKind.MESSAGE, MailKind.ANSWER, MailKind.REMINDER):
        return cases.filter(pk__in=Message.objects.filter(pk=object_id).values("case_id")).first()
    return cases.filter(pk__in=Decision.objects.filter(pk=object_id).values("case_id")).first()


def _error_text(error: BaseException) -> str:
    """What went wrong without personal data: the exception's type and the SMTP code."""
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}" + (f" (SMTP {code})" if code else "")


def deliver(
    kind: str,
    object_id: int,
    attempt: int,
    send: Callable[[int], str],
    retry: Task,
) -> str:
    """Run ``send(object_id)`` as attempt number ``attempt`` and record how it went; on a
    failure of the connection or the server, schedule ``retry`` or give up."""
    try:
        result = send(object_id)
    except (OSError, smtplib.SMTPException) as error:
        return _failed(kind, object_id, attempt, error, retry)
    if result == "sent" and (case := case_of(kind, object_id)) is not None:
        MailAttempt.objects.create(
            case=case, kind=kind, object_id=object_id, attempt=attempt, outcome=MailOutcome.SENT
        )
    return result


def _failed(kind: str, object_id: int, attempt: int, error: BaseException, retry: Task) -> str:
    case = case_of(kind, object_id)
    if case is None:
        return "gone"
    error_text = _error_text(error)
    logger.warning("E-mail %s %s, attempt %d failed: %s", kind, object_id, attempt, error_text)
    can_retry = attempt <= len(RETRY_MINUTES) and retry.get_backend().supports_defer
    with transaction.atomic():
        if can_retry:
            retry_at = timezone.now() + timedelta(minutes=RETRY_MINUTES[attempt - 1])
            MailAttempt.objects.create(
                case=case,
                kind=kind,
                object_id=object_id,
                attempt=attempt,
                outcome=MailOutcome.RETRY,
                error=error_text,
                retry_at=retry_at,
            )
            retry.using(run_after=retry_at).enqueue(object_id, attempt + 1)
            return f"failed, retry at {retry_at.isoformat()}"
        MailAttempt.objects.create(
            case=case,
            kind=kind,
            object_id=object_id,
            attempt=attempt,
            outcome=MailOutcome.GAVE_UP,
            error=error_text,
        )
        record_event(
            "case.mail_given_up",
            case,
            actor_label="system",
            chain=case.municipality.ags,
            data={"kind": kind, "object": object_id, "attempts": attempt, "error": error_text},
        )
    logger.error("E-mail %s %s given up after %d attempts", kind, object_id, attempt)
    return "gave up"
