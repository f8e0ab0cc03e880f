"""Envelope encryption for personal data at rest (ADR 0008).

Every value gets its own random 256-bit data key. The value is sealed with AES-256-GCM under
that data key; the data key is wrapped (AES key wrap, RFC 3394) with the installation's
key-encryption key (KEK, ``AMTSWEG_DATA_KEY``). The stored text carries everything needed to
open it again except the KEK::

    aw1:<key id>:<base64url(nonce | wrapped data key | ciphertext and tag)>

The associated data of the GCM seal is the format version and a *context* naming where the
value lives (``<table>.<column>``), so a value copied into another column or table fails to
open instead of yielding someone else's data. The wrapped key is integrity-checked by the key
wrap itself, so an edited key id or wrapped key fails too.

Rotating the KEK only re-wraps the 40-byte data keys (``rewrap``); nonce and ciphertext stay
as they are (re-sealing them under the same data key and nonce would reuse a GCM nonce).
Older KEKs stay readable while they are listed in ``AMTSWEG_DATA_KEYS_OLD``.
"""

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

VERSION = "aw1"
_KEY_BYTES = 32
_NONCE_BYTES = 12
_WRAPPED_BYTES = _KEY_BYTES + 8
_KEY_FILE_NAME = "data_key"


class DecryptionError(Exception):
    """A stored value could not be opened: damaged, moved, or sealed with a key not configured.

    Never swallowed into a default: a value that cannot be opened must stop the request, not
    show an empty application.
    """


class UnknownDataKey(DecryptionError):
    """The value was sealed with a key id that is neither the current nor an old key."""


@dataclass(frozen=True)
class Keyring:
    """The current KEK (used for sealing) and every KEK that may still open values, by id."""

    current_id: str
    keys: dict[str, bytes]

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownDataKey(
                f"Stored data was encrypted with data key {key_id!r}, which is not configured. "
                f"The current key is {self.current_id!r}. Set the key that was in use then as "
                "AMTSWEG_DATA_KEY or list it in AMTSWEG_DATA_KEYS_OLD (a lost key cannot be "
                "replaced: the data sealed with it is unreadable)."
            ) from None


def decode_key(text: str, name: str = "AMTSWEG_DATA_KEY") -> bytes:
    """The 32 raw bytes of a base64-written key; a clear configuration error for anything else."""
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} must be base64 (32 random bytes).") from None
    if len(raw) != _KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must hold exactly {_KEY_BYTES} bytes, not {len(raw)} "
            '(make one with: python -c "import os,base64;print(base64.b64encode(os.urandom(32))'
            '.decode())")'
        )
    return raw


def key_id(key: bytes) -> str:
    """A short, stable name for a key, derived from it: operators never have to assign ids, and
    the id tells nothing about the key."""
    return hmac.new(key, b"amtsweg data key id", hashlib.sha256).hexdigest()[:8]


def load_or_create_data_key(var_dir: Path) -> str:
    """The base64 KEK stored in ``var_dir/data_key``, created on first use (like the secret key).

    Good for development and single-machine installations; production sets
    ``AMTSWEG_DATA_KEY(_FILE)`` and keeps the key outside database backups (ADR 0008).
    """
    key_file = var_dir / _KEY_FILE_NAME
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = base64.b64encode(secrets.token_bytes(_KEY_BYTES)).decode("ascii")
    # Written private to a file of its own, then linked into place: a process that started at
    # the same moment and linked first keeps its key (overwriting it would make everything
    # sealed with it unreadable), and nobody reads a half-written file.
    draft = var_dir / f".{_KEY_FILE_NAME}.{secrets.token_hex(8)}"
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(key)
    try:
        os.link(draft, key_file)
    except FileExistsError:
        key = key_file.read_text(encoding="utf-8").strip()
    finally:
        draft.unlink()
    return key


