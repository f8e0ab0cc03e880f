"""Points in time: a calendar date and a time of day."""

import calendar
import datetime
import re
from typing import Any, ClassVar

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amtsweg.forms.registry import FieldError, FieldType, registry

_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
# 9:30, 09:30, 9.30 (the German way of writing a time), optionally followed by "Uhr" or "h".
_TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})(?: ?(?:uhr|h))?", re.ASCII | re.IGNORECASE)


@registry.register
class DateField(FieldType):
    """A calendar date, stored as ISO 8601 and entered as day, month and year in three labelled
    boxes (the KERN UX date pattern: typing is quicker than a calendar for dates one knows, and
    each box can say what is wrong with it). A single text sent under the field's own name
    (YYYY-MM-DD or the German DD.MM.YYYY, e.g. from the API) is accepted too.

    ``not_before_today``/``not_after_today`` restrict it to the future or the past.
    """

    name = "date"
    template = "forms/fields/date.html"
    input_type = "text"
    parts: ClassVar[tuple[str, ...]] = ("day", "month", "year")
    part_labels: ClassVar[dict[str, Any]] = {
        "day": gettext_lazy("Day"),
        "month": gettext_lazy("Month"),
        "year": gettext_lazy("Year"),
    }

    def read_parts(self, raw: dict[str, list[str]], name: str) -> dict[str, str]:
        if name in raw and not any(f"{name}.{part}" in raw for part in self.parts):
            return {"text": (raw[name] or [""])[0]}
        return super().read_parts(raw, name)

    def parse_parts(self, field: dict[str, Any], sent: dict[str, str]) -> Any:
        """The ISO date, or None when every box is empty; the error names the box to fix."""
        if "text" in sent:
            return self.parse(field, [sent["text"]])
        values = {part: sent.get(part, "").strip() for part in self.parts}
        if not any(values.values()):
            return None
        missing = [str(self.part_labels[part]) for part in self.parts if not values[part]]
        if missing:
            raise FieldError(_("Complete the date: %(parts)s.") % {"parts": ", ".join(missing)})
        if not all(value.isascii() and value.isdigit() for value in values.values()):
            raise FieldError(_("Enter day, month and year as digits, e.g. 24 12 1990."))
        day, month, year = (int(values[part]) for part in self.parts)
        if not 1 <= month <= 12:
            raise FieldError(_("Enter a month between 1 and 12."))
        if len(values["year"]) != 4 or year < 1000:
            raise FieldError(_("Enter the year with four digits, e.g. 1990."))
        last_day = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last_day:
            raise FieldError(
                _("Enter a day between 1 and %(last)d: this month has %(last)d days.")
                % {"last": last_day}
            )
        return self._in_range(field, datetime.date(year, month, day))

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
        return self._in_range(field, date)

    def _in_range(self, field: dict[str, Any], date: datetime.date) -> str:
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

    def as_input(self, field: dict[str, Any], value: Any) -> Any:
        """A stored ISO date as the three boxes show it (without leading zeros)."""
        try:
            date = datetime.date.fromisoformat(str(value))
        except ValueError:
            return {}
        return {"day": str(date.day), "month": str(date.month), "year": str(date.year)}

    def first_input_suffix(self, field: dict[str, Any]) -> str:
        return "-day"


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
