"""Single logout messages (SAML 2.0 Single Logout Profile) for either side, with pysaml2.

The same checks hold whether Amtsweg (service provider) reads the identity provider's
messages or the bundled test identity provider reads Amtsweg's: a LogoutRequest or
LogoutResponse must be signed by its issuer's key from the metadata (an XML signature with
HTTP-POST, the query signature with HTTP-Redirect), addressed to this entity's single logout
endpoint and issued recently; pysaml2 alone would accept an unsigned one. ``entity`` is the
pysaml2 ``Saml2Client`` or ``Server`` reading or sending.
"""

import base64
from dataclasses import dataclass
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.entity import Entity
from saml2.request import LogoutRequest
from saml2.response import LogoutResponse, StatusError
from saml2.saml import NameID
from saml2.sigver import verify_redirect_signature

from amtsweg.identity.bundid.binding import Incoming, Outgoing
from amtsweg.identity.bundid.config import ALGORITHMS
from amtsweg.identity.bundid.refusals import Reason, Refused

SERVICE = "single_logout_service"
#: The algorithm keywords of pysaml2's message builders (their names differ from the config's).
ALGORITHMS_FOR_MESSAGES = {
    "sign_alg": ALGORITHMS["signing_algorithm"],
    "digest_alg": ALGORITHMS["digest_algorithm"],
}


@dataclass(frozen=True)
class ReadRequest:
    """A verified LogoutRequest: who asks, for whom (NameID), which of their sessions."""

    message: Any  # saml2.samlp.LogoutRequest, for the answer
    issuer: str
    name_id: str
    session_indexes: list[str]


@dataclass(frozen=True)
class ReadResponse:
    """A verified LogoutResponse: who answers, to which request, and whether it succeeded."""

    issuer: str
    in_response_to: str
    success: bool


def _context(entity: Entity) -> str:
    return "sp" if entity.entity_type == "sp" else "idp"


def _peer_descriptor(entity: Entity) -> str:
    return "idpsso" if entity.entity_type == "sp" else "spsso"


def _check_issuer(entity: Entity, message: Incoming, issuer: str, *, peer: str, kind: str) -> None:
    """Refuse a ``kind`` message not issued by ``peer``, or sent by HTTP-Redirect without the
    issuer's query signature (HTTP-POST messages carry an XML signature checked on loading)."""
    if issuer != peer:
        raise Refused(Reason.SIGNATURE, f"{kind} issued by {issuer!r}, not {peer!r}")
    if message.binding == BINDING_HTTP_REDIRECT and not _redirect_signed(entity, message, issuer):
        raise Refused(Reason.SIGNATURE, f"HTTP-Redirect {kind} without a valid signature")


def _redirect_signed(entity: Entity, message: Incoming, issuer: str) -> bool:
    """Whether the query signature of an HTTP-Redirect message is the issuer's."""
    if not message.sig_alg or not message.signature:
        return False
    signed = {message.field: message.message, "SigAlg": message.sig_alg}
    if message.relay_state is not None:
        signed["RelayState"] = message.relay_state
    signed["Signature"] = message.signature
    certificates = entity.metadata.certs(issuer, "any", "signing")
    try:
        return any(
            verify_redirect_signature(signed, entity.sec.sec_backend, certificate)
            for _name, certificate in certificates
        )
    except Exception:  # an unknown algorithm or a garbled signature: not signed by the issuer
        return False


def read_request(entity: Entity, message: Incoming, *, peer: str) -> ReadRequest:
    """Verify a LogoutRequest from ``peer`` (the only party allowed to end sessions here)."""
    if message.field != "SAMLRequest":
        raise Refused(Reason.MALFORMED, "not a SAMLRequest")
    receivers = entity.config.endpoint(SERVICE, message.binding, _context(entity))
    request = LogoutRequest(
        entity.sec,
        receivers,
        entity.config.attribute_converters,
        entity.config.accepted_time_diff or 0,
    )
    redirect = message.binding == BINDING_HTTP_REDIRECT
    try:
        xml = entity.unravel(message.message, message.binding, LogoutRequest.msgtype)
        # With HTTP-POST the XML signature is required; with HTTP-Redirect the query's.
        request.loads(xml, message.binding, origdoc=message.message, must=not redirect)
    except Exception as error:
        raise _unreadable(error) from error
    issuer = request.sender()
    _check_issuer(entity, message, issuer, peer=peer, kind="LogoutRequest")
    try:
        valid = request.verify()
    except Exception as error:  # wrong destination or SAML version
        raise Refused(Reason.RECIPIENT, str(error)) from error
    if not valid:
        raise Refused(Reason.EXPIRED, "LogoutRequest issued too long ago or in the future")
    name_id = request.message.name_id
    if name_id is None or not (name_id.text or "").strip():
        raise Refused(Reason.MALFORMED, "LogoutRequest without a NameID")
    return ReadRequest(
        message=request.message,
        issuer=issuer,
        name_id=name_id.text.strip(),
        session_indexes=[
            index.text.strip() for index in request.message.session_index or [] if index.text
        ],
    )


