"""Numbers: whole numbers, decimals and amounts of money in euros.

Decimals and amounts are stored as strings ("12.50", "1234.56") so that no binary floating
point ever rounds them; they are shown in the active language's format.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amtsweg.forms.registry import FieldError, FieldType, registry

# 12 or 12,5 or 12.5 — a comma or a point before the decimals, no thousands separators.
_DECIMAL = re.compile(r"-?([0-9]+)(?:[.,]([0-9]+))?", re.ASCII)
# Amounts: 1234 / 1234,5 / 1234.56 / 1.234 / 1.234,56 (German thousands points).
_AMOUNT_PLAIN = re.compile(r"-?([0-9]+)(?:[.,]([0-9]{1,2}))?", re.ASCII)
_AMOUNT_GROUPED = re.compile(r"-?([0-9]{1,3}(?:\.[0-9]{3})+)(?:,([0-9]{1,2}))?", re.ASCII)
_EURO = re.compile(r"^(?:€|euro?)|(?:€|euro?)$", re.IGNORECASE)
_NO_CENTS = re.compile(r"[.,][-–]$")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_MAX_PLACES = 10
_NBSP = "\u00a0"


@registry.register
class NumberField(FieldType):
    """A whole number, with optional ``min`` and ``max``."""

    name = "number"
    input_type = "number"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if not re.fullmatch(r"-?\d{1,12}", value):
            raise FieldError(_("Enter a whole number, e.g. 2."))
        number = int(value)
        if "min" in field and number < field["min"]:
            raise FieldError(_("Enter a number of at least %(min)d.") % {"min": field["min"]})
        if "max" in field and number > field["max"]:
            raise FieldError(_("Enter a number of at most %(max)d.") % {"max": field["max"]})
        return number


def _as_decimal(value: Any) -> Decimal | None:
    """A definition's or a stored number as a finite Decimal, or None if it is none."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_places(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_PLACES


def _with_local_separator(text: str) -> str:
    """A plain decimal string with the active language's decimal separator (12,50 in German)."""
    return text.replace(".", formats.get_format("DECIMAL_SEPARATOR"))


