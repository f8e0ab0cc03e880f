"""Django's ``date`` filter, with a shortcut for the formats that lists of cases use.

Django formats a date by splitting its format string with a regular expression and calling a
method per character on a new formatter object: some 57 µs for a date and time and 24 µs for a
date. An inbox page shows 25 cases with two dates each; its date columns took about 4 of its
37 ms of CPU, half of that in the formatting (issue 9, docs/benchmarks.md). The German formats
(``d.m.Y``, ``d.m.Y H:i``) consist only of numeric fields that Python's ``str.format`` writes
exactly as Django does; such a format is translated once into a format string and applied
directly, in about a fifth of the time. Everything else (another character, an escape, a
setting that is no format string, a value that is not a date, a date asked for its time) goes
to Django's own filter, so the output is Django's.

``TEMPLATES["OPTIONS"]["builtins"]`` loads this library after Django's, so it is the ``date``
of every template.
"""

import datetime
import functools

from django import template
from django.template import defaultfilters
from django.utils import formats

register = template.Library()

#: Django's format characters that ``str.format`` writes identically (``%02d`` and the like),
#: for dates and, below, for times.
_DATE_FIELDS = {
    "d": "{0.day:02d}",
    "j": "{0.day}",
    "m": "{0.month:02d}",
    "n": "{0.month}",
    "Y": "{0.year:04d}",
}
_TIME_FIELDS = {"H": "{0.hour:02d}", "G": "{0.hour}", "i": "{0.minute:02d}", "s": "{0.second:02d}"}


@functools.lru_cache(maxsize=64)
def _translated(django_format: str) -> tuple[str, bool] | None:
    """``django_format`` as a ``str.format`` pattern, and whether it asks for the time; None
    when it holds anything but the fields above and characters that stand for themselves."""
    pattern, has_time = [], False
    for character in django_format:
        if character in _DATE_FIELDS:
            pattern.append(_DATE_FIELDS[character])
        elif character in _TIME_FIELDS:
            pattern.append(_TIME_FIELDS[character])
            has_time = True
        elif character.isalpha() or character == "\\":
            return None
        else:
            pattern.append(character.replace("{", "{{").replace("}", "}}"))
    return "".join(pattern), has_time


@register.filter(expects_localtime=True, is_safe=False)
def date(value: object, arg: str | None = None) -> str:
    """As Django's ``date``: ``value`` in the format named or given by ``arg``."""
    if isinstance(value, datetime.date):
        django_format = formats.get_format(arg or "DATE_FORMAT")
        translated = _translated(django_format) if isinstance(django_format, str) else None
        if translated is not None:
            pattern, has_time = translated
            if not has_time or isinstance(value, datetime.datetime):
                return pattern.format(value)
    return defaultfilters.date(value, arg)
