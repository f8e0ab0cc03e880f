"""The ``date`` filter of every template (``amtsweg.core.templatetags.dates``) writes what
Django's own writes, for dates and times of every year, formats and settings of every kind and
both languages, and takes its shortcut for the formats the back office's lists use."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template, engines
from django.template import defaultfilters as django_filters
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from amtsweg.core.templatetags import dates

FORMATS = [
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "d.m.Y",
    "j.n.Y G:i:s",
    "Y-m-d H:i",
    "y",  # a field without a shortcut
    r"\d\e\n d.m.",  # escapes
    r"\d.m.Y",  # an escaped field, else all shortcut fields
    r"d.m.Y \H",
    "FIRST_DAY_OF_WEEK",  # a setting that is no format string
    "D, d. F Y",  # names
    "{d}.m.Y %",  # characters that mean something to str.format or strftime
    "",
]
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

naive_moments = st.datetimes(
    min_value=datetime.datetime(1, 1, 2), max_value=datetime.datetime(9999, 12, 30)
)
moments = naive_moments.map(lambda moment: moment.replace(tzinfo=datetime.UTC))
days = st.dates()


def rendered(value: object, format_name: str) -> str:
    return Template("{{ value|date:format }}").render(
        Context({"value": value, "format": format_name})
    )


def djangos(value: object, format_name: str) -> str:
    """What Django's own ``date`` filter writes, after the same conversion to local time."""
    local = timezone.template_localtime(value)
    try:
        return django_filters.date(local, format_name)
    except TypeError as error:  # a date asked for its time: the template raises it too
        return f"TypeError: {error}"


def ours(value: object, format_name: str) -> str:
    try:
        return rendered(value, format_name)
    except TypeError as error:
        return f"TypeError: {error}"


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(moments, naive_moments, days),
    st.sampled_from(FORMATS),
    st.sampled_from(["de", "en"]),
)
def test_every_value_format_and_language_as_django_writes_it(value, format_name, language):
    with translation.override(language), timezone.override(BERLIN):
        assert ours(value, format_name) == djangos(value, format_name)


@pytest.mark.parametrize("value", [None, "", "2026-11-26", 42, datetime.time(9, 30)])
def test_what_is_not_a_date_goes_to_django(value):
    for format_name in ("SHORT_DATE_FORMAT", "H:i"):
        assert rendered(value, format_name) == django_filters.date(value, format_name)


def test_the_filter_of_every_template_is_this_one():
    """Also where a template loads other libraries: none of them brings a ``date`` of its own."""
    engine = engines["django"].engine
    last = next(lib for lib in reversed(engine.template_builtins) if "date" in lib.filters)
    assert last.filters["date"] is dates.date
    dates._translated.cache_clear()
    moment = datetime.datetime(2026, 3, 5, 7, 4, tzinfo=datetime.UTC)
    template = Template(
        "{% load i18n tz l10n %}{{ moment|date:'SHORT_DATETIME_FORMAT' }} "
        "{% localtime off %}{{ moment|date:'SHORT_DATETIME_FORMAT' }}{% endlocaltime %}"
    )
    with translation.override("de"), timezone.override(BERLIN):
        assert template.render(Context({"moment": moment})) == "05.03.2026 08:04 05.03.2026 07:04"
    assert dates._translated.cache_info().hits == 1


def test_the_lists_formats_take_the_shortcut():
    """The German formats of the inbox's columns are translated, and once per format."""
    dates._translated.cache_clear()
    moment = datetime.datetime(2026, 3, 5, 7, 4, tzinfo=datetime.UTC)
    with translation.override("de"), timezone.override(BERLIN):
        assert rendered(moment, "SHORT_DATETIME_FORMAT") == "05.03.2026 08:04"
        assert rendered(moment.date(), "SHORT_DATE_FORMAT") == "05.03.2026"
        rendered(moment, "SHORT_DATETIME_FORMAT")
    assert dates._translated("d.m.Y H:i") == (
        "{0.day:02d}.{0.month:02d}.{0.year:04d} {0.hour:02d}:{0.minute:02d}",
        True,
    )
    info = dates._translated.cache_info()
    assert (info.misses, info.hits) == (2, 2)  # each format translated once
    assert dates._translated("D, d. F Y") is None
