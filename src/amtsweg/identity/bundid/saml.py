"""The SAML messages of Amtsweg as a BundID service provider, built and checked with pysaml2.

``authn_request`` builds the signed AuthnRequest BundID expects (HTTP-POST binding, the
``akdb:AuthenticationRequest`` extension in version 2, RequestedAuthnContext with a STORK
level and ``Comparison="minimum"``). ``read_response`` checks a Response completely —
signature, audience, time window, recipient, InResponseTo — and either returns the verified
assertion (with each attribute's ``akdb:TrustLevel``) or raises ``Refused`` naming the check
that failed. Single logout is in ``slo``; ``logout_request``, ``answer_logout_request`` and
``read_logout_response`` apply it to BundID.
"""

import base64
import binascii
import calendar
from dataclasses import dataclass
from typing import Any

from defusedxml import ElementTree
from django.conf import settings
from saml2 import BINDING_HTTP_POST, ExtensionElement, samlp
from saml2.client import Saml2Client
from saml2.response import StatusError, UnsolicitedResponse, VerificationError
from saml2.saml import NAMEID_FORMAT_TRANSIENT, AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import SignatureError, SigverError
from saml2.time_util import str_to_time
from saml2.validate import ResponseLifetimeExceed, ToEarly

from amtsweg.identity.bundid import attributes, slo, trust
from amtsweg.identity.bundid.binding import Incoming, Outgoing
from amtsweg.identity.bundid.config import sp_config
from amtsweg.identity.bundid.identity import CitizenIdentity, identity_from_assertion
from amtsweg.identity.bundid.refusals import Reason, Refused

AKDB = "https://www.akdb.de/request/2018/09"
CLASSIC_UI = "https://www.akdb.de/request/2018/09/classic-ui/v1"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
#: A SAML response larger than this is not read at all.
MAX_RESPONSE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Verified:
    """A response that passed every check, with what the log-in needs from it."""

    request_id: str
    assertion_id: str
    expires_at: int  # seconds since the epoch: the end of the assertion's validity
    identity: CitizenIdentity


def _client() -> Saml2Client:
    return Saml2Client(config=sp_config())


def _idp(client: Saml2Client) -> str:
    """The one identity provider in the metadata (BundID's, or the test identity provider)."""
    providers = client.metadata.identity_providers()
    if len(providers) != 1:
        raise ValueError(f"Expected one identity provider in the metadata, found {providers}.")
    return providers[0]


def _extension(required_level: str, language: str) -> samlp.Extensions:
    """``akdb:AuthenticationRequest`` version 2: the attributes Amtsweg needs and the name
    BundID shows the citizen (Schnittstellenbeschreibung, chapter 9)."""

    def element(tag: str, namespace: str = AKDB, **kwargs: Any) -> ExtensionElement:
        return ExtensionElement(tag, namespace=namespace, **kwargs)

    requested = [
        element(
            "RequestedAttribute",
            attributes={"Name": name, "RequiredAttribute": "true" if required else "false"},
        )
        for name, required in attributes.REQUESTED
    ]
    display = [
        element("OrganizationDisplayName", CLASSIC_UI, text=settings.AMTSWEG_BUNDID_DISPLAY_NAME),
        element("Lang", CLASSIC_UI, text=language if language in {"de", "en"} else "de"),
    ]
    if settings.AMTSWEG_BUNDID_ONLINE_SERVICE_ID:
        display.append(
            element("OnlineServiceId", CLASSIC_UI, text=settings.AMTSWEG_BUNDID_ONLINE_SERVICE_ID)
        )
    request = element(
        "AuthenticationRequest",
        attributes={"Version": "2", "EnableStatusDetail": "true"},
        children=[
            element("RequestedAttributes", children=requested),
            element(
                "DisplayInformation", children=[element("Version", CLASSIC_UI, children=display)]
            ),
        ],
    )
    return samlp.Extensions(extension_elements=[request])


def authn_request(required_level: str, *, language: str = "de") -> Outgoing:
    """A signed AuthnRequest asking for at least ``required_level``."""
    client = _client()
    idp = _idp(client)
    destination = client.metadata.single_sign_on_service(idp, BINDING_HTTP_POST)[0]["location"]
    request_id, xml = client.create_authn_request(
        destination,
        binding=BINDING_HTTP_POST,
        sign=True,
        extensions=_extension(required_level, language),
        nameid_format=NAMEID_FORMAT_TRANSIENT,
        force_authn="true",
        requested_authn_context=RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=trust.stork_for(required_level))],
            comparison="minimum",
        ),
    )
    encoded = base64.b64encode(str(xml).encode("utf-8")).decode("ascii")
    return Outgoing(request_id, destination, "SAMLRequest", encoded)


def in_response_to(saml_response: str) -> str:
    """The InResponseTo of a response, read without trusting it (to find the outstanding
    request); raises ``Refused`` for something that is not a SAML response at all."""
    root = _parse(saml_response)
    return root.get("InResponseTo", "")


