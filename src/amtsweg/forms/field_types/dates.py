"""Points in time: a calendar date and a time of day."""

import datetime
import re
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from amtsweg.forms.registry import FieldError, FieldType, registry

_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# 9:30, 09:30, 9.30 (the German way of writing a time), optionally followed by "Uhr" or "h".
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?: ?(?:uhr|h))?", re.ASCII | re.IGNORECASE)


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
class TimeField(FieldType):
    """A time of day as hours and minutes, stored as ``HH:MM`` (24-hour clock)."""

    name = "time"
    template = "forms/fields/time.html"
    input_type = "time"

    def parse_text(self, field: dict[str, Any], value: str) -> Any:
        match = _TIME.fullmatch(value)
        hours, minutes = (int(part) for part in match.groups()) if match else (99, 99)
        if hours > 23 or minutes > 59:
            raise FieldError(
                _("Enter a time between 00:00 and 23:59 as hours and minutes, e.g. 14:05.")
            )
        return f"{hours:02d}:{minutes:02d}"
