"""The built-in field types. Each registers itself with the registry on import."""

import datetime
import re
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import formats
from django.utils.translation import gettext as _

from amtsweg.forms.registry import FieldError, FieldType, registry
from amtsweg.forms.text import localized

_POSTCODE = re.compile(r"\d{5}")
_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


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
class PostcodeField(FieldType):
    name = "postcode"
    input_type = "text"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if not _POSTCODE.fullmatch(value):
            raise FieldError(_("Enter a German postcode of exactly 5 digits, e.g. 64283."))
        return value


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


@registry.register
class DateField(FieldType):
    """A calendar date, stored as ISO 8601; accepts YYYY-MM-DD and the German DD.MM.YYYY.

    ``not_before_today``/``not_after_today`` restrict it to the future or the past.
    """

    name = "date"
    input_type = "date"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        german = _DATE_DE.fullmatch(value)
        try:
            if german:
                day, month, year = (int(part) for part in german.groups())
                date = datetime.date(year, month, day)
            else:
                date = datetime.date.fromisoformat(value)
        except ValueError:
            raise FieldError(_("Enter a real date, e.g. 24.12.2026.")) from None
        today = datetime.date.today()
        if field.get("not_after_today") and date > today:
            raise FieldError(_("The date must be today or in the past."))
        if field.get("not_before_today") and date < today:
            raise FieldError(_("The date must be today or in the future."))
        return date.isoformat()

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if not value:
            return ""
        return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")


@registry.register
class ChoiceField(FieldType):
    """One of ``options`` (each ``{"value": ..., "label": ...}``), shown as radio buttons."""

    name = "choice"
    template = "forms/fields/radio.html"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if value not in {option["value"] for option in field.get("options", [])}:
            raise FieldError(_("Choose one of the options shown."))
        return value

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        labels = {choice["value"]: choice["label"] for choice in self.choices(field)}
        return labels.get(value, value)

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [
            {"value": option["value"], "label": localized(option["label"])}
            for option in field.get("options", [])
        ]

    def check_definition(self, field: dict[str, Any]) -> list[str]:
        values = [option.get("value") for option in field.get("options", [])]
        if not values:
            return [f"Field {field['key']!r} of type choice has no options."]
        if len(values) != len(set(values)):
            return [f"Field {field['key']!r} has duplicate option values."]
        return []


@registry.register
class YesNoField(FieldType):
    """A yes/no question, stored as true/false."""

    name = "yesno"
    template = "forms/fields/yesno.html"
    values: ClassVar[dict[str, bool]] = {"yes": True, "no": False}

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        if value not in self.values:
            raise FieldError(_("Choose yes or no."))
        return self.values[value]

    def as_text(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return _("Yes") if value else _("No")

    def as_input(self, field: dict[str, Any], value: Any) -> str:
        if value is None:
            return ""
        return "yes" if value else "no"

    def choices(self, field: dict[str, Any]) -> list[dict[str, str]]:
        return [{"value": "yes", "label": _("Yes")}, {"value": "no", "label": _("No")}]


@registry.register
class NoticeBlock(FieldType):
    """Static text shown to the applicant; holds no data."""

    name = "notice"
    template = "forms/fields/notice.html"
    holds_data = False
