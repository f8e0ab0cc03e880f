"""The pysaml2 configuration of Amtsweg as a SAML service provider, built from settings.

Production installations name their key, certificate and BundID's metadata file in
environment variables (README "Register with BundID"). Without them, a key pair is generated
into ``$AMTSWEG_VAR_DIR/saml/`` and, when the bundled test identity provider is enabled, its
metadata is used as the identity provider's.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from amtsweg.identity.bundid import attributes
from amtsweg.identity.bundid.refusals import NotConfigured
from amtsweg.lib.certificates import load_or_create_key_pair

#: Clock difference between Amtsweg and the identity provider that is still accepted.
CLOCK_SKEW_SECONDS = 60
#: RSA with SHA-256 for signatures and digests (BSI TR-03116-4; pysaml2 would use SHA-1).
ALGORITHMS = {"signing_algorithm": SIG_RSA_SHA256, "digest_algorithm": DIGEST_SHA256}


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path


def saml_dir() -> Path:
    return Path(settings.VAR_DIR) / "saml"


def sp_key_pair() -> KeyPair:
    """The service provider's signing (and decryption) key with its certificate."""
    key_file, cert_file = settings.AMTSWEG_SAML_SP_KEY_FILE, settings.AMTSWEG_SAML_SP_CERT_FILE
    if key_file and cert_file:
        return KeyPair(Path(key_file), Path(cert_file))
    key, cert = load_or_create_key_pair(saml_dir(), "sp", "Amtsweg service provider")
    return KeyPair(key, cert)


def url(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def acs_url() -> str:
    return url("/saml/acs/")


def slo_url() -> str:
    return url("/saml/sls/")


def idp_metadata() -> dict[str, list[object]]:
    """Where the identity provider's metadata comes from: the configured file, else the
    bundled test identity provider (when enabled)."""
    if settings.AMTSWEG_SAML_IDP_METADATA:
        return {"local": [str(settings.AMTSWEG_SAML_IDP_METADATA)]}
    if settings.AMTSWEG_TEST_IDP:
        from amtsweg.identity.testidp.services import metadata_xml

        return {"inline": [metadata_xml()]}
    raise NotConfigured


def sp_config(*, with_idp: bool = True) -> SPConfig:
    """The service provider configuration; ``with_idp=False`` leaves the identity provider
    out (for our own metadata, which must work before BundID's is known)."""
    keys = sp_key_pair()
    config = SPConfig()
    config.load(
        {
            "entityid": settings.AMTSWEG_SAML_ENTITY_ID,
            "key_file": str(keys.key_file),
            "cert_file": str(keys.cert_file),
            # BundID encrypts its assertions for the key in our metadata (chapter 3, step 5).
            "encryption_keypairs": [
                {"key_file": str(keys.key_file), "cert_file": str(keys.cert_file)}
            ],
            "metadata": idp_metadata() if with_idp else {},
            "accepted_time_diff": CLOCK_SKEW_SECONDS,
            **ALGORITHMS,
            "allow_unknown_attributes": True,
            "service": {
                "sp": {
                    "name": "Amtsweg",
                    "endpoints": {
                        "assertion_consumer_service": [(acs_url(), BINDING_HTTP_POST)],
                        "single_logout_service": [
                            (slo_url(), BINDING_HTTP_POST),
                            (slo_url(), BINDING_HTTP_REDIRECT),
                        ],
                    },
                    "authn_requests_signed": True,
                    "logout_requests_signed": True,
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                }
            },
        }
    )
    config.attribute_converters = [attributes.converter()]
    return config
