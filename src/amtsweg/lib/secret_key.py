"""The development secret key: generated once into the var directory when none is configured."""

import secrets
from pathlib import Path


def load_or_create_secret_key(var_dir: Path) -> str:
    """Return the key stored in ``var_dir/secret_key``, creating it on first use.

    Generating the key into a file (instead of a hard-coded fallback) keeps sessions valid across
    restarts of a development installation without ever shipping a known key.
    """
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key
