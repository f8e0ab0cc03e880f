"""Instructions per page of the citizen journey, counted by Valgrind (issue 9).

    python -m bench instructions            # 10 journeys; appends to docs/benchmarks.md
    python -m bench instructions --quick    # 1 journey: checks that it runs; prints only

Why: this machine's speed changes two- or threefold from hour to hour (docs/benchmarks.md),
so CPU times taken at different hours cannot show a change of a few per cent, and even
alternating measurements in one process need hundreds of journeys to. Valgrind's callgrind
counts the instructions the program executes, which do not depend on what else the machine
is doing: with the hash seed fixed, the same code gives the same count to 0.1 % per
journey and 0.2 % per page (what still varies are random UUIDs, tokens and keys; with a
random hash seed a journey's count moved by up to 0.8 %). A change's effect is the
difference between two runs, made at any hour, one after the other or side by side.

How: the journeys, answers and pages of ``bench pages`` (``bench/pages.py``), on a throwaway
SQLite installation migrated and given the demo outside Valgrind. The journeys then run in a
child process under ``valgrind --tool=callgrind``, which counts only inside a ctypes callback
(``--toggle-collect``) and writes its count each time one returns (``--dump-after``). Each
request is sent through such a callback, so each count is that one request's: none of
Django's start-up or of the warm-up journeys is in it. The test client's side of the request
(encoding the form, the cookies) and ``bench pages``' statement counter are.

What it does not count: the kernel's work in system calls, waiting, and a database server in
another process (so SQLite only, which runs inside the process). Instructions are not time
either (a cache miss costs more than an addition): this is the tool to compare two versions
of the code, not to predict requests per second.
"""

import argparse
import contextlib
import ctypes
import datetime
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report
from bench.backoffice import command_line, install_demo, throwaway_installation
from bench.load import UPLOAD_EVERY
from bench.pages import (
    SUBMIT_LABELS,
    WARM_UP,
    Journey,
    journey,
    submits,
    warmed_up,
)

ROOT = Path(__file__).resolve().parent.parent
#: The C function of ctypes that runs a Python callback: callgrind counts only inside it.
CALLBACK_FUNCTION = "_CallPythonObject"
FIRST_PAGE = "offering page GET"
LABELS_FILE = "labels.json"
DUMP_NAME = "callgrind.out"

log = report.progress("instructions")


class CountedJourney(Journey):
    """A browser whose every request runs inside a ctypes callback, where callgrind counts;
    the labels of the requests, in their order, are kept for the counts' dumps.

    Before each request the garbage is collected, outside the count: otherwise a collection
    of the oldest generation (some 18 million instructions) falls in whichever request the
    allocations before it happen to trigger it in, and moves when code elsewhere allocates
    more or less. So a request's collections are those its own allocations cause."""

    #: Of every counted request in this process, in order (``journey`` makes a browser per
    #: journey; the child writes them all out at the end).
    labels: list[str] = []

    def send(self, label: str, call: Callable[[], Any]) -> Any:
        outcome: dict[str, Any] = {}
        gc.collect()

        def counted() -> None:  # ctypes would print an exception and drop it
            try:
                outcome["answer"] = call()
            except BaseException as error:
                outcome["error"] = error

        ctypes.CFUNCTYPE(None)(counted)()
        self.labels.append(label)
        if "error" in outcome:
            raise outcome["error"]
        if "answer" not in outcome:  # e.g. a signal between the callback's start and its try
            raise RuntimeError(f"{label}: the counted request did not run to its end")
        return outcome["answer"]


def child(out_dir: Path, journeys: int) -> None:
    """In the counted process: Django set up, warm-up not counted, then ``journeys`` journeys
    and as many API submits and bare inserts, each request counted."""
    import amtsweg.wsgi  # noqa: F401 (set up as a web worker is: Django, then gc.freeze())

    offering_uuid, steps = warmed_up()
    pages: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for number in range(1, journeys + 1):
        journey(pages, steps, number % UPLOAD_EVERY == 0, CountedJourney)
        submits(pages, offering_uuid, 1, CountedJourney)
    (out_dir / LABELS_FILE).write_text(json.dumps(CountedJourney.labels))


