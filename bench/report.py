"""The figures of one benchmark run as a Markdown section for docs/benchmarks.md."""

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: The figures issue 9 asks for (on a 2-core machine).
JOURNEYS_PER_SECOND = 60
PAGE_P95_MS = 150
SUBMITS_PER_SECOND = {"postgres": 300, "sqlite": 200}
SUBMIT_P95_MS = 100
BASELINE_SHARE = 0.5
WEB_RSS_MB = 200
TARGET_LEVEL = 50
ERROR_FREE_LEVEL = 200

DATABASE_NAMES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def progress(part: str) -> Callable[[str], None]:
    """What a part of the suite prints on stderr while it runs: ``[bench pages 08:59:31] …``.

    The time is UTC: Django sets the process's time zone (``TIME_ZONE``) when it starts, so the
    local time jumped by an hour in the middle of the in-process parts' output."""
    prefix = f"[bench {part}" if part else "[bench"

    def log(message: str) -> None:
        print(
            f"{prefix} {time.strftime('%H:%M:%S', time.gmtime())}] {message}",
            file=sys.stderr,
            flush=True,
        )

    return log


def _run(database: dict[str, Any], scenario: str, level: int) -> dict[str, Any] | None:
    return next(
        (
            run
            for run in database["runs"]
            if run["scenario"] == scenario and run["concurrency"] == level
        ),
        None,
    )


def _levels(database: dict[str, Any]) -> list[int]:
    return sorted({run["concurrency"] for run in database["runs"]})


def _latency(page: dict[str, Any] | None) -> str:
    if not page:
        return "–"
    return f"{page['p50_ms']:.0f} / {page['p95_ms']:.0f} / {page['p99_ms']:.0f}"


def _page_order(database: dict[str, Any], label: str) -> tuple[int, int, str]:
    if label.startswith("offering"):
        return (0, 0, label)
    if label.startswith("start"):
        return (1, 0, label)
    if label.startswith("step "):
        key = label.split()[1]
        position = database["steps"].index(key) if key in database["steps"] else 99
        return (2, position, label)
    rest = ["summary GET", "submit POST", "confirmation GET"]
    return (3, rest.index(label) if label in rest else 9, label)


def _slowest_page(run: dict[str, Any]) -> tuple[str, float]:
    label, page = max(run["pages"].items(), key=lambda item: item[1]["p95_ms"])
    return label, page["p95_ms"]


def _errors(run: dict[str, Any] | None) -> str:
    if run is None:
        return "–"
    if not run["error_count"]:
        return "0"
    kinds = ", ".join(f"{kind} × {n}" for kind, n in sorted(run["errors"].items()))
    return f"{run['error_count']} ({kinds})"


def _per_second(run: dict[str, Any] | None) -> float:
    return run["per_second"] if run else 0.0


def _ratio(database: dict[str, Any], level: int) -> float | None:
    api, baseline = _run(database, "api", level), _run(database, "baseline", level)
    if not api or not baseline or not baseline["per_second"]:
        return None
    return api["per_second"] / baseline["per_second"]


def _yes(reached: bool) -> str:
    return "**yes**" if reached else "**no**"


def journeys_table(outcome: dict[str, Any]) -> list[str]:
    lines = [
        "| database | applicants | journeys/s | submits/s | submit p50 / p95 / p99 ms | "
        "slowest page (p95 ms) | errors | generator CPU |",
        "| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |",
    ]
    for database in outcome["databases"]:
        for level in _levels(database):
            run = _run(database, "journey", level)
            if run is None:
                continue
            submit = run["pages"].get("submit POST")
            submits = submit["count"] / run["seconds"] if submit else 0.0
            slowest, p95 = _slowest_page(run) if run["pages"] else ("–", 0.0)
            lines.append(
                f"| {DATABASE_NAMES[database['database']]} | {level} | "
                f"{run['per_second']:.1f} | {submits:.1f} | {_latency(submit)} | "
                f"{slowest} ({p95:.0f}) | {_errors(run)} | "
                f"{100 * run['generator_cpu_s'] / run['seconds']:.0f} % of a core |"
            )
    return lines


