"""The test identity provider's pages: receive the AuthnRequest, let the tester choose a
person and a trust level, answer with a signed response through the HTTP-POST binding; single
logout both ways, including "log out everywhere" for a test person."""

import logging
from types import ModuleType

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import trust
from amtsweg.identity.bundid.binding import (
    BINDING_HTTP_POST,
    BINDING_HTTP_REDIRECT,
    Outgoing,
    deliver,
    incoming,
)
from amtsweg.identity.testidp.persons import PERSONS, person

logger = logging.getLogger(__name__)
LEVELS = [TrustLevel.LOW, TrustLevel.SUBSTANTIAL, TrustLevel.HIGH]
BINDINGS = {"post": BINDING_HTTP_POST, "redirect": BINDING_HTTP_REDIRECT}


def _enabled() -> ModuleType:
    """The test identity provider's services, imported only when it is used (pysaml2 is a
    heavy import that no other page should pay for); 404 while it is switched off."""
    if not settings.AMTSWEG_TEST_IDP:
        raise Http404("The test identity provider is switched off.")
    from amtsweg.identity.testidp import services

    return services


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    services = _enabled()
    return HttpResponse(services.metadata_xml(), content_type="application/samlmetadata+xml")


def _refused(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.warning("Test identity provider refused a request: %s", error)
    return render(request, "testidp/refused.html", status=400)


@csrf_exempt  # the service provider's AuthnRequest form posts here from another origin
@never_cache
@require_POST
def single_sign_on(request: HttpRequest) -> HttpResponse:
    """First POST: the AuthnRequest, answered with the choice page. Second POST (with a
    person): the signed response, sent on to the service provider's ACS."""
    services = _enabled()
    saml_request = request.POST.get("SAMLRequest", "")
    try:
        authn = services.read_authn_request(saml_request)
    except services.RequestRefused as error:
        return _refused(request, error)
    chosen = person(request.POST.get("person", ""))
    level = request.POST.get("level", "")
    if chosen is not None and level in LEVELS:
        response = services.issue_response(authn, chosen, level)
        outgoing = Outgoing("", authn.acs_url, "SAMLResponse", response)
        return deliver(request, outgoing, request.POST.get("RelayState", ""))
    requested = authn.requested_level
    return render(
        request,
        "testidp/choose.html",
        {
            "saml_request": saml_request,
            "relay_state": request.POST.get("RelayState", ""),
            "persons": PERSONS,
            "levels": [
                {"value": lvl, "label": trust.label(lvl), "means": trust.MEANS[lvl]}
                for lvl in LEVELS
            ],
            "preselected": requested if requested in LEVELS else TrustLevel.LOW,
            "requested_label": trust.label(requested),
            "sp_entity_id": authn.sp_entity_id,
        },
    )


@csrf_exempt  # the service provider's logout messages arrive by its form or redirect
@never_cache
@require_http_methods(["GET", "POST"])
def single_logout(request: HttpRequest) -> HttpResponse:
    """The single logout endpoint (HTTP-POST and HTTP-Redirect): a LogoutRequest from the
    service provider is answered; a LogoutResponse to "log out everywhere" is checked and
    the next of the person's log-ins is logged out, until none is left."""
    services = _enabled()
    message = incoming(request)
    if message is None:
        return _refused(request, ValueError("no SAML message"))
    try:
        if message.field == "SAMLRequest":
            return deliver(request, services.answer_logout(message), message.relay_state or "")
        person_key = services.logout_answered(message)
    except services.RequestRefused as error:
        return _refused(request, error)
    binding = message.binding
    following = services.log_out_everywhere(person_key, binding)
    if following is not None:
        return deliver(request, following)
    return render(request, "testidp/logged_out.html", {"person": person(person_key)})


@never_cache
@require_http_methods(["GET", "POST"])
def log_out_everywhere(request: HttpRequest) -> HttpResponse:
    """GET: the test persons with their open log-ins. POST: log one of them out everywhere,
    sending the LogoutRequest with the chosen binding (form post or redirect)."""
    services = _enabled()
    if request.method == "POST":
        chosen = person(request.POST.get("person", ""))
        binding = BINDINGS.get(request.POST.get("binding", ""), BINDINGS["post"])
        if chosen is not None:
            outgoing = services.log_out_everywhere(chosen.key, binding)
            if outgoing is not None:
                return deliver(request, outgoing)
            return render(request, "testidp/logged_out.html", {"person": chosen})
    rows = [(candidate, len(services.active_sessions(candidate.key))) for candidate in PERSONS]
    return render(request, "testidp/log_out_everywhere.html", {"rows": rows})
