"""The BundID app's public door: who is logged in, how a log-in starts, completes and ends.

Other apps use ``current_citizen(request)`` (the logged-in ``CitizenIdentity`` or None),
``prefill_for(request, level)`` (what a form may prefill and lock),
``citizen_account(identity)`` (the ``Citizen`` row submissions point to) and
``login_url(level, next_url)`` (where to send someone who needs a higher trust level).
"""

import hashlib
import logging
import secrets
from datetime import UTC, datetime, timedelta
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid.binding import Incoming, Outgoing
from amtsweg.identity.bundid.identity import CitizenIdentity, Prefill
from amtsweg.identity.bundid.models import (
    Citizen,
    CitizenSession,
    LoginAttempt,
    LogoutAttempt,
    SeenAssertion,
)
from amtsweg.identity.bundid.refusals import Reason, Refused

logger = logging.getLogger(__name__)

SESSION_IDENTITY = "amtsweg_citizen"
SESSION_PENDING = "amtsweg_bundid_pending"
#: How long a citizen may take at BundID before the log-in has to start again.
ATTEMPT_LIFETIME = timedelta(minutes=15)
MAX_PENDING = 5


def sp_metadata_xml() -> str:
    """Amtsweg's SAML metadata as BundID wants it: one EntityDescriptor, no ID, no
    validUntil, the signing and encryption certificate, ACS and single logout endpoints."""
    from saml2.metadata import entity_descriptor

    from amtsweg.identity.bundid.config import sp_config

    return str(entity_descriptor(sp_config(with_idp=False)))


def current_citizen(request: HttpRequest) -> CitizenIdentity | None:
    """The citizen logged in with BundID in this session, or None."""
    return CitizenIdentity.from_session(request.session.get(SESSION_IDENTITY))


def prefill_for(request: HttpRequest, required_level: str) -> Prefill:
    """What a form of a solution needing ``required_level`` may prefill from the logged-in
    citizen, and which values it may lock (``CitizenIdentity.prefill``); nothing without a
    log-in."""
    citizen = current_citizen(request)
    if citizen is None:
        return Prefill({}, frozenset())
    return citizen.prefill(required_level)


def citizen_account(identity: CitizenIdentity | None) -> Citizen | None:
    """The ``Citizen`` row of a logged-in identity (created at log-in), or None."""
    if identity is None:
        return None
    return Citizen.objects.filter(pseudonym=identity.pseudonym).first()