def pages_tables(outcome: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for database in outcome["databases"]:
        levels = [lvl for lvl in _levels(database) if _run(database, "journey", lvl)]
        labels = sorted(
            {label for lvl in levels for label in _run(database, "journey", lvl)["pages"]},  # type: ignore[index]
            key=lambda label: _page_order(database, label),
        )
        lines += [
            "",
            f"{DATABASE_NAMES[database['database']]}, latency of each page in ms "
            "(p50 / p95 / p99):",
            "",
            "| page | " + " | ".join(f"{lvl} applicants" for lvl in levels) + " |",
            "| --- |" + " ---: |" * len(levels),
        ]
        for label in labels:
            cells = [
                _latency(_run(database, "journey", lvl)["pages"].get(label))  # type: ignore[index]
                for lvl in levels
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def submit_table(outcome: dict[str, Any]) -> list[str]:
    lines = [
        "| database | applicants | API submits/s | API p50 / p95 / p99 ms | baseline inserts/s "
        "| baseline p50 / p95 / p99 ms | API ÷ baseline | errors (API; baseline) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for database in outcome["databases"]:
        for level in _levels(database):
            api, baseline = _run(database, "api", level), _run(database, "baseline", level)
            ratio = _ratio(database, level)
            lines.append(
                f"| {DATABASE_NAMES[database['database']]} | {level} | {_per_second(api):.1f} | "
                f"{_latency(api['pages'].get('API submit POST') if api else None)} | "
                f"{_per_second(baseline):.1f} | "
                f"{_latency(baseline['pages'].get('baseline insert POST') if baseline else None)}"
                f" | {'–' if ratio is None else f'{100 * ratio:.0f} %'} | "
                f"{_errors(api)}; {_errors(baseline)} |"
            )
    return lines


def cpu_table(outcome: dict[str, Any]) -> list[str]:
    lines = [
        "| database | applicants | scenario | web workers | database server | task worker | "
        "load generator | other processes | idle | CPU ms per request: web (+ database) |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    cores = outcome["machine"]["cores"]
    for database in outcome["databases"]:
        for run in database["runs"]:
            cpu = run.get("cpu_percent")
            if not cpu:
                continue
            sqlite = database["database"] == "sqlite"
            server = "–" if sqlite else f"{cpu['database']:.0f} %"
            per_request = ""
            if run["requests"]:
                ms = 10 * cores * run["seconds"] / run["requests"]  # % of all cores → ms
                per_request = f"{cpu['web'] * ms:.1f}"
                per_request += "" if sqlite else f" (+ {cpu['database'] * ms:.1f})"
            lines.append(
                f"| {DATABASE_NAMES[database['database']]} | {run['concurrency']} | "
                f"{run['scenario']} | {cpu['web']:.0f} % | {server} | {cpu['task']:.0f} % | "
                f"{cpu['generator']:.0f} % | {cpu['other']:.0f} % | {cpu['idle']:.0f} % | "
                f"{per_request} |"
            )
    return lines


def memory_table(outcome: dict[str, Any]) -> list[str]:
    lines = [
        "| database | web workers | peak RSS of a web worker | peak RSS of the task worker |",
        "| --- | ---: | ---: | ---: |",
    ]
    for database in outcome["databases"]:
        memory = database["memory_mb"]
        task = f"{memory['task']:.0f} MB" if outcome["task_worker"] else "not started"
        lines.append(
            f"| {DATABASE_NAMES[database['database']]} | {memory['web_workers']} | "
            f"{memory['web']:.0f} MB | {task} |"
        )
    return lines


#: A row of a table with a column per database: its title, and what its cell says of one.
Row = tuple[str, Callable[[dict[str, Any]], str]]


def _per_database(heading: str, databases: list[dict[str, Any]], rows: list[Row]) -> list[str]:
    names = " | ".join(DATABASE_NAMES[database["database"]] for database in databases)
    lines = [f"| {heading} | {names} |", "| --- |" + " --- |" * len(databases)]
    for title, cell in rows:
        lines.append(f"| {title} | " + " | ".join(cell(d) for d in databases) + " |")
    return lines


def targets_table(outcome: dict[str, Any]) -> list[str]:
    def journeys(database: dict[str, Any]) -> str:
        run = _run(database, "journey", TARGET_LEVEL)
        if run is None or not run["pages"]:
            return "not measured"
        _, p95 = _slowest_page(run)
        reached = run["per_second"] >= JOURNEYS_PER_SECOND and p95 < PAGE_P95_MS
        return f"{run['per_second']:.1f}/s, slowest p95 {p95:.0f} ms: {_yes(reached)}"

    def error_free(database: dict[str, Any]) -> str:
        run = _run(database, "journey", ERROR_FREE_LEVEL)
        if run is None:
            return "not measured"
        return f"{run['error_count']} errors: {_yes(run['error_count'] == 0)}"

    def submit_rate(database: dict[str, Any]) -> str:
        run = _run(database, "api", TARGET_LEVEL)
        if run is None:
            return "not measured"
        goal = SUBMITS_PER_SECOND[database["database"]]
        return f"{run['per_second']:.1f}/s (goal {goal}): {_yes(run['per_second'] >= goal)}"

    def submit_p95(database: dict[str, Any]) -> str:
        parts = []
        for label, scenario, page in (
            ("API", "api", "API submit POST"),
            ("form", "journey", "submit POST"),
        ):
            run = _run(database, scenario, TARGET_LEVEL)
            if run and page in run["pages"]:
                p95 = run["pages"][page]["p95_ms"]
                parts.append(f"{label} {p95:.0f} ms: {_yes(p95 < SUBMIT_P95_MS)}")
        return "; ".join(parts) or "not measured"

    def share(database: dict[str, Any]) -> str:
        ratio = _ratio(database, TARGET_LEVEL)
        if ratio is None:
            return "not measured"
        return f"{100 * ratio:.0f} %: {_yes(ratio >= BASELINE_SHARE)}"

    def memory(database: dict[str, Any]) -> str:
        peak = database["memory_mb"]["web"]
        return f"{peak:.0f} MB: {_yes(peak < WEB_RSS_MB)}"

    return _per_database(
        "target (issue 9)",
        outcome["databases"],
        [
            (
                f"≥ {JOURNEYS_PER_SECOND} journeys/s at {TARGET_LEVEL} applicants, every page "
                f"p95 < {PAGE_P95_MS} ms",
                journeys,
            ),
            (f"no error at {ERROR_FREE_LEVEL} applicants (journeys)", error_free),
            (
                f"submit ≥ 300/s (PostgreSQL), ≥ 200/s (SQLite), at {TARGET_LEVEL} applicants",
                submit_rate,
            ),
            (f"submit p95 < {SUBMIT_P95_MS} ms at {TARGET_LEVEL} applicants", submit_p95),
            (f"submit ≥ 50 % of the baseline at {TARGET_LEVEL} applicants", share),
            (f"web worker RSS < {WEB_RSS_MB} MB", memory),
        ],
    )


def demands_table(outcome: dict[str, Any]) -> list[str]:
    """What each throughput target asks of this machine, and what the run made of it, as
    shares of the bare insert's rate in the same run. The bare insert validates nothing,
    renders nothing and writes one row: a target near its rate asks every request to cost
    about as little. Machines, and one machine from hour to hour, differ by half in their
    rates; these shares much less, so they tell whether a missed figure is a matter of the
    machine or of the code."""

    def inserts(database: dict[str, Any]) -> float:
        return _per_second(_run(database, "baseline", TARGET_LEVEL))

    databases = [database for database in outcome["databases"] if inserts(database) > 0]
    if not databases:
        return []

    def api_submits(database: dict[str, Any]) -> float | None:
        run = _run(database, "api", TARGET_LEVEL)
        return run["per_second"] if run else None

    def asked_and_made(asked: float, made: float | None, database: dict[str, Any]) -> str:
        cell = f"asks {asked:.0f}/s: {100 * asked / inserts(database):.0f} %"
        if made is not None:
            cell += f"; made {made:.0f}/s: {100 * made / inserts(database):.0f} %"
        return cell

    def journeys(database: dict[str, Any]) -> str:
        run = _run(database, "journey", TARGET_LEVEL)
        if run is None or not run["pages"]:
            return "not measured"
        # A journey fetches each page once; the upload's POST stands in for a step's POST.
        pages = sum(1 for label in run["pages"] if not label.endswith("(upload)"))
        made = run["per_second"] * pages
        return asked_and_made(JOURNEYS_PER_SECOND * pages, made, database)

    def submit_rate(database: dict[str, Any]) -> str:
        goal = SUBMITS_PER_SECOND[database["database"]]
        return asked_and_made(goal, api_submits(database), database)

    def little(database: dict[str, Any]) -> str:
        made = api_submits(database)
        cell = asked_and_made(TARGET_LEVEL / (SUBMIT_P95_MS / 1000), made, database)
        return cell + (f" (mean wait {1000 * TARGET_LEVEL / made:.0f} ms)" if made else "")

    return _per_database(
        f"at {TARGET_LEVEL} applicants, as shares of the bare insert's rate",
        databases,
        [
            ("bare inserts/s (the baseline)", lambda database: f"{inserts(database):.0f}/s"),
            (f"{JOURNEYS_PER_SECOND} journeys/s: their page requests", journeys),
            ("the submit rate goal (API)", submit_rate),
            (
                f"a submit p95 under {SUBMIT_P95_MS} ms (API): the mean wait must be under "
                f"{SUBMIT_P95_MS} ms too, and {TARGET_LEVEL} applicants who send again when "
                f"answered wait {TARGET_LEVEL} ÷ the rate on average (Little's law)",
                little,
            ),
        ],
    )


def profile_lines(outcome: dict[str, Any], top: int = 14) -> list[str]:
    lines: list[str] = []
    for database in outcome["databases"]:
        for name, profile in database.get("profiles", {}).items():
            if not profile["samples"]:
                continue
            wanted = [
                (frame, share) for frame, share in profile["inclusive"] if "(amtsweg/" in frame
            ][:top]
            lines += [
                "",
                f"{DATABASE_NAMES[database['database']]}, {name} applicants: one web worker, "
                f"{profile['samples']} samples (py-spy, wall clock, idle included): what its "
                "time went to, the amtsweg functions on the stack, the innermost functions.",
                "",
                "```",
                *(f"{share:5.1f} %  {name}" for name, share in profile.get("categories", [])),
                "--- amtsweg functions on the stack",
                *(f"{share:5.1f} %  {frame}" for frame, share in wanted),
                "--- innermost",
                *(f"{share:5.1f} %  {frame}" for frame, share in profile["self"][:8]),
                "```",
            ]
    return lines


def section(outcome: dict[str, Any]) -> str:
    machine = outcome["machine"]
    mode = outcome["mode"]
    started = outcome["started"].replace("T", " ")
    versions = ", ".join(
        f"{DATABASE_NAMES[d['database']]} {d['version']}" for d in outcome["databases"]
    )
    skipped = "".join(
        f" {DATABASE_NAMES[name]} skipped: {reason}."
        for name, reason in outcome["skipped"].items()
    )
    workers = outcome["databases"][0]["memory_mb"]["web_workers"] if outcome["databases"] else 0
    lines = [
        f"## {started}: `{outcome['command']}`",
        "",
        f"- **Machine:** {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory_gib']} GiB memory, Linux {machine['kernel']}, "
        f"Python {machine['python']}; {versions}.{skipped}",
        f"- **Code:** commit {machine['commit']}.",
        f"- **Server:** `amtsweg serve` on 127.0.0.1: gunicorn, {workers} sync workers "
        + ("(set with --workers)" if outcome.get("workers") else "(the default for this machine)")
        + (", plus the task worker" if outcome["task_worker"] else ", no task worker")
        + "; DEBUG off.",
        f"- **Load:** `bench/load.py` in its own process on the same machine; journeys "
        f"{mode['journey_seconds']:.0f} s, API and baseline {mode['submit_seconds']:.0f} s per "
        f"level; the run took {outcome['seconds'] / 60:.1f} min.",
        "",
        "### Citizen journeys through the HTML pages",
        "",
        *journeys_table(outcome),
        *pages_tables(outcome),
        "",
        "### The submit: REST API and the bare-insert baseline",
        "",
        *submit_table(outcome),
        "",
        "### Where the CPU went",
        "",
        "In % of all cores during each level (SQLite runs inside the web workers; the "
        "database server is every process of the PostgreSQL server, those that ended during "
        'the level included; "other processes" is everything else on the machine). CPU per '
        "request divides the CPU time by the requests completed in the level, so it errs a "
        "little high.",
        "",
        *cpu_table(outcome),
        "",
        "### Memory",
        "",
        *memory_table(outcome),
        "",
        "### Against the targets",
        "",
        *targets_table(outcome),
    ]
    if demands := demands_table(outcome):
        lines += [
            "",
            "What the targets ask of this machine, set against the bare insert of the same run "
            f"(the issue asks the API submit for at least {100 * BASELINE_SHARE:.0f} % of the "
            "bare insert's rate):",
            "",
            *demands,
        ]
    if profiles := profile_lines(outcome):
        lines += ["", "### Profiles", *profiles]
    return "\n".join(lines) + "\n"


BENCHMARKS_DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def append(path: Path, text: str) -> None:
    existing = path.read_text() if path.exists() else ""
    path.write_text(existing.rstrip("\n") + "\n\n" + text if existing else text)


def publish(text: str, write: bool, log: Callable[[str], None]) -> None:
    """Print a part's dated section, and append it to docs/benchmarks.md when ``write`` (a full
    run that is not a profile or a try-out)."""
    print(text)
    if write:
        append(BENCHMARKS_DOC, text)
        log("appended the figures to docs/benchmarks.md")


def smoke_problems(outcome: dict[str, Any]) -> list[str]:
    """What shows the suite itself broken (not a missed figure): a scenario that completed
    nothing or had an error at the lowest level, or a refused request (4xx) at any level."""
    problems = []
    for database in outcome["databases"]:
        name = DATABASE_NAMES[database["database"]]
        lowest = min(_levels(database), default=0)
        for run in database["runs"]:
            where = f"{name}, {run['scenario']} at {run['concurrency']} applicants"
            if run["concurrency"] == lowest and not run["completed"]:
                problems.append(f"{where}: nothing completed")
            refused = any("HTTP 4" in kind for kind in run["errors"])
            if refused or (run["concurrency"] == lowest and run["error_count"]):
                problems.append(f"{where}: {run['error_samples']}")
    return problems
