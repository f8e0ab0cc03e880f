"""The test identity provider's public door: its configuration and metadata, reading an
AuthnRequest, issuing a signed response for a chosen test person and trust level, and single
logout in both directions (answering the service provider's LogoutRequest; "log out
everywhere", which sends the service provider a LogoutRequest for each log-in it issued).

It is a real SAML identity provider built on pysaml2's server side; it signs with its own
key (generated into ``$AMTSWEG_VAR_DIR/saml/``) and knows the service provider from the
service provider's metadata, so it checks the AuthnRequest's signature as BundID does.
"""

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, class_name
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server
from saml2.sigver import pre_encrypt_assertion, pre_signature_part, signed_instance_factory

from amtsweg.catalog.models import TrustLevel
from amtsweg.identity.bundid import attributes, slo, trust
from amtsweg.identity.bundid.binding import Incoming, Outgoing
from amtsweg.identity.bundid.config import ALGORITHMS, saml_dir, url
from amtsweg.identity.bundid.refusals import Refused
from amtsweg.identity.testidp.models import IdpSession
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
                        "single_logout_service": [
                            (url("/testidp/slo/"), BINDING_HTTP_POST),
                            (url("/testidp/slo/"), BINDING_HTTP_REDIRECT),
                        ],
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
    ``level``, each attribute with its ``akdb:TrustLevel`` (``TestPerson.trust_level_of``).

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
    for statement in assertion.attribute_statement:
        for attribute in statement.attribute:
            name = attributes.friendly_name(attribute.name)
            attribute.extension_attributes[attributes.TRUST_LEVEL] = person.trust_level_of(
                name, level
            )
    IdpSession.objects.create(
        person_key=person.key,
        sp_entity_id=request.sp_entity_id,
        name_id=assertion.subject.name_id.text,
        session_index=assertion.authn_statement[0].session_index,
    )
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


def _refused(refusal: Refused) -> RequestRefused:
    return RequestRefused(f"{refusal.reason}: {refusal.detail}")


def answer_logout(message: Incoming) -> Outgoing:
    """Single logout started at the service provider: verify its signed LogoutRequest, end
    the log-in it names here and answer with a signed LogoutResponse."""
    server = _server()
    try:
        request = slo.read_request(server, message, peer=settings.AMTSWEG_SAML_ENTITY_ID)
    except Refused as refusal:
        raise _refused(refusal) from refusal
    IdpSession.objects.filter(name_id=request.name_id, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    return slo.send_response(
        server, request, message.binding, relay_state=message.relay_state or ""
    )


def active_sessions(person_key: str) -> list[IdpSession]:
    """The log-ins of a test person that have not ended, newest first."""
    return list(IdpSession.objects.filter(person_key=person_key, ended_at__isnull=True))


def log_out_everywhere(person_key: str, binding: str) -> Outgoing | None:
    """ "Log out everywhere" for a test person: the signed LogoutRequest (with ``binding``)
    for their newest log-in that has not ended, or None when none is left. The browser
    carries one message at a time; each answer brings the next (``logout_answered``)."""
    session = IdpSession.objects.filter(person_key=person_key, ended_at__isnull=True).first()
    if session is None:
        return None
    name_id = NameID(
        format=NAMEID_FORMAT_TRANSIENT,
        sp_name_qualifier=session.sp_entity_id,
        name_qualifier=entity_id(),
        text=session.name_id,
    )
    outgoing = slo.send_request(
        _server(), session.sp_entity_id, name_id, [session.session_index], binding=binding
    )
    if outgoing is None:  # the service provider offers no single logout: nothing to tell it
        session.ended_at = timezone.now()
        session.save(update_fields=["ended_at"])
        return log_out_everywhere(person_key, binding)
    session.logout_request_id = outgoing.message_id
    session.save(update_fields=["logout_request_id"])
    return outgoing


def logout_answered(message: Incoming) -> str:
    """Check the service provider's LogoutResponse to a LogoutRequest sent here (signature,
    issuer, InResponseTo, status), mark that log-in ended and return whose it was."""
    try:
        response = slo.read_response(_server(), message, peer=settings.AMTSWEG_SAML_ENTITY_ID)
    except Refused as refusal:
        raise _refused(refusal) from refusal
    session = IdpSession.objects.filter(
        logout_request_id=response.in_response_to, ended_at__isnull=True
    ).first()
    if not response.in_response_to or session is None:
        raise RequestRefused(f"LogoutResponse to an unknown request {response.in_response_to!r}")
    if not response.success:
        raise RequestRefused("The service provider could not end the session.")
    session.ended_at = timezone.now()
    session.save(update_fields=["ended_at"])
    return session.person_key
