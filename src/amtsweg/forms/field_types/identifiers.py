"""Numbers that identify something and carry their own checks: postcode, IBAN, tax ID, AGS."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from amtsweg.forms.registry import FieldError, FieldType, registry
from amtsweg.lib.iban import (
    MAX_LENGTH,
    MIN_LENGTH,
    IbanProblem,
    compact_iban,
    expected_length,
    group_iban,
    iban_problem,
)
from amtsweg.lib.keys import validate_ags
from amtsweg.lib.tax_id import TaxIdProblem, group_tax_id, tax_id_problem

_POSTCODE = re.compile(r"[0-9]{5}")
_SPACES = re.compile(r"[ \u00a0\u202f]")
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_AGS = re.compile(r"[0-9]{8}", re.ASCII)


@registry.register
class PostcodeField(FieldType):
    name = "postcode"
    input_type = "text"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if not _POSTCODE.fullmatch(value):
            raise FieldError(_("Enter a German postcode of exactly 5 digits, e.g. 64283."))
        return value


@registry.register
class IbanField(FieldType):
    """An IBAN; spaces and lower case are fine. Stored compact in upper case, shown in fours."""

    name = "iban"
    template = "forms/fields/iban.html"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        iban = compact_iban(value)
        problem = iban_problem(iban)
        if problem is None:
            return iban
        raise FieldError(self.message(iban, problem))

    def message(self, iban: str, problem: IbanProblem) -> str:
        country = iban[:2]
        check = _("Check it against your bank card or bank statement.")
        if problem is IbanProblem.SHAPE:
            return _(
                "Enter an IBAN: two letters for the country, two check digits and the account "
                "number, e.g. DE02 1203 0000 0000 2020 51."
            )
        if country == "DE" and problem is IbanProblem.LENGTH:
            return _(
                "A German IBAN has 22 characters: DE followed by 20 digits, e.g. "
                "DE02 1203 0000 0000 2020 51. You entered %(count)d characters."
            ) % {"count": len(iban)}
        if country == "DE" and problem is IbanProblem.STRUCTURE:
            return _("Enter an IBAN: DE followed by 20 digits, e.g. DE02 1203 0000 0000 2020 51.")
        if problem is IbanProblem.LENGTH:
            length = expected_length(country)
            if length is None:
                message = _(
                    "An IBAN has %(min)d to %(max)d characters; you entered %(count)d."
                ) % {"min": MIN_LENGTH, "max": MAX_LENGTH, "count": len(iban)}
            else:
                message = _(
                    "An IBAN starting with %(country)s has %(length)d characters; "
                    "you entered %(count)d."
                ) % {"country": country, "length": length, "count": len(iban)}
            return f"{message} {check}"
        if problem is IbanProblem.STRUCTURE:
            message = _(
                "An IBAN starting with %(country)s has letters and digits in other places."
            ) % {"country": country}
            return f"{message} {check}"
        message = _("This IBAN is not correct: a character may be mistyped or two swapped.")
        return f"{message} {check}"

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        return group_iban(value) if isinstance(value, str) else super().as_text(field, value)

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        return self.as_text(field, value)


@registry.register
class TaxIdField(FieldType):
    """The German tax identification number (Steuer-IdNr): 11 digits with a check digit.

    Spaces are fine (it is printed as 12 345 678 901); stored as 11 digits.
    """

    name = "tax_id"
    template = "forms/fields/tax_id.html"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        number = _SPACES.sub("", value)
        problem = tax_id_problem(number)
        if problem is None:
            return number
        where = _("Check it against your income tax assessment or your payslip.")
        if problem is TaxIdProblem.SHAPE and _ASCII_DIGITS.fullmatch(number):
            message = _("A tax identification number has 11 digits; you entered %(count)d.") % {
                "count": len(number)
            }
        elif problem is TaxIdProblem.SHAPE:
            message = _(
                "Enter your tax identification number: 11 digits, written like 12 345 678 901."
            )
        elif problem is TaxIdProblem.LEADING_ZERO:
            message = _("A tax identification number does not start with 0.")
        else:
            message = _(
                "This tax identification number is not correct: a digit may be mistyped or two "
                "swapped."
            )
        raise FieldError(f"{message} {where}")

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if isinstance(value, str) and len(value) == 11:
            return group_tax_id(value)
        return super().as_text(field, value)

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        return self.as_text(field, value)


@registry.register
class AgsField(FieldType):
    """The official municipality key (Amtlicher Gemeindeschlüssel): 8 digits, e.g. 06411000."""

    name = "ags"
    template = "forms/fields/ags.html"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        key = _SPACES.sub("", value)
        # [0-9] here, not validate_ags alone: its \d would let full-width digits through.
        if not _AGS.fullmatch(key):
            raise FieldError(
                _(
                    "Enter the official municipality key (AGS): 8 digits, "
                    "e.g. 06411000 for Darmstadt."
                )
            )
        try:
            validate_ags(key)
        except ValidationError:
            raise FieldError(
                _(
                    "The first two digits of the municipality key name the federal state and "
                    "go from 01 to 16, e.g. 06411000 for Darmstadt in Hesse."
                )
            ) from None
        return key
