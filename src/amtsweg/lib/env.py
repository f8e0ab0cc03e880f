"""Typed readers for environment variables.

Every setting that varies between installations is read here, so that the README's table of
variables and the code cannot drift apart silently. Each reader also accepts ``NAME_FILE``
pointing at a file that holds the value, which is how container platforms hand over secrets.
"""

import os
from pathlib import Path


def _raw(name: str) -> str | None:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name)


def env_str(name: str, default: str = "") -> str:
    """Return the variable as text, or ``default`` when unset or empty."""
    value = _raw(name)
    return value if value else default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; accepts 1/0, true/false, yes/no, on/off."""
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer, or ``default`` when unset."""
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    value = _raw(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
