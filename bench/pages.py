"""The pages of the citizen journey (issue 9, point 2): CPU and statements per page, in process.

    python -m bench pages            # 40 journeys; appends to docs/benchmarks.md
    python -m bench pages --quick    # 5 journeys: checks that it runs; prints only
    python -m bench pages --database postgres    # the same on PostgreSQL

A throwaway installation is migrated and gets the demo: SQLite in a temporary directory, or
the PostgreSQL database ``amtsweg_bench_pages`` (``--postgres-url`` or ``BENCH_PAGES_URL``
for another), dropped and created again and dropped at the end; a quick run uses one of its
own beside it (``<name>_quick_<pid>``, see ``bench.backoffice.run_database``). Then
this one process drives whole journeys through Django's test client (no HTTP server, no
network; DEBUG off), the same pages and answers as the load generator's ``journey``
(``bench/load.py``): the offering page of Darmstadt's dog tax, "start", each step page fetched
and posted, the summary, the submit and the confirmation; every fifth journey asks for the
exemption and uploads a 20 KB PDF. Two journeys warm up (templates, caches) and are not counted.
Then the same process sends as many API submits (``POST /api/v1/offerings/<uuid>/submissions``,
a new ``Idempotency-Key`` each) and bare inserts (the baseline view of ``bench/run.py``),
alternating, so that the submit's CPU can be compared with the baseline's in one run.

Reported per page: the median CPU time of this process (``time.process_time``, which a busy
machine inflates far less than the wall time) and the SQL statements; on PostgreSQL also the
CPU time of the server process that serves this process's connection, read from Linux's
``/proc/<pid>/schedstat`` when the server runs on this machine (else the column is left out
and the section says so). For a whole journey, and for the API submit against the bare insert,
the two are added: on one machine the server's CPU comes out of the same two cores. The CPU a
web worker spends per page is what limits the journeys per second of a 2-core machine, so
this is the figure to compare before and after a change, back to back. ``--profile`` prints
where that time goes (cProfile, cumulative).
"""

import argparse
import contextlib
import cProfile
import datetime
import functools
import io
import os
import pstats
import socket
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import report
from bench.backoffice import (
    command_line,
    install_demo,
    load_average,
    run_database,
    throwaway_installation,
)
from bench.load import (
    FORM_ENCODED,
    MULTIPART_FORM_RE,
    PDF,
    REFERENCE_RE,
    UPLOAD_EVERY,
    upload_plan,
)
from bench.run import bench_postgres_url
from tests.form_filling import valid_step_post

MUNICIPALITY, OFFERING = "darmstadt", "hundesteuer"
WARM_UP = 2
#: The rows of ``submits``: the API submit, then the bare insert it is compared with.
SUBMIT_LABELS = ("API submit POST", "baseline insert POST")
#: CPU per page that 60 journeys/s on 2 cores leave (2 cores ÷ (60 × 11 requests)).
TARGET_MS = 3.0


log = report.progress("pages")


class _Counted:
    """A database execute wrapper that counts statements (cheaper than capturing them)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def server_cpu_ns() -> tuple[int, int] | None:
    """The PostgreSQL server process behind this process's connection, and the CPU time it
    has used so far in ns (Linux's ``/proc/<pid>/schedstat``); None on SQLite, which runs in
    this process, and where that server process is not one of this machine's (another machine,
    a container). Only that one process: the server's background writers are not in it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        if not backend_serves(pid, connection.settings_dict["NAME"], connection.connection):
            return None
        return pid, int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def backend_serves(pid: int, database: str, client: Any) -> bool:
    """Whether this machine's process ``pid`` is the PostgreSQL server process at the other end
    of the psycopg connection ``client``: its title names the database and this end of the
    socket (``host(port)``, or ``[local]`` for a Unix socket). The server's own pid is not
    enough: in a container it may be the number of an unrelated process here.

    Raises OSError when there is no such process."""
    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().split()
    with socket.socket(fileno=os.dup(client.pgconn.socket)) as ours:
        address = ours.getsockname()
    this_end = f"({address[1]})" if isinstance(address, tuple) else "[local]"
    return (
        title[:1] == ["postgres:"]
        and database in title
        and any(word.endswith(this_end) for word in title)
    )


