"""Resume links: how an applicant continues a draft later, on this or another device.

An anonymous applicant owns a draft through their browser session (``drafts.py``); a citizen
logged in with BundID owns theirs through their account and needs no token. To leave
and come back, they have a link e-mailed to them; it carries a secret token of 256 bits, and
the database keeps only a keyed hash of it, like the access codes in ``reference.py``. The
link works as often as needed, on any device, until the draft is submitted or expires: mail
scanners that open links before the applicant does must not use it up, and the applicant may
start on the phone and finish at the desk.
"""

import hashlib
import hmac
import secrets

from django.conf import settings
from django.urls import reverse

from amtsweg.submissions.models import ResumeLink, Submission, SubmissionStatus

#: Longer input is no token of ours; refuse it before hashing.
_MAX_TOKEN_LENGTH = 100


def new_resume_token() -> str:
    return secrets.token_urlsafe(32)


def hash_resume_token(token: str) -> str:
    """A keyed hash of the token; the prefix keeps it apart from hashes of other secrets."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"resume-link:{token}".encode(), hashlib.sha256
    ).hexdigest()


def resume_url_for(draft: Submission, *, token: str) -> str:
    """The absolute address that continues ``draft``, for an e-mail.

    A draft of a citizen logged in with BundID belongs to their account: its address is the
    draft in "Mein Amtsweg", which asks for the log-in, so the e-mail (and the token) opens
    nothing by itself. Every other draft continues through the token.
    """
    if draft.citizen_id is not None:
        return f"{settings.BASE_URL}{reverse('citizen:resume_draft', args=[draft.uuid])}"
    return f"{settings.BASE_URL}{reverse('submissions:resume', args=[token])}"


def find_resumable_draft(token: str) -> Submission | None:
    """The open draft a resume link's token belongs to; None for an unknown or mistyped
    token, a submitted application or an expired draft."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    link = (
        ResumeLink.objects.filter(
            token_hash=hash_resume_token(token), submission__status=SubmissionStatus.DRAFT
        )
        .select_related("submission__offering__municipality", "submission__solution_version")
        .first()
    )
    if link is None or link.submission.is_expired():
        return None
    return link.submission
