"""SAML messages on their way through the browser: HTTP-POST (an auto-submitting form) or
HTTP-Redirect (a signed query string), out and in."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

# pysaml2's names for the two bindings, spelled out: importing pysaml2 is slow, and every page
# that shows the log-out button imports this module.
BINDING_HTTP_POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BINDING_HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


@dataclass(frozen=True)
class Outgoing:
    """What the browser carries to the other party: with HTTP-POST, the form posts ``field``
    (SAMLRequest or SAMLResponse) with the base64 message to ``destination``; with
    HTTP-Redirect, ``redirect_url`` holds the whole signed address instead."""

    message_id: str
    destination: str
    field: str
    value: str
    redirect_url: str = ""


@dataclass(frozen=True)
class Incoming:
    """A SAML message as it arrived: the encoded message and, for HTTP-Redirect, the query
    signature (``sig_alg``, ``signature``) that stands in for an XML signature."""

    binding: str
    field: str
    message: str
    relay_state: str | None = None
    sig_alg: str | None = None
    signature: str | None = None


def incoming(request: HttpRequest) -> Incoming | None:
    """The SAMLRequest or SAMLResponse of a request (POST form or GET query), or None."""
    is_post = request.method == "POST"
    data = request.POST if is_post else request.GET
    field = next((name for name in ("SAMLRequest", "SAMLResponse") if data.get(name)), None)
    if field is None:
        return None
    return Incoming(
        binding=BINDING_HTTP_POST if is_post else BINDING_HTTP_REDIRECT,
        field=field,
        message=data[field],
        relay_state=data.get("RelayState"),
        sig_alg=None if is_post else data.get("SigAlg"),
        signature=None if is_post else data.get("Signature"),
    )


def deliver(request: HttpRequest, outgoing: Outgoing, relay_state: str = "") -> HttpResponse:
    """Send ``outgoing`` on through the browser: a redirect, or a form that submits itself
    (a button without JavaScript)."""
    if outgoing.redirect_url:
        return HttpResponseRedirect(outgoing.redirect_url)
    return render(
        request, "bundid/post_binding.html", {"outgoing": outgoing, "relay_state": relay_state}
    )
