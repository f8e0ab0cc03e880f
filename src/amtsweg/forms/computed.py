"""The computed field: a value the form works out from other answers (e.g. a fee)."""

from decimal import Decimal
from typing import Any

from django.utils import formats

from amtsweg.forms import logic
from amtsweg.forms.registry import FieldError, FieldType, registry


@registry.register
class ComputedField(FieldType):
    """Shown read-only and stored with the answers; ``value`` is a JsonLogic rule. Nothing the
    browser sends is trusted: the server always works the value out again."""

    name = "computed"
    template = "forms/fields/computed.html"

    def parse(self, field: dict[str, Any], raw: list[str]) -> Any:
        raise FieldError("A computed value is not entered.")

    def compute(self, field: dict[str, Any], context: dict[str, Any]) -> Any:
        """Work the value out; numbers are stored as exact decimal strings ("150.00")."""
        value = logic.evaluate(field["value"], context)
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            places = Decimal(1).scaleb(-field.get("decimal_places", 2))
            return str(Decimal(str(value)).quantize(places))
        return value

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        text = formats.number_format(number, decimal_pos=field.get("decimal_places", 2))
        return f"{text} {field['unit']}" if field.get("unit") else text

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        if "value" not in field:
            return [f"Computed field {field['key']!r} has no value rule."]
        return logic.check_rule(field["value"])
