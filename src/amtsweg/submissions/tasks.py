"""Background jobs that follow a submission."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from amtsweg.submissions.models import Submission

logger = logging.getLogger(__name__)


@task()
def submission_received(submission_id: int) -> str:
    """E-mail the applicant that their application arrived (reference number, no content).

    The mail names the service, the municipality and the reference number only: the form's
    content never travels by e-mail. ``confirmation_sent_at`` makes a retried job a no-op once
    the mail has gone out.
    """
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("offering__municipality", "processing_municipality")
            .get(pk=submission_id)
        )
        if submission.confirmation_sent_at:
            return "already sent"
        if not submission.applicant_email:
            return "no e-mail address given"
        with translation.override(submission.language):
            context = {
                "submission": submission,
                "offering": submission.offering,
                "base_url": settings.BASE_URL,
            }
            subject = render_to_string("submissions/email/received_subject.txt", context).strip()
            body = render_to_string("submissions/email/received_body.txt", context)
        send_mail(subject, body, None, [submission.applicant_email])
        submission.confirmation_sent_at = timezone.now()
        submission.save(update_fields=["confirmation_sent_at", "updated_at"])
    logger.info("Sent confirmation mail for %s", submission.reference_number)
    return "sent"