@registry.register
class DecimalField(FieldType):
    """A decimal number; German "12,5" and "12.5" are both read as twelve and a half.

    ``decimal_places`` (default 2) is how many decimals it keeps; the stored string always has
    that many ("12.50"). ``min`` and ``max`` bound it.
    """

    name = "decimal"
    template = "forms/fields/decimal.html"
    default_places: ClassVar[int] = 2
    max_integer_digits: ClassVar[int] = 15

    def places(self, field: dict[str, Any]) -> int:
        places = field.get("decimal_places", self.default_places)
        return places if _is_places(places) else self.default_places

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        key = field.get("key")
        problems: list[str] = []
        if "decimal_places" in field and not _is_places(field["decimal_places"]):
            problems.append(
                f"Field {key!r} has decimal_places {field['decimal_places']!r}; "
                f"use a whole number from 0 to {_MAX_PLACES}."
            )
        bounds: dict[str, Decimal | None] = {}
        for bound in ("min", "max"):
            if field.get(bound) is None:
                continue
            bounds[bound] = _as_decimal(field[bound])
            if bounds[bound] is None:
                problems.append(f"Field {key!r} has a {bound} that is not a number.")
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low > high:
            problems.append(f"Field {key!r} has a min greater than its max.")
        return problems

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        number, integer_digits, decimals = self.read(field, value)
        if integer_digits > self.max_integer_digits:
            raise FieldError(
                _("Enter a number with at most %(max)d digits before the decimal comma.")
                % {"max": self.max_integer_digits}
            )
        places = self.places(field)
        quantum = Decimal(1).scaleb(-places)
        if decimals > places and number != number.quantize(quantum):
            raise FieldError(self.places_message(places))
        number = number.quantize(quantum)
        if number.is_zero():
            number = abs(number)  # no "-0.00"
        low, high = _as_decimal(field.get("min")), _as_decimal(field.get("max"))
        if low is not None and number < low:
            raise FieldError(self.min_message(field, low))
        if high is not None and number > high:
            raise FieldError(self.max_message(field, high))
        return f"{number:f}"

    def read(self, field: dict[str, Any], value: str) -> tuple[Decimal, int, int]:
        """The number typed, how many digits it has before and after the decimal separator."""
        match = _DECIMAL.fullmatch(value)
        if not match:
            raise FieldError(
                _("Enter a number, e.g. 12,5. Use a comma or a point before the decimals.")
            )
        whole, decimals = match.group(1), match.group(2) or ""
        sign = "-" if value.startswith("-") else ""
        return Decimal(f"{sign}{whole}.{decimals or 0}"), len(whole.lstrip("0")), len(decimals)

    def places_message(self, places: int) -> str:
        if places == 0:
            return _("Enter a whole number without decimals, e.g. 12.")
        example = self.show(Decimal("12.5"), places)
        return ngettext(
            "Enter at most %(places)d decimal place, e.g. %(example)s.",
            "Enter at most %(places)d decimal places, e.g. %(example)s.",
            places,
        ) % {"places": places, "example": example}

    def min_message(self, field: dict[str, Any], low: Decimal) -> str:
        return _("Enter a number of at least %(min)s.") % {"min": self.show(low)}

    def max_message(self, field: dict[str, Any], high: Decimal) -> str:
        return _("Enter a number of at most %(max)s.") % {"max": self.show(high)}

    def show(self, number: Decimal, places: int | None = None) -> str:
        """A number in the active language's format, with thousands separators."""
        return formats.number_format(number, places, use_l10n=True, force_grouping=True)

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        number = _as_decimal(value)
        if number is None:
            return "" if value is None else str(value)
        return self.show(number, self.places(field))

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        number = _as_decimal(value) if isinstance(value, str) else None
        if number is None:
            return "" if value is None else str(value)
        return _with_local_separator(f"{number:f}")


@registry.register
class CurrencyField(DecimalField):
    """An amount in euros with cents, stored as a string such as "1234.56".

    Accepts what people type: "1.234,56 €", "1234,56", "1234.56", "EUR 12", "12,-". Not
    negative unless ``min`` says so; ``max`` bounds it too.
    """

    name = "currency"
    template = "forms/fields/currency.html"
    max_integer_digits = 12

    def places(self, field: dict[str, Any]) -> int:
        return 2

    def read(self, field: dict[str, Any], value: str) -> tuple[Decimal, int, int]:
        text = _SPACES.sub("", _EURO.sub("", value.strip()).strip())
        text = _NO_CENTS.sub("", text)
        grouped = _AMOUNT_GROUPED.fullmatch(text)
        match = grouped or _AMOUNT_PLAIN.fullmatch(text)
        if not match:
            raise FieldError(
                _(
                    "Enter an amount in euros with at most 2 decimal places, "
                    "e.g. 1.234,56 or 1234.56."
                )
            )
        whole, cents = match.group(1).replace(".", ""), match.group(2) or ""
        sign = "-" if text.startswith("-") else ""
        return Decimal(f"{sign}{whole}.{cents or 0}"), len(whole.lstrip("0")), len(cents)

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        return super().parse_text({"min": 0, **field}, value)

    def min_message(self, field: dict[str, Any], low: Decimal) -> str:
        return _("Enter an amount of at least %(min)s.") % {"min": self.show_amount(low)}

    def max_message(self, field: dict[str, Any], high: Decimal) -> str:
        return _("Enter an amount of at most %(max)s.") % {"max": self.show_amount(high)}

    def show_amount(self, number: Decimal) -> str:
        """An amount as people read it: 1.234,56 € in German (a no-break space before €)."""
        return f"{self.show(number, 2)}{_NBSP}€"

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        number = _as_decimal(value)
        if number is None:
            return "" if value is None else str(value)
        return self.show_amount(number)