@functools.cache
def _shared_handler() -> Any:
    """One request handler for every browser of this process, as a web worker has one: a new
    test client loads the middleware again at its first request (about a tenth of the
    offering page's instructions), which a served worker does once."""
    from django.test.client import ClientHandler

    return ClientHandler(enforce_csrf_checks=False)  # as Client() makes it


class Journey:
    """One applicant's browser: a test client whose requests are timed and counted."""

    def __init__(self, pages: dict[str, dict[str, list[float]]]) -> None:
        from django.test import Client

        self.client = Client(HTTP_ACCEPT_LANGUAGE="de")
        self.client.handler = _shared_handler()
        self.pages = pages
        self.cpu_ms = 0.0
        self.server_ms: float | None = 0.0  # None once a request's server time is not seen

    def request(
        self,
        label: str,
        path: str,
        data: Any = None,
        expect: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> Any:
        """One request; ``data`` as a string is sent as a body of ``content_type``, otherwise
        as a multipart form."""
        from django.db import connection

        counted = _Counted()
        post = {"content_type": content_type} if isinstance(data, str) else {}
        server_before = server_cpu_ns()  # read outside the process's timed part
        with connection.execute_wrapper(counted):
            started = time.process_time()
            answer = self.send(
                label,
                lambda: (
                    self.client.get(path)
                    if data is None
                    else self.client.post(path, data, headers=headers, **post)
                ),
            )
            took = (time.process_time() - started) * 1000
        server_after = server_cpu_ns()
        if answer.status_code != expect:
            raise SystemExit(f"{label} {path} answered {answer.status_code}, not {expect}")
        self.pages[label]["cpu"].append(took)
        self.pages[label]["statements"].append(counted.count)
        self.cpu_ms += took
        if server_before and server_after and server_before[0] == server_after[0]:
            server = (server_after[1] - server_before[1]) / 1e6
            self.pages[label]["server"].append(server)
            if self.server_ms is not None:
                self.server_ms += server
        else:
            self.server_ms = None
        return answer

    def send(self, label: str, call: Callable[[], Any]) -> Any:
        """The request itself (``bench.instructions`` counts its instructions here)."""
        return call()


def journey(
    pages: dict[str, dict[str, list[float]]],
    steps: list[dict[str, Any]],
    with_upload: bool,
    browser_class: type[Journey] = Journey,
) -> tuple[float, float | None]:
    """One application from the offering page to the confirmation; its CPU time in ms, in
    this process and in the database server (None where that is not seen)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    by_key = {step["key"]: step for step in steps}
    upload = upload_plan(steps) if with_upload else None
    browser = browser_class(pages)
    browser.request(
        "offering page GET", reverse("catalog:offering", args=[MUNICIPALITY, OFFERING])
    )
    start = reverse("submissions:start", args=[MUNICIPALITY, OFFERING])
    location = browser.request("start POST", start, {}, expect=302)["Location"]
    while "/schritt/" in location:
        key = location.split("/schritt/")[1].strip("/")
        page = browser.request("step GET", location)
        post: dict[str, Any] = valid_step_post(by_key[key])
        label = "step POST"
        if upload and upload[0] == key:
            post[upload[2]] = ["yes"]
            post[upload[1]] = SimpleUploadedFile("nachweis.pdf", PDF, "application/pdf")
            label = "step POST (upload)"
        if MULTIPART_FORM_RE.search(page.content):  # sent as a browser sends the form
            answer = browser.request(label, location, post, expect=302)
        else:
            plain = urlencode(post, doseq=True)
            answer = browser.request(label, location, plain, 302, content_type=FORM_ENCODED)
        location = answer["Location"]
    if "/zusammenfassung/" not in location:
        raise SystemExit(f"the journey ended at {location} instead of the summary")
    browser.request("summary GET", location)
    confirmation = browser.request("submit POST", location, {}, expect=302)["Location"]
    answer = browser.request("confirmation GET", confirmation)
    if not REFERENCE_RE.search(answer.content):
        raise SystemExit("the confirmation shows no reference number")
    return browser.cpu_ms, browser.server_ms


def submits(
    pages: dict[str, dict[str, list[float]]],
    offering_uuid: str,
    count: int,
    browser_class: type[Journey] = Journey,
) -> None:
    """``count`` API submits and as many bare inserts, alternating, with the data set of the
    load generator's ``api`` scenario."""
    import datetime as dt
    import json
    import uuid

    from amtsweg.demo.forms import hundesteuer
    from amtsweg.demo.forms.common import DemoApplicant

    applicant = DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345")
    body = json.dumps(
        {"data": hundesteuer.sample_answers(applicant, "64283", "Darmstadt", dt.date.today())}
    )
    client = browser_class(pages)
    for _ in range(count):
        client.request("baseline insert POST", f"/_bench/insert/{offering_uuid}", body, expect=201)
        client.request(
            "API submit POST",
            f"/api/v1/offerings/{offering_uuid}/submissions",
            body,
            expect=201,
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )


def warmed_up() -> tuple[str, list[dict[str, Any]]]:
    """The dog tax offering's UUID and steps, after journeys and submits not counted
    (templates compiled, caches filled)."""
    from amtsweg.catalog.models import Offering

    offering = Offering.objects.get(municipality__slug=MUNICIPALITY, slug=OFFERING)
    steps = offering.solution_version.form_definition["steps"]
    for number in range(WARM_UP):
        journey(defaultdict(lambda: defaultdict(list)), steps, number == 0)
        submits(defaultdict(lambda: defaultdict(list)), str(offering.uuid), 1)
    return str(offering.uuid), steps


def measure(journeys: int, profile: str | None) -> dict[str, Any]:
    install_demo()
    offering_uuid, steps = warmed_up()
    pages: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    totals, server_totals = [], []
    profiler = cProfile.Profile() if profile else None
    for number in range(1, journeys + 1):
        if profiler:
            profiler.enable()
        cpu_ms, server_ms = journey(pages, steps, number % UPLOAD_EVERY == 0)
        submits(pages, offering_uuid, 1)
        if profiler:
            profiler.disable()
        totals.append(cpu_ms)
        if server_ms is not None:
            server_totals.append(server_ms)
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(profile).print_stats(60)
        print(out.getvalue(), file=sys.stderr)
    return {"pages": pages, "journey_cpu_ms": totals, "journey_server_ms": server_totals}


def section(outcome: dict[str, Any]) -> str:
    from bench.run import machine

    spec, raw = machine(), outcome["raw"]
    database = outcome["database"]
    # Complete only if every request's server time was seen (one missing would flatter).
    with_server = all(
        len(figures["server"]) == len(figures["cpu"]) for figures in raw["pages"].values()
    )
    if with_server:
        how = (
            ", and of the PostgreSQL server process behind its connection "
            "(`/proc/<pid>/schedstat`; the server's background writers are not in it)."
        )
    else:
        how = ", the database server's not included." if database == "PostgreSQL" else "."
    lines = [
        f"## {outcome['started']}: pages of the citizen journey on {database} "
        f"(`{outcome['command']}`)",
        "",
        f"- **Machine:** {spec['cores']} cores ({spec['cpu']}), {spec['memory_gib']} GiB, "
        f"Python {spec['python']}, {database} {outcome['database_version']}; "
        f"code: commit {spec['commit']}.",
        f"- **How:** {len(raw['journey_cpu_ms'])} dog-tax journeys of Darmstadt through "
        f"Django's test client in one process (`bench/pages.py`, DEBUG off, {database}), after "
        f"{WARM_UP} not counted; CPU time of the process per request" + how,
        f"- **Load on the machine:** {outcome['load']}",
        "",
    ]
    server_column = " median CPU ms of its server process |" if with_server else ""
    lines += [
        f"| page | requests | median CPU ms |{server_column} statements (max) |",
        "| --- " + "| ---: " * (4 if with_server else 3) + "|",
    ]
    for label, figures in raw["pages"].items():
        median, statements = statistics.median(figures["cpu"]), max(figures["statements"])
        server = f" {statistics.median(figures['server']):.1f} |" if with_server else ""
        lines.append(
            f"| {label} | {len(figures['cpu'])} | {median:.1f} |{server} {statements:.0f} |"
        )

    def spent(figures: dict[str, list[float]]) -> list[float]:
        """Each request's (or journey's) CPU time, the server's added where it was seen."""
        if not with_server:
            return figures["cpu"]
        return [sum(pair) for pair in zip(figures["cpu"], figures["server"], strict=True)]

    per_journey = statistics.median(
        spent({"cpu": raw["journey_cpu_ms"], "server": raw["journey_server_ms"]})
    )
    journey_pages = [f for label, f in raw["pages"].items() if label not in SUBMIT_LABELS]
    requests = sum(len(figures["cpu"]) for figures in journey_pages)
    per_request = sum(sum(spent(figures)) for figures in journey_pages) / requests
    api, baseline = (statistics.median(spent(raw["pages"][label])) for label in SUBMIT_LABELS)
    whose = (
        f"this process's and its server process's (median "
        f"{statistics.median(raw['journey_server_ms']):.1f} ms in the server process)"
        if with_server
        else "this process's"
    )
    lines += [
        "",
        f"- One whole journey: median **{per_journey:.1f} ms** of CPU, {whose}; "
        f"{per_request:.1f} ms per request on average (target for 60 journeys/s on 2 cores: "
        f"about {TARGET_MS:.0f} ms per request, the submit included).",
        f"- The API submit costs {api / baseline:.1f} times the bare insert's CPU, so at best "
        f"it reaches **{baseline / api:.0%} of the baseline's rate** (the issue asks for 50 %).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pages", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 journeys, prints only")
    parser.add_argument("--journeys", type=int, help="how many journeys (default 40)")
    parser.add_argument(
        "--database", choices=("sqlite", "postgres"), default="sqlite", help="default: sqlite"
    )
    parser.add_argument(
        "--postgres-url",
        help="with --database postgres: a database this may drop and create (default: "
        "$BENCH_PAGES_URL, else amtsweg_bench_pages on this machine's server, through its Unix "
        "socket where it answers; a quick run uses one of its own beside it)",
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="cumulative",
        metavar="SORT",
        help="print a cProfile of the journeys, sorted by SORT (default cumulative; tottime)",
    )
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args(argv)
    journeys = args.journeys or (5 if args.quick else 40)
    started = datetime.datetime.now().astimezone()
    with contextlib.ExitStack() as stack:
        postgres_url = None
        if args.database == "postgres":
            url = args.postgres_url or bench_postgres_url("BENCH_PAGES_URL", "amtsweg_bench_pages")
            postgres_url = stack.enter_context(run_database(url, quick=args.quick, say=log))
            if postgres_url is None:
                return 0 if args.quick else 1
        log(f"{journeys} journeys and {journeys} API submits and bare inserts in one process")
        database, version = stack.enter_context(throwaway_installation("pages", postgres_url))
        os.environ["AMTSWEG_BENCH_BASELINE"] = "1"  # read when the URLs are first loaded
        raw = measure(journeys, args.profile)
    outcome = {
        "started": started.isoformat(sep=" ", timespec="seconds"),
        "command": command_line("pages", argv, args.quick),
        "load": load_average(),
        "database": database,
        "database_version": version,
        "raw": raw,
    }
    write = not args.quick and not args.no_write and not args.profile
    report.publish(section(outcome), write, log)
    return 0
