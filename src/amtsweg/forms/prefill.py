"""Prefilling fields from the applicant's identity, and locking them.

A field declares ``"prefill": "bundid.<name>"`` (the sources are ``PREFILL_SOURCES`` in
``amtsweg.forms.definition``) and may add ``"locked": true``. ``identity`` below is a flat
mapping of source names without the ``bundid.`` prefix to values in the form the answers
store (ISO dates, the address as an object); the identity app provides it, so the forms engine
knows nothing about SAML. A prefilled value fills a field whose answer is still empty; a
locked field always shows the identity's value, read-only, and the server puts that value in
place of whatever the browser sent, so a tampered request cannot change it. Without an
identity value a field is neither filled nor locked: the applicant answers it as usual.
Fields inside repeatable groups are never prefilled (``check_definition`` refuses them).
``lockable`` (source names without the prefix; None: all) narrows locking to the values the
identity vouches for well enough: the others are filled in but stay editable.
"""

from collections.abc import Collection
from typing import Any

from amtsweg.forms.bound import BoundField, BoundGroup, BoundItem
from amtsweg.forms.definition import is_group
from amtsweg.forms.validation import to_raw

SOURCE_PREFIX = "bundid."


def _value(item: dict[str, Any], identity: dict[str, Any]) -> Any:
    source = item.get("prefill")
    if not isinstance(source, str) or not source.startswith(SOURCE_PREFIX):
        return None
    value = identity.get(source.removeprefix(SOURCE_PREFIX))
    return value if value not in (None, "", {}) else None


def _locks(item: dict[str, Any], lockable: Collection[str] | None) -> bool:
    source = str(item.get("prefill", "")).removeprefix(SOURCE_PREFIX)
    return bool(item.get("locked")) and (lockable is None or source in lockable)


def prefill_values(
    items: list[dict[str, Any]],
    identity: dict[str, Any],
    *,
    locked_only: bool = False,
    lockable: Collection[str] | None = None,
) -> dict[str, Any]:
    """The answers ``items`` get from ``identity``, nested like the answers themselves
    (groups as objects); ``locked_only`` gives only those of locked fields."""
    values: dict[str, Any] = {}
    for item in items:
        if is_group(item):
            if not item.get("repeatable"):
                nested = prefill_values(
                    item.get("fields", []), identity, locked_only=locked_only, lockable=lockable
                )
                if nested:
                    values[item["key"]] = nested
            continue
        if locked_only and not _locks(item, lockable):
            continue
        value = _value(item, identity)
        if value is not None:
            values[item["key"]] = value
    return values


def _lay_over(
    items: list[dict[str, Any]], answers: dict[str, Any], values: dict[str, Any], *, fill: bool
) -> dict[str, Any]:
    """``answers`` with ``values`` put in: only into empty answers (``fill``) or in place of
    them; non-repeatable groups are handled field by field."""
    result = dict(answers)
    for item in items:
        key = item["key"]
        if key not in values:
            continue
        if is_group(item):
            inner = result.get(key) if isinstance(result.get(key), dict) else {}
            result[key] = _lay_over(item.get("fields", []), inner, values[key], fill=fill)
        elif not fill or result.get(key) in (None, "", [], {}):
            result[key] = values[key]
    return result


def with_prefill(
    step: dict[str, Any],
    data: dict[str, Any],
    identity: dict[str, Any],
    lockable: Collection[str] | None = None,
) -> dict[str, Any]:
    """The answers to show on ``step``: the saved ones, empty fields filled from the
    identity, locked fields always the identity's."""
    items = step.get("fields", [])
    filled = _lay_over(items, data, prefill_values(items, identity), fill=True)
    locked = prefill_values(items, identity, locked_only=True, lockable=lockable)
    return _lay_over(items, filled, locked, fill=False)


def lock_answers(
    step: dict[str, Any],
    raw: dict[str, list[str]],
    identity: dict[str, Any],
    lockable: Collection[str] | None = None,
) -> dict[str, list[str]]:
    """Put the identity's values in place of what the browser sent for locked fields
    (``raw``: HTML name → sent strings, changed in place and returned)."""
    items = step.get("fields", [])
    locked = prefill_values(items, identity, locked_only=True, lockable=lockable)
    raw.update(to_raw(items, locked))
    return raw


def mark_locked(
    bound: list[BoundItem],
    step: dict[str, Any],
    identity: dict[str, Any],
    lockable: Collection[str] | None = None,
) -> list[BoundItem]:
    """Flag the bound fields the template shows read-only: locked and known from the
    identity."""
    locked = prefill_values(step.get("fields", []), identity, locked_only=True, lockable=lockable)
    _mark(bound, locked)
    return bound


def _mark(bound: list[BoundItem], locked: dict[str, Any]) -> None:
    for item in bound:
        if item.key not in locked:
            continue
        if isinstance(item, BoundGroup) and isinstance(locked[item.key], dict):
            _mark(item.children, locked[item.key])
        elif isinstance(item, BoundField):
            item.readonly = True
