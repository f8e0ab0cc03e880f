"""The address group: street, house number, addition, postcode and town as one field."""

import re
from typing import Any, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.forms.registry import FieldError, FieldType, registry

_POSTCODE = re.compile(r"[0-9]{5}")
_HOUSE_NUMBER = re.compile(r"[0-9]{1,5}\s?[A-Za-z]?(\s?[-/]\s?[0-9]{1,5}\s?[A-Za-z]?)?")


@registry.register
class AddressField(FieldType):
    """A German postal address, stored as an object with one key per part. Its inputs are
    named ``<name>.street`` and so on; the validation layer hands them over together."""

    name = "address"
    template = "forms/fields/address.html"
    parts: ClassVar[tuple[str, ...]] = ("street", "house_number", "addition", "postcode", "city")
    optional_parts: ClassVar[frozenset[str]] = frozenset({"addition"})
    part_labels: ClassVar[dict[str, Any]] = {
        "street": gettext_lazy("Street"),
        "house_number": gettext_lazy("House number"),
        "addition": gettext_lazy("Address addition"),
        "postcode": gettext_lazy("Postcode"),
        "city": gettext_lazy("Town"),
    }

    def parse_parts(self, field: dict[str, Any], sent: dict[str, str]) -> Any:
        """The cleaned address, or None when every part is empty."""
        values = {part: sent.get(part, "").strip() for part in self.parts}
        if not any(values.values()):
            return None
        missing = [
            str(self.part_labels[part])
            for part in self.parts
            if not values[part] and part not in self.optional_parts
        ]
        if missing:
            raise FieldError(_("Complete the address: %(parts)s.") % {"parts": ", ".join(missing)})
        for part, limit in (("street", 100), ("addition", 100), ("city", 100)):
            if len(values[part]) > limit:
                raise FieldError(
                    _("%(part)s: enter at most %(max)d characters.")
                    % {"part": self.part_labels[part], "max": limit}
                )
        if not _HOUSE_NUMBER.fullmatch(values["house_number"]):
            raise FieldError(_("Enter the house number as digits, e.g. 12, 12a or 12-14."))
        if not _POSTCODE.fullmatch(values["postcode"]):
            raise FieldError(_("Enter a German postcode of exactly 5 digits, e.g. 64283."))
        return {part: value for part, value in values.items() if value}

    def parse(self, field: dict[str, Any], raw: list[str]) -> Any:
        raise FieldError(_("Enter the address in its separate boxes."))

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-street"

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if not isinstance(value, dict):
            return ""
        street = " ".join(v for v in (value.get("street"), value.get("house_number")) if v)
        town = " ".join(v for v in (value.get("postcode"), value.get("city")) if v)
        return "\n".join(line for line in (street, value.get("addition", ""), town) if line)

    def as_input(self, field: dict[str, Any], value: Any) -> Any:
        return value if isinstance(value, dict) else {}
