"""Background jobs that follow a submission."""

import logging
from collections import Counter
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from amtsweg.audit.services import record_event
from amtsweg.cases.mail_delivery import deliver
from amtsweg.cases.models import MailKind
from amtsweg.catalog.models import Offering
from amtsweg.documents.tasks import generate_receipt
from amtsweg.lib.mail import record_sent, render_mail
from amtsweg.scheduling.services import job_for, periodic
from amtsweg.submissions.models import ResumeLink, Submission
from amtsweg.submissions.resume import hash_resume_token, new_resume_token, resume_url_for

logger = logging.getLogger(__name__)


@task()
def follow_up_submission(submission_id: int) -> dict[str, str]:
    """The submit's one job: the receipt PDF, then the confirmation mail.

    One job row per submit instead of one per follow-up: a row less in the submit's transaction
    and a job less for the worker to claim and finish (issue 9). The receipt comes first: it is
    what the applicant waits for, and its pending row is not retried by anyone else while this
    job exists, so a slow or silent mail server must not hold it up. The mail is sent even when
    the receipt raises. Each part keeps its own retries: a failed mail is tried again by
    ``submission_received`` jobs of its own (``cases.mail_delivery``; ``EMAIL_TIMEOUT`` turns a
    server that never answers into such a failure), a failed receipt by
    ``documents.retry_missing_receipts``.
    """
    try:
        receipt = generate_receipt.call(submission_id)
    finally:
        mail = submission_received.call(submission_id)
    return {"mail": mail, "receipt": receipt}


@task()
def submission_received(submission_id: int, attempt: int = 1) -> str:
    """E-mail the applicant that their application arrived; a failing mail server gets the
    mail again later, every attempt recorded with the case (``cases.mail_delivery``)."""
    return deliver(
        MailKind.RECEIVED, submission_id, attempt, send_confirmation, submission_received
    )


def send_confirmation(submission_id: int) -> str:
    """E-mail the applicant that their application arrived (reference number, no content).

    The mail names the service, the municipality and the reference number only: the form's
    content never travels by e-mail. ``confirmation_sent_at`` makes a retried job a no-op once
    the mail has gone out. The mail is sent with no transaction open (``lib.mail``).
    """
    submission = (
        Submission.objects.select_related("offering__municipality", "processing_municipality")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return "gone"
    if submission.confirmation_sent_at:
        return "already sent"
    if not submission.applicant_email:
        return "no e-mail address given"
    context = {
        "submission": submission,
        "offering": submission.offering,
        "base_url": settings.BASE_URL,
    }
    subject, body = render_mail("submissions/email/received", context, submission.language)
    send_mail(subject, body, None, [submission.applicant_email])
    now = timezone.now()
    record_sent(submission, "confirmation_sent_at", now, updated_at=now)
    logger.info("Sent confirmation mail for %s", submission.reference_number)
    return "sent"


@task()
def send_resume_link(link_id: int) -> str:
    """E-mail the link that continues a draft: service, municipality, expiry and link only.

    The secret token is made here, its hash stored and the plain token put only into the mail,
    so neither the database nor the task queue ever holds a working link. ``sent_at`` makes a
    retried job a no-op once the mail has gone out; it is sent with no transaction open
    (``lib.mail``), after the hash is stored, so that the mailed link works even when
    recording the send fails (a retry then sends a new link, which replaces the first).
    """
    link = (
        ResumeLink.objects.select_related("submission__offering__municipality")
        .filter(pk=link_id)
        .first()
    )
    if link is None:
        return "gone with its draft"
    if link.sent_at:
        return "already sent"
    draft = link.submission
    if draft.is_submitted or draft.is_expired():
        return "draft no longer open"
    token = new_resume_token()
    context = {
        "offering": draft.offering,
        "municipality": draft.offering.municipality,
        "expires_at": draft.draft_expires_at,
        "draft_days": settings.AMTSWEG_DRAFT_DAYS,
        "resume_url": resume_url_for(draft, token=token),
    }
    subject, body = render_mail("submissions/email/resume", context, link.language)
    # The token's hash is stored before the mail goes: a link that is mailed always works.
    unsent = ResumeLink.objects.filter(pk=link.pk, sent_at__isnull=True)
    if not unsent.update(token_hash=hash_resume_token(token)):
        return "already sent"
    send_mail(subject, body, None, [link.email])
    record_sent(link, "sent_at", timezone.now())
    logger.info("Sent resume link %s for draft %s", link.pk, draft.uuid)
    return "sent"


#: Drafts deleted per statement, so that the list of ids stays within every database's limits.
_DELETE_BATCH = 500


@periodic(every=timedelta(days=1), name="submissions.delete_expired_drafts")
@task()
def delete_expired_drafts() -> dict[str, Any]:
    """Delete the drafts whose time is up and say what was deleted (DESIGN rule 5).

    Only drafts: a submitted application is never deleted here, whatever its dates say. Drafts
    that another transaction holds right now are skipped (an applicant is saving a step, which
    moves the expiry on); tomorrow's run finds them if they still are expired. One audit event
    on the platform chain records the counts per offering, and no personal data.
    """
    now = timezone.now()
    with transaction.atomic():
        expired = list(
            Submission.objects.expired_drafts(now)
            .select_for_update(of=("self",), skip_locked=True)
            .values_list("pk", "offering_id")
        )
        ids = [pk for pk, _offering_id in expired]
        for start in range(0, len(ids), _DELETE_BATCH):
            # Only the key: the deletion needs no answers, so none are read and decrypted (a
            # busy day leaves tens of thousands of drafts; decrypting took most of the time).
            batch = Submission.objects.filter(pk__in=ids[start : start + _DELETE_BATCH])
            batch.only("pk").delete()
        counts = Counter(offering_id for _pk, offering_id in expired)
        offerings = Offering.objects.select_related("municipality").in_bulk(list(counts))
        by_offering = [
            {
                "offering": str(offerings[offering_id].uuid),
                "municipality": offerings[offering_id].municipality.ags,
                "count": count,
            }
            for offering_id, count in sorted(counts.items())
        ]
        result: dict[str, Any] = {
            "deleted": len(ids),
            "expired_before": now.isoformat(),
            "by_offering": by_offering,
        }
        record_event(
            "submissions.expired_drafts_deleted",
            job_for(delete_expired_drafts),
            actor_label="scheduler",
            data=result,
        )
    for offering_id, count in sorted(counts.items()):
        offering = offerings[offering_id]
        logger.info(
            "Deleted %d expired draft(s) of %s (%s, %s)",
            count,
            offering.title,
            offering.municipality.short_name,
            offering.uuid,
        )
    logger.info("Deleted %d expired draft(s) in all", len(ids))
    return result