def _unreadable(error: Exception) -> Refused:
    """The refusal for a message pysaml2 could not load: a signature problem, or garbage."""
    detail = f"{type(error).__name__}: {error}"
    return Refused(Reason.SIGNATURE if "sign" in detail.lower() else Reason.MALFORMED, detail)


def read_response(entity: Entity, message: Incoming, *, peer: str) -> ReadResponse:
    """Verify a LogoutResponse from ``peer``; a response that reports failure is returned
    with ``success=False`` (it is genuine, only the log-out there did not happen)."""
    if message.field != "SAMLResponse":
        raise Refused(Reason.MALFORMED, "not a SAMLResponse")
    redirect = message.binding == BINDING_HTTP_REDIRECT
    response = LogoutResponse(
        entity.sec,
        return_addrs=entity.config.endpoint(SERVICE, message.binding, _context(entity)),
        timeslack=entity.config.accepted_time_diff or 0,
    )
    response.require_signature = not redirect
    try:
        xml = entity.unravel(message.message, message.binding, LogoutResponse.msgtype)
        response = response.loads(xml, False, origxml=xml)
    except Exception as error:
        raise _unreadable(error) from error
    issuer = response.issuer()
    _check_issuer(entity, message, issuer, peer=peer, kind="LogoutResponse")
    try:
        valid = response.verify()
        success = True
    except StatusError:
        valid, success = True, False
    if not valid:
        raise Refused(Reason.RECIPIENT, "LogoutResponse for another endpoint or out of time")
    return ReadResponse(issuer, response.in_response_to or "", success)


def _peer_endpoint(entity: Entity, peer: str, binding: str) -> str | None:
    services = entity.metadata.single_logout_service(peer, binding, _peer_descriptor(entity))
    return services[0]["location"] if services else None


def _encode(
    entity: Entity,
    binding: str,
    message_id: str,
    xml: str,
    destination: str,
    field: str,
    relay_state: str,
) -> Outgoing:
    if binding == BINDING_HTTP_REDIRECT:
        info = entity.apply_binding(
            binding,
            xml,
            destination,
            relay_state,
            response=field == "SAMLResponse",
            sign=True,
            sigalg=ALGORITHMS["signing_algorithm"],
        )
        location = dict(info["headers"])["Location"]
        return Outgoing(message_id, destination, field, "", redirect_url=location)
    encoded = base64.b64encode(xml.encode("utf-8")).decode("ascii")
    return Outgoing(message_id, destination, field, encoded)


def send_request(
    entity: Entity,
    peer: str,
    name_id: NameID,
    session_indexes: list[str],
    *,
    binding: str = BINDING_HTTP_POST,
    relay_state: str = "",
) -> Outgoing | None:
    """A signed LogoutRequest to ``peer`` with ``binding`` (HTTP-POST when the peer has no
    endpoint for it); None when the peer has no single logout endpoint at all."""
    for candidate in (binding, BINDING_HTTP_POST, BINDING_HTTP_REDIRECT):
        destination = _peer_endpoint(entity, peer, candidate)
        if destination:
            binding = candidate
            break
    else:
        return None
    request_id, request = entity.create_logout_request(
        destination,
        peer,
        name_id=name_id,
        session_indexes=session_indexes or None,
        sign=binding == BINDING_HTTP_POST,  # the Redirect binding signs the query instead
        **ALGORITHMS_FOR_MESSAGES,
    )
    xml = request if isinstance(request, str) else str(request)
    return _encode(entity, binding, request_id, xml, destination, "SAMLRequest", relay_state)


def send_response(
    entity: Entity,
    request: ReadRequest,
    binding: str,
    *,
    relay_state: str = "",
) -> Outgoing:
    """The signed LogoutResponse (status Success) to a verified request, back with the
    request's binding where the peer has an endpoint for it, else with HTTP-POST. Success
    also when no session was left to end: the peer's wish, no session here, holds."""
    if not _peer_endpoint(entity, request.issuer, binding):
        binding = BINDING_HTTP_POST
    response = entity.create_logout_response(
        request.message,
        [binding],
        sign=binding == BINDING_HTTP_POST,
        **ALGORITHMS_FOR_MESSAGES,
    )
    xml = response if isinstance(response, str) else str(response)
    destination = _peer_endpoint(entity, request.issuer, binding) or ""
    return _encode(entity, binding, "", xml, destination, "SAMLResponse", relay_state)
