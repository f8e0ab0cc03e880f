"""The field-type registry: one place where every field type of the forms engine is declared."""

from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _


class FieldError(Exception):
    """A value an applicant entered is not acceptable; the message says how to fix it."""


@dataclass(frozen=True)
class FieldType:
    """Base class of field types.

    ``parse`` turns what the browser sent (a list of strings: one per input element) into the
    stored value, or raises ``FieldError``; ``as_text`` shows a stored value to people.
    """

    name: ClassVar[str]
    template: ClassVar[str] = "forms/fields/input.html"
    input_type: ClassVar[str] = "text"
    #: A type that holds no data (a notice block) is skipped by validation and storage.
    holds_data: ClassVar[bool] = True
    #: The browser sends several values under one name (checkboxes).
    multiple: ClassVar[bool] = False
    #: A compound type (the address) reads one input per part, named ``<name>.<part>``, and
    #: is parsed by ``parse_parts``.
    parts: ClassVar[tuple[str, ...]] = ()

    def parse_parts(self, field: dict[str, Any], sent: dict[str, str]) -> Any:
        raise NotImplementedError

    def read_parts(self, raw: dict[str, list[str]], name: str) -> dict[str, str]:
        """What the browser sent for each part of a compound type: ``<name>.<part>``."""
        return {part: (raw.get(f"{name}.{part}") or [""])[0] for part in self.parts}

    def parse(self, field: dict[str, Any], raw: list[str]) -> Any:
        value = raw[0].strip() if raw else ""
        return self.parse_text(field, value) if value else None

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        max_length = field.get("max_length", 200)
        if len(value) > max_length:
            raise FieldError(
                _("Enter at most %(max)d characters (you entered %(count)d).")
                % {"max": max_length, "count": len(value)}
            )
        return value

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        return "" if value is None else str(value)

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        """The value as the input element shows it again."""
        return "" if value is None else str(value)

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        """How the id of the input that gets focus differs from the field's id: "-1" where the
        field is a group of radio buttons or checkboxes (the error summary links there)."""
        return ""

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        """The options (value, label) a choice-like type offers; empty for free input."""
        return []

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        """Problems with the field's definition, for the designer."""
        return []


class FieldTypeRegistry:
    def __init__(self) -> None:
        self._types: dict[str, FieldType] = {}

    def register(self, cls: type[FieldType]) -> type[FieldType]:
        if cls.name in self._types:
            raise ValueError(f"Field type {cls.name!r} is registered twice.")
        self._types[cls.name] = cls()
        return cls

    def __getitem__(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)


registry = FieldTypeRegistry()
