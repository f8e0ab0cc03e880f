"""The legal pages every public service needs (imprint, privacy, accessibility statement) and
the accessibility feedback mechanism BITV 2.0 § 7 requires."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from amtsweg.core.models import AccessibilityFeedback
from amtsweg.lib.mail import record_sent
from amtsweg.tenants.models import Municipality

logger = logging.getLogger(__name__)

#: When the accessibility statement was prepared and last reviewed (BITV 2.0 requires the
#: date); change it whenever the statement's content is checked again.
STATEMENT_PREPARED = date(2026, 11, 25)

#: Per browser session: enough to report several barriers, too few to flood a town hall.
FEEDBACK_PER_SESSION_PER_HOUR = 5
_SESSION_KEY = "amtsweg_feedback_sent"


def platform_contact_email() -> str:
    """Where platform-wide feedback goes: the operator's address, else the first admin."""
    configured = settings.AMTSWEG_ACCESSIBILITY_EMAIL
    if configured:
        return configured
    admins = getattr(settings, "ADMINS", [])
    return admins[0][1] if admins else ""


def feedback_allowed(request: HttpRequest) -> bool:
    """False once this session sent its hourly share; a session, not an IP address, because
    many citizens may share one address (an office, a library) and we store no IP address."""
    cutoff = timezone.now().timestamp() - 3600
    recent = [stamp for stamp in request.session.get(_SESSION_KEY, []) if stamp > cutoff]
    return len(recent) < FEEDBACK_PER_SESSION_PER_HOUR


def receive_feedback(
    request: HttpRequest, *, municipality: Municipality | None, message: str, email: str, page: str
) -> AccessibilityFeedback:
    """Store the feedback and enqueue its e-mail in one transaction, and count it against the
    session's hourly limit."""
    from amtsweg.core.tasks import forward_accessibility_feedback

    with transaction.atomic():
        feedback = AccessibilityFeedback.objects.create(
            municipality=municipality, message=message, email=email, page=page[:500]
        )
        forward_accessibility_feedback.enqueue(feedback.pk)
    cutoff = timezone.now().timestamp() - 3600
    stamps = [stamp for stamp in request.session.get(_SESSION_KEY, []) if stamp > cutoff]
    request.session[_SESSION_KEY] = [*stamps, timezone.now().timestamp()]
    return feedback


def forward_feedback(feedback_id: int) -> str:
    """Send the feedback to the responsible body's contact address; once only."""
    feedback = (
        AccessibilityFeedback.objects.select_related("municipality").filter(pk=feedback_id).first()
    )
    if feedback is None:
        return "gone"
    if feedback.sent_at is not None:
        return "already sent"
    municipality = feedback.municipality
    recipient = municipality.email if municipality else platform_contact_email()
    if not recipient:
        logger.warning("Accessibility feedback %s has no recipient address", feedback.pk)
        return "no recipient"
    where = municipality.short_name if municipality else "Amtsweg"
    # The mail goes to the authority, whose working language is German.
    body = (
        f"Rückmeldung zur Barrierefreiheit ({where}), eingegangen am "
        f"{timezone.localtime(feedback.created_at):%d.%m.%Y %H:%M} Uhr.\n\n"
        f"Seite: {feedback.page or '–'}\n"
        f"Antwort an: {feedback.email or '– (keine Adresse angegeben)'}\n\n"
        f"{feedback.message}\n\n"
        "Bitte antworten Sie innerhalb von sechs Wochen (§ 12b Abs. 2 Nr. 2 BGG bzw. "
        "Landesrecht).\n"
    )
    send_mail(
        f"Barrierefreiheit: Rückmeldung zu {where}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [recipient],
    )
    record_sent(feedback, "sent_at", timezone.now())
    return "sent"


def session_expires_in() -> int:
    """Seconds until a session saved now expires (Django renews the expiry on every save)."""
    return int(settings.SESSION_COOKIE_AGE)


def session_warning_seconds() -> int:
    """How long before the expiry the timeout warning appears (WCAG 2.2.1: at least 20 s)."""
    return settings.AMTSWEG_SESSION_WARNING_SECONDS


def extend_session(request: HttpRequest) -> timedelta:
    """Mark the session modified so Django saves it and moves its expiry forward by
    SESSION_COOKIE_AGE; writing a key also saves a session that holds nothing else yet."""
    request.session["amtsweg_extended_at"] = timezone.now().isoformat()
    return timedelta(seconds=session_expires_in())
