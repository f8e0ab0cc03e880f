"""The test identity provider's public door: its configuration and metadata, reading an
AuthnRequest, and issuing a signed response for a chosen test person and trust level.

It is a real SAML identity provider built on pysaml2's server side; it signs with its own
key (generated into ``$AMTSWEG_VAR_DIR/saml/``) and knows the service provider from the
service provider's metadata, so it checks the AuthnRequest's signature as BundID does.
"""

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from saml2 import BINDING_HTTP_POST, class_name
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import pre_encrypt_assertion, pre_signature_part, signed_instance_factory

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import attributes, trust
from amtsweg.identity.bundid.config import ALGORITHMS, saml_dir, url
from amtsweg.identity.testidp.persons import TestPerson
from amtsweg.lib.certificates import load_or_create_key_pair

#: How long an issued assertion is valid, from the moment it is issued.
LIFETIME = timedelta(minutes=5)
SAML_TIME = "%Y-%m-%dT%H:%M:%SZ"


class RequestRefused(Exception):
    """The AuthnRequest cannot be answered (unsigned, tampered, from an unknown party)."""


@dataclass(frozen=True)
class AuthnRequestInfo:
    """What the test identity provider needs from a verified AuthnRequest."""

    request_id: str
    sp_entity_id: str
    acs_url: str
    requested_level: str


def entity_id() -> str:
    return url("/testidp/metadata/")