def assertion_ids(saml_response: str) -> list[str]:
    """The ids of the assertions in a response, read without trusting them."""
    root = _parse(saml_response)
    return [node.get("ID", "") for node in root.iter(f"{{{SAML_NS}}}Assertion") if node.get("ID")]


def _parse(saml_response: str) -> Any:
    if len(saml_response) > MAX_RESPONSE_BYTES:
        raise Refused(Reason.MALFORMED, "response too large")
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=True))
    except (binascii.Error, ValueError, ElementTree.ParseError) as error:
        raise Refused(Reason.MALFORMED, str(error)) from error
    except Exception as error:  # defusedxml refuses entities and DTDs with its own errors
        raise Refused(Reason.MALFORMED, str(error)) from error
    if root.tag != f"{{{SAMLP_NS}}}Response":
        raise Refused(Reason.MALFORMED, f"not a SAML Response: {root.tag}")
    return root


def read_response(saml_response: str, outstanding: dict[str, str]) -> Verified:
    """Check a Response received at the ACS against the requests in ``outstanding`` (request
    id → anything) and return the verified assertion; raise ``Refused`` otherwise."""
    request_id = in_response_to(saml_response)
    client = _client()
    try:
        response = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding=outstanding
        )
    except Refused:
        raise
    except Exception as error:
        raise _refusal(error, request_id, outstanding) from error
    if response is None or response.assertion is None:
        # pysaml2 answers None where the Destination or the IssueInstant is off.
        raise Refused(Reason.INVALID, "the response was not accepted (destination or issue time)")
    assertion = response.assertion
    statement = assertion.authn_statement[0] if assertion.authn_statement else None
    class_ref = response.authn_info()[0][0] if response.authn_info() else ""
    name_id: NameID | None = response.name_id
    try:
        identity = identity_from_assertion(
            response.ava,
            class_ref=class_ref or "",
            name_id=name_id.text if name_id is not None else "",
            name_id_format=(name_id.format or "") if name_id is not None else "",
            session_index=(statement.session_index or "") if statement else "",
            idp_entity_id=response.issuer() or "",
            attribute_levels=attributes.trust_levels(assertion),
        )
    except ValueError as error:
        raise Refused(Reason.ATTRIBUTES, str(error)) from error
    until = assertion.conditions.not_on_or_after if assertion.conditions else None
    expires_at = calendar.timegm(str_to_time(until)) if until else 0
    return Verified(request_id, assertion.id, expires_at, identity)


def _refusal(error: Exception, request_id: str, outstanding: dict[str, str]) -> Refused:
    """Which check a pysaml2 exception stands for."""
    text = str(error)
    if isinstance(error, StatusError):
        return Refused(Reason.IDP_STATUS, text)
    if isinstance(error, SignatureError | SigverError) or "signature" in text.lower():
        return Refused(Reason.SIGNATURE, text)
    if isinstance(error, UnsolicitedResponse) or request_id not in outstanding:
        return Refused(Reason.IN_RESPONSE_TO, text)
    if isinstance(error, ResponseLifetimeExceed):
        return Refused(Reason.EXPIRED, text)
    if isinstance(error, ToEarly):
        return Refused(Reason.NOT_YET_VALID, text)
    if "AudienceRestrictions" in text:
        return Refused(Reason.AUDIENCE, text)
    if isinstance(error, VerificationError) and "recipient" in text.lower():
        return Refused(Reason.RECIPIENT, text)
    return Refused(Reason.INVALID, f"{type(error).__name__}: {text}")


def logout_request(identity: CitizenIdentity) -> Outgoing | None:
    """A signed LogoutRequest (HTTP-POST) ending ``identity``'s session at the identity
    provider, or None when it has no single logout endpoint (then only the local session
    ends)."""
    if not identity.name_id:
        return None
    client = _client()
    name_id = NameID(
        text=identity.name_id,
        format=identity.name_id_format or NAMEID_FORMAT_TRANSIENT,
        sp_name_qualifier=settings.AMTSWEG_SAML_ENTITY_ID,
    )
    indexes = [identity.session_index] if identity.session_index else []
    return slo.send_request(client, identity.idp_entity_id or _idp(client), name_id, indexes)


def answer_logout_request(message: Incoming) -> tuple[slo.ReadRequest, Outgoing]:
    """Verify a LogoutRequest the identity provider sent (single logout started there) and
    build the signed LogoutResponse; raises ``Refused`` for anything not from it."""
    client = _client()
    request = slo.read_request(client, message, peer=_idp(client))
    return request, slo.send_response(
        client, request, message.binding, relay_state=message.relay_state or ""
    )


def read_logout_response(message: Incoming) -> slo.ReadResponse:
    """Verify the identity provider's LogoutResponse to a request Amtsweg sent."""
    client = _client()
    return slo.read_response(client, message, peer=_idp(client))