def safe_next(request: HttpRequest, next_url: str | None) -> str:
    """``next_url`` when it points into this site, else the portal's home page."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("tenants:portal_home")


def login_url(required_level: str, next_url: str) -> str:
    """The explanation page that leads to a log-in at ``required_level``, then to
    ``next_url``."""
    query = urlencode({"level": required_level, "next": next_url})
    return f"{reverse('bundid:login')}?{query}"


def trust_redirect(
    request: HttpRequest, required_level: str, next_url: str
) -> HttpResponseRedirect | None:
    """Where to send a visitor whose log-in does not reach ``required_level`` (not logged in
    at all, or at a lower level): the log-in explanation, which brings them back to
    ``next_url``. None when the session is good enough (and always for level none)."""
    if required_level == TrustLevel.NONE:
        return None
    citizen = current_citizen(request)
    if citizen is not None and citizen.satisfies(required_level):
        return None
    return HttpResponseRedirect(login_url(required_level, next_url))


def start_login(request: HttpRequest, required_level: str, next_url: str) -> Outgoing:
    """Build the AuthnRequest and remember it: in the database (for the ACS, which sees no
    session cookie) and in this session (so that only this browser can complete it)."""
    from amtsweg.identity.bundid import saml

    if required_level not in TrustLevel.values or required_level == TrustLevel.NONE:
        required_level = TrustLevel.LOW
    outgoing = saml.authn_request(
        required_level, language=getattr(request, "LANGUAGE_CODE", "de") or "de"
    )
    now = timezone.now()
    LoginAttempt.objects.filter(expires_at__lt=now).delete()
    LoginAttempt.objects.create(
        request_id=outgoing.message_id,
        required_level=required_level,
        expires_at=now + ATTEMPT_LIFETIME,
    )
    pending = dict(list(request.session.get(SESSION_PENDING, {}).items())[-(MAX_PENDING - 1) :])
    pending[outgoing.message_id] = safe_next(request, next_url)
    request.session[SESSION_PENDING] = pending
    return outgoing


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def accept_response(saml_response: str) -> str:
    """Check a Response posted to the ACS; on success park the verified identity under a
    one-time token and return the token, else raise ``Refused``.

    A response whose assertion was used before is a replay, whichever browser sends it. The
    assertion id is recorded in the same transaction that completes the log-in attempt, so
    two processes receiving the same response cannot both accept it.
    """
    from amtsweg.identity.bundid import saml

    now = timezone.now()
    if SeenAssertion.objects.filter(
        assertion_id__in=saml.assertion_ids(saml_response), expires_at__gt=now
    ).exists():
        raise Refused(Reason.REPLAY, "assertion id seen before")
    request_id = saml.in_response_to(saml_response)
    attempt = LoginAttempt.objects.filter(
        request_id=request_id, expires_at__gt=now, identity__isnull=True
    ).first()
    outstanding = {attempt.request_id: ""} if attempt else {}
    verified = saml.read_response(saml_response, outstanding)
    token = secrets.token_urlsafe(32)
    # Kept at least as long as the request it answers could be outstanding.
    expires_at = max(
        datetime.fromtimestamp(verified.expires_at, UTC) if verified.expires_at else now,
        now + ATTEMPT_LIFETIME,
    )
    try:
        with transaction.atomic():
            SeenAssertion.objects.filter(expires_at__lt=now).delete()
            SeenAssertion.objects.create(assertion_id=verified.assertion_id, expires_at=expires_at)
            locked = (
                LoginAttempt.objects.select_for_update()
                .filter(request_id=verified.request_id, identity__isnull=True)
                .first()
            )
            if locked is None:
                raise Refused(Reason.IN_RESPONSE_TO, "attempt completed meanwhile")
            locked.identity = verified.identity.to_session()
            locked.token_hash = _hash(token)
            locked.save(update_fields=["identity", "token_hash"])
    except IntegrityError as error:
        raise Refused(Reason.REPLAY, "assertion id recorded concurrently") from error
    logger.info(
        "BundID log-in accepted at %s for request %s",
        verified.identity.trust_level,
        verified.request_id,
    )
    return token


def finish_login(request: HttpRequest, token: str) -> str:
    """Log the browser in with the identity parked under ``token`` and return where it goes
    next. Only the browser that started the request can finish it."""
    pending = request.session.get(SESSION_PENDING, {})
    with transaction.atomic():
        attempt = (
            LoginAttempt.objects.select_for_update()
            .filter(token_hash=_hash(token), expires_at__gt=timezone.now())
            .first()
        )
        if attempt is None or attempt.request_id not in pending or not attempt.identity:
            raise Refused(Reason.OTHER_BROWSER, "unknown token or request of another session")
        identity = CitizenIdentity.from_session(attempt.identity)
        attempt.delete()
    if identity is None:
        raise Refused(Reason.INVALID, "stored identity unreadable")
    next_url = pending.pop(attempt.request_id)
    log_in(request, identity)
    request.session[SESSION_PENDING] = pending
    return next_url


def log_in(request: HttpRequest, identity: CitizenIdentity) -> Citizen:
    """Make ``identity`` the session's citizen and record the log-in on their account.

    The session key changes (no session fixation); the session's drafts stay with it. The
    session is noted under the identity provider's NameID and SessionIndex, so that a
    LogoutRequest from the identity provider can end it later.
    """
    request.session.cycle_key()
    request.session[SESSION_IDENTITY] = identity.to_session()
    citizen, _created = Citizen.objects.update_or_create(
        pseudonym=identity.pseudonym,
        defaults={"last_login": timezone.now(), "trust_level": identity.trust_level},
    )
    if identity.name_id and request.session.session_key:
        forgotten = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        CitizenSession.objects.filter(created_at__lt=forgotten).delete()
        CitizenSession.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={
                "citizen": citizen,
                "idp_entity_id": identity.idp_entity_id,
                "name_id": identity.name_id,
                "session_index": identity.session_index,
            },
        )
    return citizen


def log_out(request: HttpRequest) -> Outgoing | None:
    """End the citizen's session here, and return the LogoutRequest that ends it at the
    identity provider too (None when there is nothing to send).

    The whole session goes, drafts included: on a shared computer the next person must not
    find the citizen's applications (a logged-in citizen's drafts stay in their account).
    The request id is kept, so that only the identity provider's answer to it counts.
    """
    identity = current_citizen(request)
    if request.session.session_key:
        CitizenSession.objects.filter(session_key=request.session.session_key).delete()
    request.session.flush()
    if identity is None:
        return None
    from amtsweg.identity.bundid import saml

    try:
        outgoing = saml.logout_request(identity)
    except Exception:  # the local log-out has happened; the identity provider's is optional
        logger.exception("Could not build the LogoutRequest")
        return None
    if outgoing is not None:
        now = timezone.now()
        LogoutAttempt.objects.filter(expires_at__lt=now).delete()
        LogoutAttempt.objects.create(
            request_id=outgoing.message_id, expires_at=now + ATTEMPT_LIFETIME
        )
    return outgoing


def logout_confirmed(message: Incoming) -> None:
    """Check the identity provider's LogoutResponse: signed by it, a success, and the answer
    to a LogoutRequest Amtsweg sent and has not seen answered; raises ``Refused`` otherwise.
    """
    from amtsweg.identity.bundid import saml

    response = saml.read_logout_response(message)
    answered = LogoutAttempt.objects.filter(
        request_id=response.in_response_to, expires_at__gt=timezone.now()
    ).delete()[0]
    if not response.in_response_to or not answered:
        raise Refused(Reason.IN_RESPONSE_TO, f"unknown request {response.in_response_to!r}")
    if not response.success:
        raise Refused(Reason.IDP_STATUS, "the identity provider reports the log-out failed")


def logout_from_identity_provider(message: Incoming) -> tuple[int, Outgoing]:
    """Single logout started at the identity provider: verify its LogoutRequest, end every
    session of that log-in (NameID, and SessionIndex where given) in whichever browser, and
    return how many ended with the signed LogoutResponse. Raises ``Refused`` for a request
    that is unsigned, altered or from another party; then nothing ends."""
    from amtsweg.identity.bundid import saml

    request, answer = saml.answer_logout_request(message)
    sessions = CitizenSession.objects.filter(idp_entity_id=request.issuer, name_id=request.name_id)
    if request.session_indexes:
        sessions = sessions.filter(session_index__in=request.session_indexes)
    keys = list(sessions.values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    CitizenSession.objects.filter(session_key__in=keys).delete()
    logger.info("Single logout from the identity provider ended %s session(s)", len(keys))
    return len(keys), answer


def is_configured() -> bool:
    """Whether an identity provider is known (BundID's metadata or the test provider)."""
    return bool(settings.AMTSWEG_SAML_IDP_METADATA or settings.AMTSWEG_TEST_IDP)