def idp_config(*, with_sp: bool = True) -> IdPConfig:
    key_file, cert_file = load_or_create_key_pair(
        saml_dir(), "testidp", "Amtsweg test identity provider", key_size=2048
    )
    metadata = {}
    if with_sp:
        from amtsweg.identity.bundid.services import sp_metadata_xml

        metadata = {"inline": [sp_metadata_xml()]}
    config = IdPConfig()
    config.load(
        {
            "entityid": entity_id(),
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "metadata": metadata,
            **ALGORITHMS,
            "service": {
                "idp": {
                    "name": "Amtsweg test identity provider",
                    "endpoints": {
                        "single_sign_on_service": [(url("/testidp/sso/"), BINDING_HTTP_POST)],
                        "single_logout_service": [(url("/testidp/slo/"), BINDING_HTTP_POST)],
                    },
                    "want_authn_requests_signed": True,
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": int(LIFETIME.total_seconds() // 60)},
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
        }
    )
    config.attribute_converters = [attributes.converter()]
    return config


def metadata_xml() -> str:
    """The test identity provider's metadata (what BundID's metadata file is in production)."""
    return str(entity_descriptor(idp_config(with_sp=False)))


def _server() -> Server:
    return Server(config=idp_config())


def read_authn_request(saml_request: str) -> AuthnRequestInfo:
    """Verify and read an AuthnRequest sent with the HTTP-POST binding."""
    try:
        parsed = _server().parse_authn_request(saml_request, BINDING_HTTP_POST)
    except Exception as error:  # pysaml2 raises many kinds; each means "cannot answer"
        raise RequestRefused(str(error)) from error
    if parsed is None or parsed.message is None:
        raise RequestRefused("The AuthnRequest could not be read.")
    message = parsed.message
    requested = TrustLevel.LOW
    context = message.requested_authn_context
    if context is not None and context.authn_context_class_ref:
        requested = trust.level_from_stork(context.authn_context_class_ref[0].text or "")
    return AuthnRequestInfo(
        request_id=message.id,
        sp_entity_id=message.issuer.text.strip(),
        acs_url=message.assertion_consumer_service_url,
        requested_level=requested,
    )


def issue_response(
    request: AuthnRequestInfo,
    person: TestPerson,
    level: str,
    *,
    clock: Callable[[], datetime] | None = None,
    audience: str | None = None,
    encrypt: bool = False,
) -> str:
    """A signed SAML Response (base64, for the HTTP-POST binding) logging ``person`` in at
    ``level``.

    The validity window starts at ``clock()`` (the current time by default) and lasts
    ``LIFETIME``; ``audience`` replaces the requesting service provider as the audience. Both
    exist so that tests can have the identity provider itself issue an expired assertion or
    one meant for someone else, signed like any other. ``encrypt`` encrypts the signed
    assertion for the service provider's certificate, as BundID does.
    """
    server = _server()
    response = server.create_authn_response(
        identity=dict(person.attributes),
        in_response_to=request.request_id,
        destination=request.acs_url,
        sp_entity_id=request.sp_entity_id,
        name_id=NameID(
            format=NAMEID_FORMAT_TRANSIENT,
            sp_name_qualifier=request.sp_entity_id,
            name_qualifier=entity_id(),
            text=secrets.token_urlsafe(24),
        ),
        authn={"class_ref": trust.stork_for(level)},
        sign_assertion=False,
        sign_response=False,
        encrypt_assertion=False,
    )
    assertion = response.assertion
    _set_time_window(response, (clock or _now)())
    if audience is not None:
        assertion.conditions.audience_restriction[0].audience[0].text = audience
    assertion.signature = pre_signature_part(
        assertion.id,
        server.sec.my_cert,
        2,
        sign_alg=server.signing_algorithm,
        digest_alg=server.digest_algorithm,
    )
    to_sign = [(class_name(assertion), assertion.id)]
    if not encrypt:
        signed = signed_instance_factory(response, server.sec, to_sign)
        return base64.b64encode(signed.encode("utf-8")).decode("ascii")
    # pysaml2's own order for an encrypted assertion: wrap it (namespaces self-contained),
    # sign it inside the wrapper, encrypt it for the certificate in the SP's metadata.
    tag = assertion._to_element_tree().tag
    wrapped = pre_encrypt_assertion(response)
    xml = wrapped.get_xml_string_with_self_contained_assertion_within_encrypted_assertion(tag)
    signed = signed_instance_factory(xml, server.sec, to_sign)
    signed = server._encrypt_assertion(None, request.sp_entity_id, signed)
    return base64.b64encode(signed.encode("utf-8")).decode("ascii")


def _now() -> datetime:
    return datetime.now(UTC)


def _set_time_window(response: object, now: datetime) -> None:
    """Put every timestamp of the response in the window ``now`` … ``now + LIFETIME``."""
    issued, until = now.strftime(SAML_TIME), (now + LIFETIME).strftime(SAML_TIME)
    response.issue_instant = issued  # type: ignore[attr-defined]
    assertion = response.assertion  # type: ignore[attr-defined]
    assertion.issue_instant = issued
    assertion.conditions.not_before = issued
    assertion.conditions.not_on_or_after = until
    for confirmation in assertion.subject.subject_confirmation:
        confirmation.subject_confirmation_data.not_on_or_after = until
    for statement in assertion.authn_statement:
        statement.authn_instant = issued
        statement.session_not_on_or_after = until


def answer_logout(saml_request: str) -> tuple[str, str]:
    """Read a signed LogoutRequest (HTTP-POST) and answer it: ``(destination, SAMLResponse)``.

    The test identity provider keeps no sessions of its own, so every logout succeeds.
    """
    server = _server()
    try:
        parsed = server.parse_logout_request(saml_request, BINDING_HTTP_POST)
        if parsed is None:
            raise RequestRefused("The LogoutRequest could not be read.")
        destination = server.response_args(parsed.message, [BINDING_HTTP_POST])["destination"]
        response = server.create_logout_response(parsed.message, [BINDING_HTTP_POST], sign=True)
    except RequestRefused:
        raise
    except Exception as error:  # pysaml2 raises many kinds; each means "cannot answer"
        raise RequestRefused(str(error)) from error
    xml = response if isinstance(response, str) else str(response)
    return destination, base64.b64encode(xml.encode("utf-8")).decode("ascii")
