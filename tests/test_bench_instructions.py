"""``python -m bench instructions``: each request's instructions, counted by callgrind inside
the ctypes callback that sends it, are one request's and nothing else's."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench import instructions

ROOT = Path(__file__).resolve().parent.parent

#: Two requests, a hundred times as much work as each other, and one that fails, each sent
#: as ``CountedJourney`` sends a request. Work outside ``send`` must not be counted.
COUNTED_SCRIPT = """
import sys
from bench.instructions import CountedJourney

browser = CountedJourney({})
sum(range(10**6))  # not a request: not counted
browser.send("small", lambda: sum(range(10**3)))
sum(range(10**6))
browser.send("large", lambda: sum(range(10**5)))
try:
    browser.send("failing", lambda: 1 / 0)
except ZeroDivisionError:
    print("raised again")
print(",".join(CountedJourney.labels))
"""


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_each_request_is_counted_alone_in_its_own_dump(tmp_path):
    finished = subprocess.run(  # noqa: S603
        [  # noqa: S607 (valgrind from the PATH)
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            f"--toggle-collect={instructions.CALLBACK_FUNCTION}",
            f"--dump-after={instructions.CALLBACK_FUNCTION}",
            f"--callgrind-out-file={tmp_path / instructions.DUMP_NAME}",
            sys.executable,
            "-c",
            COUNTED_SCRIPT,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.split() == ["raised", "again", "small,large,failing"]
    small, large, failing = instructions.dump_counts(tmp_path)
    # The loop of a hundred times the length costs about a hundred times the instructions:
    # the counts hold the requests' own work, and not the million-step loops between them.
    assert 50 < large / small < 150
    assert small < 1_000_000
    assert 0 < failing < small


def test_dumps_are_read_in_the_order_they_were_written(tmp_path):
    for number, count in [(1, 5), (2, 7), (10, 11), (9, 13)]:
        (tmp_path / f"{instructions.DUMP_NAME}.{number}").write_text(
            f"version: 1\ncmd: python\npart: {number}\nsummary: {count}\ntotals: {count}\n"
        )
    (tmp_path / instructions.DUMP_NAME).write_text("summary: 0\n")  # the final dump

    assert instructions.dump_counts(tmp_path) == [5, 7, 13, 11]


def test_a_journey_sums_its_pages_and_leaves_the_submits_between_journeys_out():
    million = 1_000_000
    counted = [
        ("offering page GET", 8 * million),
        ("step GET", 10 * million),
        ("submit POST", 15 * million),
        ("baseline insert POST", 5 * million),
        ("API submit POST", 11 * million),
        ("offering page GET", 9 * million),
        ("step GET", 12 * million),
        ("submit POST", 16 * million),
        ("baseline insert POST", 5 * million),
        ("API submit POST", 13 * million),
        ("offering page GET", 10 * million),
        ("step GET", 14 * million),
        ("submit POST", 20 * million),
        ("baseline insert POST", 5 * million),
        ("API submit POST", 15 * million),
    ]

    raw = instructions.figures(counted)

    assert raw["journeys"] == [33 * million, 37 * million, 44 * million]
    assert raw["pages"]["API submit POST"] == [11 * million, 13 * million, 15 * million]
    text = instructions.section(
        {
            "started": "2026-11-27 00:00:00+00:00",
            "command": "make bench",
            "valgrind": "valgrind-3.19.0",
            "raw": raw,
        }
    )
    # Means: the third journey's dearer pages count in full.
    assert "| step GET | 3 | 12.00 | 10.00 | 14.00 |" in text
    assert "| baseline insert POST | 3 | 5.00 | 5.00 | 5.00 |" in text
    assert "on average **38.0 million** instructions" in text
    assert "executes 2.60 times the bare insert's instructions" in text
