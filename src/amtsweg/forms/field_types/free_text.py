"""Free text: text, textarea, e-mail address and phone number."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from amtsweg.forms.registry import FieldError, FieldType, registry

_PHONE = re.compile(r"\+?[0-9 ()/\-]+", re.ASCII)
_PHONE_DIGITS = (6, 20)
_PHONE_MAX_LENGTH = 40


@registry.register
class TextField(FieldType):
    name = "text"


@registry.register
class LongTextField(FieldType):
    name = "textarea"
    template = "forms/fields/textarea.html"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        return super().parse_text({"max_length": 2000, **field}, value)


@registry.register
class EmailField(FieldType):
    name = "email"
    input_type = "email"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        value = super().parse_text({"max_length": 254, **field}, value)
        try:
            validate_email(value)
        except ValidationError:
            raise FieldError(_("Enter an e-mail address in the form name@example.de.")) from None
        return value


@registry.register
class PhoneField(FieldType):
    """A phone number as typed: digits, spaces, a leading +, /, - and brackets; 6 to 20 digits.

    Stored with runs of white space collapsed to one space, otherwise as typed, because people
    (and clerks calling back) read numbers in their own grouping.
    """

    name = "phone"
    template = "forms/fields/phone.html"
    input_type = "tel"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        value = " ".join(value.split())
        value = super().parse_text({"max_length": _PHONE_MAX_LENGTH}, value)
        if not _PHONE.fullmatch(value):
            raise FieldError(
                _(
                    "Enter a phone number using digits and, where needed, a leading +, spaces, "
                    "/, - or brackets, e.g. +49 6151 12345."
                )
            )
        if not _brackets_pair_up(value):
            raise FieldError(_("Check the brackets in the phone number, e.g. +49 (0)6151 12345."))
        digits = sum(char.isdigit() for char in value)
        low, high = _PHONE_DIGITS
        if not low <= digits <= high:
            raise FieldError(
                _(
                    "A phone number has %(min)d to %(max)d digits; you entered %(count)d. "
                    "Enter it with the area code, e.g. 06151 12345."
                )
                % {"min": low, "max": high, "count": digits}
            )
        return value


def _brackets_pair_up(value: str) -> bool:
    """Every ( is closed by a ) before the next (, with a digit inside."""
    open_at = None
    for position, char in enumerate(value):
        if char == "(":
            if open_at is not None:
                return False
            open_at = position
        elif char == ")":
            if open_at is None or not any(c.isdigit() for c in value[open_at:position]):
                return False
            open_at = None
    return open_at is None
