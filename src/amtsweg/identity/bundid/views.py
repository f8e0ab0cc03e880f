"""BundID log-in pages and SAML endpoints: metadata, log-in (explanation, then the
AuthnRequest), the assertion consumer service, the hand-over into the session, log-out and
single logout in both directions."""

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import services, trust
from amtsweg.identity.bundid.binding import deliver, incoming
from amtsweg.identity.bundid.refusals import (
    LOGOUT_MESSAGES,
    LOGOUT_UNREADABLE,
    MESSAGES,
    NotConfigured,
    Reason,
    Refused,
)

logger = logging.getLogger(__name__)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The metadata to hand to BundID (README "Register with BundID")."""
    return HttpResponse(services.sp_metadata_xml(), content_type="application/samlmetadata+xml")


def _requested_level(request: HttpRequest) -> str:
    level = request.GET.get("level") or request.POST.get("level") or TrustLevel.LOW
    return level if level in TrustLevel.values and level != TrustLevel.NONE else TrustLevel.LOW


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """GET: say why a log-in is needed and at which level. POST: send the AuthnRequest."""
    level = _requested_level(request)
    next_url = services.safe_next(request, request.GET.get("next") or request.POST.get("next"))
    citizen = services.current_citizen(request)
    if not services.is_configured():
        return render(request, "bundid/not_configured.html", status=503)
    if request.method == "POST":
        try:
            outgoing = services.start_login(request, level, next_url)
        except NotConfigured:
            return render(request, "bundid/not_configured.html", status=503)
        return deliver(request, outgoing)
    context = {
        "level": level,
        "level_label": trust.label(level),
        "means": [str(trust.MEANS[lvl]) for lvl in trust.ORDER if lvl in trust.MEANS][
            trust.rank(level) - 1 :
        ],
        "next": next_url,
        "citizen": citizen,
        "citizen_level_label": trust.label(citizen.trust_level) if citizen else "",
        "enough": citizen is not None and citizen.satisfies(level),
    }
    return render(request, "bundid/login.html", context)


def _refused(request: HttpRequest, refusal: Refused) -> HttpResponse:
    logger.warning("BundID response refused (%s): %s", refusal.reason, refusal.detail)
    what, todo = MESSAGES.get(refusal.reason, MESSAGES[Reason.INVALID])
    return render(
        request,
        "bundid/refused.html",
        {"reason": refusal.reason, "what": what, "todo": todo},
        status=403 if refusal.reason != Reason.MALFORMED else 400,
    )


def _logout_refused(request: HttpRequest, refusal: Refused) -> HttpResponse:
    logger.warning("BundID logout message refused (%s): %s", refusal.reason, refusal.detail)
    return render(
        request,
        "bundid/logout_refused.html",
        {
            "reason": refusal.reason,
            "what": LOGOUT_MESSAGES.get(refusal.reason, LOGOUT_UNREADABLE),
        },
        status=403 if refusal.reason != Reason.MALFORMED else 400,
    )


@csrf_exempt  # the identity provider's form posts here; the SAML checks replace the token
@never_cache
@require_POST
def acs(request: HttpRequest) -> HttpResponse:
    """Assertion consumer service (HTTP-POST binding)."""
    saml_response = request.POST.get("SAMLResponse", "")
    if not saml_response:
        return _refused(request, Refused(Reason.MALFORMED, "no SAMLResponse"))
    try:
        token = services.accept_response(saml_response)
    except Refused as refusal:
        return _refused(request, refusal)
    except NotConfigured:
        return render(request, "bundid/not_configured.html", status=503)
    return redirect("bundid:finish", token=token)


@never_cache
@require_GET
def finish(request: HttpRequest, token: str) -> HttpResponse:
    """Take the verified log-in into this browser's session and go back where the citizen
    was. A separate step because the ACS request carries no (SameSite) session cookie."""
    try:
        next_url = services.finish_login(request, token)
    except Refused as refusal:
        return _refused(request, refusal)
    return redirect(next_url)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the session here and at the identity provider (SP-initiated single logout)."""
    outgoing = services.log_out(request)
    if outgoing is None:
        messages.info(request, _("You are logged out."))
        return redirect("tenants:portal_home")
    return deliver(request, outgoing)


@csrf_exempt  # the identity provider's messages arrive by its own form or redirect
@never_cache
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """Single logout endpoint (HTTP-POST and HTTP-Redirect).

    A LogoutResponse answers a log-out started here: the local session has already ended, the
    answer is checked so that a failure at the identity provider is said. A LogoutRequest
    starts at the identity provider ("log out everywhere"): after its checks, every session of
    that log-in ends, and the signed LogoutResponse goes back.
    """
    message = incoming(request)
    if message is None:
        return _logout_refused(request, Refused(Reason.MALFORMED, "no SAML message"))
    try:
        if message.field == "SAMLRequest":
            _ended, answer = services.logout_from_identity_provider(message)
            return deliver(request, answer, message.relay_state or "")
        services.logout_confirmed(message)
    except Refused as refusal:
        return _logout_refused(request, refusal)
    except NotConfigured:
        return render(request, "bundid/not_configured.html", status=503)
    messages.info(request, _("You are logged out."))
    return redirect(reverse("tenants:portal_home"))
