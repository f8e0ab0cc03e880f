"""Self-signed key pairs for SAML signing in development and tests.

A SAML party needs a private key and a certificate. Production installations bring their own
(README: AMTSWEG_SAML_SP_KEY_FILE / AMTSWEG_SAML_SP_CERT_FILE); everywhere else the pair is made
on first use into the var directory, so that no key is ever committed and every checkout has
its own.
"""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

#: Long enough that a development installation never sees its certificate expire; SAML peers
#: that know the certificate from metadata trust the key, not the dates.
VALIDITY = datetime.timedelta(days=3650)


def load_or_create_key_pair(
    directory: Path, name: str, common_name: str, *, key_size: int = 3072
) -> tuple[Path, Path]:
    """Return ``(key_file, cert_file)`` named ``name`` in ``directory``, creating both when
    either is missing: an RSA key (PEM, readable only by its owner) and a self-signed
    certificate for ``common_name``."""
    key_file = directory / f"{name}.key"
    cert_file = directory / f"{name}.crt"
    if key_file.exists() and cert_file.exists():
        return key_file, cert_file
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + VALIDITY)
        .sign(key, hashes.SHA256())
    )
    # Write to temporary names first, so that a concurrent process never reads half a file.
    key_tmp, cert_tmp = key_file.with_suffix(".key.tmp"), cert_file.with_suffix(".crt.tmp")
    key_tmp.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_tmp.chmod(0o600)
    cert_tmp.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_tmp.replace(key_file)
    cert_tmp.replace(cert_file)
    return key_file, cert_file


def certificate_body(cert_file: Path) -> str:
    """The certificate as base64 without PEM armour: how SAML metadata carries it."""
    lines = cert_file.read_text(encoding="ascii").strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))
