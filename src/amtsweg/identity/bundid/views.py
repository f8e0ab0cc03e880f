"""BundID log-in pages and SAML endpoints: metadata, log-in (explanation, then the
AuthnRequest), the assertion consumer service, the hand-over into the session, log-out."""

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
from amtsweg.identity.bundid.binding import Outgoing
from amtsweg.identity.bundid.refusals import MESSAGES, NotConfigured, Reason, Refused

logger = logging.getLogger(__name__)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The metadata to hand to BundID (README "Register with BundID")."""
    return HttpResponse(services.sp_metadata_xml(), content_type="application/samlmetadata+xml")


def _post_to(request: HttpRequest, outgoing: Outgoing, relay_state: str = "") -> HttpResponse:
    """The HTTP-POST binding: a form the browser submits by itself (a button without JS)."""
    return render(
        request,
        "bundid/post_binding.html",
        {"outgoing": outgoing, "relay_state": relay_state},
    )


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
        return _post_to(request, outgoing)
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
    return _post_to(request, outgoing)


@csrf_exempt  # the identity provider's LogoutResponse arrives by its own form
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """Where the identity provider answers a LogoutRequest. The local session has already
    ended; a request from the identity provider ends it too."""
    data = request.POST if request.method == "POST" else request.GET
    if "SAMLResponse" in data and not services.logout_confirmed(data["SAMLResponse"]):
        logger.warning("BundID LogoutResponse not confirmed")
    if services.current_citizen(request) is not None:
        request.session.flush()
    messages.info(request, _("You are logged out."))
    return redirect(reverse("tenants:portal_home"))
