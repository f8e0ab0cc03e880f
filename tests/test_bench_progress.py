"""The benchmarks' progress lines stay in UTC when Django moves the process's time zone."""

import datetime
import os
import re
import time

import pytest
from bench import report


@pytest.fixture
def berlin_time():
    """The process in Europe/Berlin, as Django leaves it after ``setup()`` (``TIME_ZONE``)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Berlin"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_progress_lines_carry_the_part_and_the_utc_time(berlin_time, capsys):
    assert time.localtime().tm_gmtoff != 0  # the local time really is not UTC here
    report.progress("pages")("40 journeys")
    report.progress("")("sqlite: migrate")
    pages, runner = capsys.readouterr().err.splitlines()
    stamp = re.fullmatch(r"\[bench pages (\d\d:\d\d:\d\d)\] 40 journeys", pages)
    assert stamp, pages
    assert re.fullmatch(r"\[bench \d\d:\d\d:\d\d\] sqlite: migrate", runner), runner
    printed = datetime.datetime.strptime(stamp.group(1), "%H:%M:%S").time()
    now = datetime.datetime.now(datetime.UTC)
    seconds_apart = abs(
        (now.hour * 3600 + now.minute * 60 + now.second)
        - (printed.hour * 3600 + printed.minute * 60 + printed.second)
    )
    assert min(seconds_apart, 86400 - seconds_apart) <= 2