def counted_run(journeys: int, out_dir: Path) -> list[tuple[str, int]]:
    """Run ``child`` under callgrind; each request's label and instruction count, in order."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--collect-atstart=no",
        f"--toggle-collect={CALLBACK_FUNCTION}",
        f"--dump-after={CALLBACK_FUNCTION}",
        f"--callgrind-out-file={out_dir / DUMP_NAME}",
        sys.executable,
        "-m",
        "bench",
        "instructions",
        "--child",
        str(out_dir),
        "--journeys",
        str(journeys),
    ]
    # A fixed hash seed: the order of sets of strings, and so the instructions, the same in
    # every run.
    environment = {**os.environ, "PYTHONHASHSEED": "0"}
    with (out_dir / "valgrind.log").open("w") as output:
        finished = subprocess.run(  # noqa: S603 (our own command line)
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    if finished.returncode:
        tail = (out_dir / "valgrind.log").read_text().splitlines()[-15:]
        raise SystemExit(f"the counted run ended with {finished.returncode}:\n" + "\n".join(tail))
    labels, counts = json.loads((out_dir / LABELS_FILE).read_text()), dump_counts(out_dir)
    if len(counts) != len(labels):
        raise SystemExit(
            f"callgrind wrote {len(counts)} counts for {len(labels)} requests: this Python's "
            f"ctypes module may lack the symbol {CALLBACK_FUNCTION} (a stripped build)"
        )
    return list(zip(labels, counts, strict=True))


def dump_counts(out_dir: Path) -> list[int]:
    """The instruction count of each numbered dump (``callgrind.out.1``, ``.2``, …), in order.
    The unnumbered file is the final dump, after the last callback: nothing counted."""
    dumps = sorted(out_dir.glob(f"{DUMP_NAME}.*"), key=lambda path: int(path.suffix[1:]))
    counts = []
    for path in dumps:
        with path.open() as lines:
            summary = next(line for line in lines if line.startswith("summary:"))
        counts.append(int(summary.split()[1]))
    return counts


def figures(counted: list[tuple[str, int]]) -> dict[str, Any]:
    """Counts per page, and per journey (from its first page up to the next one's; the API
    submits and bare inserts between journeys not in it)."""
    pages: dict[str, list[int]] = defaultdict(list)
    journeys: list[int] = []
    for label, count in counted:
        pages[label].append(count)
        if label == FIRST_PAGE:
            journeys.append(0)
        if label not in SUBMIT_LABELS:
            journeys[-1] += count
    return {"pages": dict(pages), "journeys": journeys}


def section(outcome: dict[str, Any]) -> str:
    """The dated section for docs/benchmarks.md."""
    from bench.run import machine

    spec, raw = machine(), outcome["raw"]
    lines = [
        f"## {outcome['started']}: instructions per page of the citizen journey "
        f"(`{outcome['command']}`)",
        "",
        f"- **Machine:** {spec['cpu']}, Python {spec['python']}, SQLite {spec['sqlite']}, "
        f"{outcome['valgrind']}; code: commit {spec['commit']}.",
        f"- **How:** the journeys of `bench pages` ({len(raw['journeys'])} counted after "
        f"{WARM_UP} not counted, every {UPLOAD_EVERY}th with an upload), each request's "
        "instructions counted by callgrind in the process that serves it "
        "(`bench/instructions.py`), the garbage collected before each outside the count. "
        "Not in it: the kernel's work, waiting.",
        "",
        "| page | requests | mean million instructions | min | max |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, counts in raw["pages"].items():
        lines.append(
            f"| {label} | {len(counts)} | {statistics.fmean(counts) / 1e6:.2f} | "
            f"{min(counts) / 1e6:.2f} | {max(counts) / 1e6:.2f} |"
        )
    api, baseline = (statistics.fmean(raw["pages"][label]) for label in SUBMIT_LABELS)
    lines += [
        "",
        f"- One whole journey: on average **{statistics.fmean(raw['journeys']) / 1e6:.1f} "
        "million** instructions.",
        f"- The API submit executes {api / baseline:.2f} times the bare insert's instructions.",
    ]
    return "\n".join(lines) + "\n"


def valgrind_version() -> str:
    """Valgrind's version for the section; a clear stop where it is not installed."""
    if shutil.which("valgrind") is None:
        raise SystemExit(
            "valgrind is not installed: `make bench` installs it (apt-get install valgrind)"
        )
    answer = subprocess.run(
        ["valgrind", "--version"],  # noqa: S607 (from the PATH, as `make bench` installs it)
        capture_output=True,
        text=True,
    )
    return answer.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench instructions", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 journey, prints only")
    parser.add_argument("--journeys", type=int, help="how many journeys (default 10)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    journeys = args.journeys or (1 if args.quick else 10)
    if args.child:
        child(args.child, journeys)
        return 0
    valgrind = valgrind_version()
    started = datetime.datetime.now().astimezone()
    with contextlib.ExitStack() as stack:
        stack.enter_context(throwaway_installation("instructions"))
        os.environ["AMTSWEG_BENCH_BASELINE"] = "1"  # the bare insert's URL, in the child too
        install_demo()
        from django.db import connections

        connections.close_all()  # the counted process opens the same SQLite file
        out_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="amtsweg-ir-")))
        log(f"journeys under callgrind: {journeys}, about 10 s each")
        raw = figures(counted_run(journeys, out_dir))
    outcome = {
        "started": started.isoformat(sep=" ", timespec="seconds"),
        "command": command_line("instructions", argv, args.quick),
        "valgrind": valgrind,
        "raw": raw,
    }
    report.publish(section(outcome), not args.quick and not args.no_write, log)
    return 0