@cache
def keyring() -> Keyring:
    """The keyring from the settings, built once per process (and again when tests change it)."""
    from django.conf import settings

    current = decode_key(settings.AMTSWEG_DATA_KEY)
    keys = {
        key_id(old): old
        for old in (
            decode_key(text, "AMTSWEG_DATA_KEYS_OLD") for text in settings.AMTSWEG_DATA_KEYS_OLD
        )
    }
    keys[key_id(current)] = current
    return Keyring(current_id=key_id(current), keys=keys)


@receiver(setting_changed)
def _forget_keyring(*, setting: str, **kwargs: Any) -> None:
    if setting in {"AMTSWEG_DATA_KEY", "AMTSWEG_DATA_KEYS_OLD"}:
        keyring.cache_clear()


def _aad(context: str) -> bytes:
    return f"{VERSION}:{context}".encode()


def _split(token: str) -> tuple[str, bytes, bytes, bytes]:
    """The key id, nonce, wrapped data key and ciphertext of a stored value."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != VERSION:
        raise DecryptionError(
            f"Stored value is not in the {VERSION!r} encrypted format (unencrypted or damaged)."
        )
    try:
        body = base64.urlsafe_b64decode(parts[2].encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise DecryptionError("Stored encrypted value is damaged (not base64).") from None
    head = _NONCE_BYTES + _WRAPPED_BYTES
    if len(body) < head + 16:
        raise DecryptionError("Stored encrypted value is damaged (too short).")
    return parts[1], body[:_NONCE_BYTES], body[_NONCE_BYTES:head], body[head:]


def _join(kid: str, nonce: bytes, wrapped: bytes, ciphertext: bytes) -> str:
    body = base64.urlsafe_b64encode(nonce + wrapped + ciphertext).decode("ascii")
    return f"{VERSION}:{kid}:{body}"


def encrypt(plaintext: bytes, context: str) -> str:
    """Seal ``plaintext`` for storage at ``context`` (``table.column``) under the current key."""
    ring = keyring()
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _aad(context))
    wrapped = aes_key_wrap(ring.key(ring.current_id), data_key)
    return _join(ring.current_id, nonce, wrapped, ciphertext)


def _unwrap(ring: Keyring, kid: str, wrapped: bytes) -> bytes:
    try:
        return aes_key_unwrap(ring.key(kid), wrapped)
    except InvalidUnwrap:
        raise DecryptionError(
            f"Stored encrypted value is damaged: its data key does not unwrap with key {kid!r}."
        ) from None


def decrypt(token: str, context: str) -> bytes:
    """Open a value sealed by ``encrypt`` for the same ``context``; ``DecryptionError`` when it
    was altered, belongs elsewhere, or its key is not configured."""
    ring = keyring()
    kid, nonce, wrapped, ciphertext = _split(token)
    data_key = _unwrap(ring, kid, wrapped)
    try:
        return AESGCM(data_key).decrypt(nonce, ciphertext, _aad(context))
    except InvalidTag:
        raise DecryptionError(
            f"Stored encrypted value for {context} failed its integrity check: it was altered "
            "or belongs to another table or column."
        ) from None


def key_id_of(token: str) -> str:
    """The id of the KEK a stored value's data key is wrapped with."""
    return _split(token)[0]


def rewrap(token: str, context: str) -> str:
    """The same value with its data key wrapped by the current KEK; nonce and ciphertext are
    untouched. Already current values come back as they are (so rotation can be repeated).

    The payload is checked on the way, so a damaged value is reported here rather than carried
    forward under the new key.
    """
    ring = keyring()
    kid, nonce, wrapped, ciphertext = _split(token)
    if kid == ring.current_id:
        return token
    data_key = _unwrap(ring, kid, wrapped)
    try:
        AESGCM(data_key).decrypt(nonce, ciphertext, _aad(context))
    except InvalidTag:
        raise DecryptionError(f"Stored encrypted value for {context} is damaged.") from None
    rewrapped = aes_key_wrap(ring.key(ring.current_id), data_key)
    return _join(ring.current_id, nonce, rewrapped, ciphertext)
