"""Documents (issue 9, point 4): receipts and decisions per second of one worker process.

    python -m bench documents            # 40 receipts, 20 decisions; appends to docs/benchmarks.md
    python -m bench documents --quick    # 3 and 2: checks that it runs; prints only

A throwaway installation (SQLite in a temporary directory, as the task worker uses it; the
PDF work is the same on PostgreSQL) is migrated and gets the demo. Applications to Darmstadt's
dog tax are submitted through ``submit_data`` (not timed); then, in this one process, one
after the other as a task worker runs its jobs:

- the receipt job of each (``generate_receipt``: claim the row, render the PDF/A with
  WeasyPrint, store the file and its checksum, audit), timed from call to return;
- the confirmation e-mail job of each (``submission_received``), timed the same way;
- a decision on each of the first cases (``issue_decision``: render, store, move the case to
  "decided", audit, mailbox message), the case moved to "in review" beforehand (not timed).

Reported: jobs per second of the process (1 / mean time), the median time per document and
per page, and how many worker processes keep up with 300 submissions per second.
"""

import argparse
import datetime
import math
import os
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from bench import report
from bench.backoffice import command_line, load_average, throwaway_installation

PEAK_SUBMISSIONS = 300
RECEIPT_TARGET_MS = 250.0


log = report.progress("documents")


def _timed(into: dict[str, list[float]], function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``function``; note its wall time and this process's CPU time in milliseconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    into["wall"].append((time.perf_counter() - wall) * 1000)
    into["cpu"].append((time.process_time() - cpu) * 1000)
    return result


def measure(receipts: int, decisions: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from amtsweg.cases.decisions import issue_decision
    from amtsweg.cases.models import Case
    from amtsweg.cases.services import change_case_status
    from amtsweg.catalog.models import Offering
    from amtsweg.catalog.services import get_live_offering_by_uuid
    from amtsweg.demo.forms import hundesteuer
    from amtsweg.demo.forms.common import DemoApplicant
    from amtsweg.documents.models import Document, DocumentKind
    from amtsweg.documents.tasks import generate_receipt
    from amtsweg.submissions.services import submit_data
    from amtsweg.submissions.tasks import submission_received

    with Path(os.devnull).open("w") as quiet:
        call_command("migrate", interactive=False, verbosity=0, stdout=quiet)
        call_command("demo", stdout=quiet)
    offering = get_live_offering_by_uuid(
        Offering.objects.get(municipality__slug="darmstadt", slug="hundesteuer").uuid
    )
    applicant = DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345")
    data = hundesteuer.sample_answers(applicant, "64283", "Darmstadt", datetime.date.today())
    submitted = [
        submit_data(offering, data, idempotency_key=uuid.uuid4().hex).submission
        for _ in range(receipts + 1)
    ]
    generate_receipt.call(submitted[0].pk)  # warm-up: WeasyPrint's import and fonts
    submission_received.call(submitted[0].pk)

    receipt_ms: dict[str, list[float]] = {"wall": [], "cpu": []}
    mail_ms: dict[str, list[float]] = {"wall": [], "cpu": []}
    for submission in submitted[1:]:
        outcome = _timed(receipt_ms, generate_receipt.call, submission.pk)
        if outcome != "generated":
            raise SystemExit(f"the receipt job answered {outcome!r}")
        _timed(mail_ms, submission_received.call, submission.pk)
    pages = list(
        Document.objects.filter(
            kind=DocumentKind.RECEIPT, submission__in=submitted[1:]
        ).values_list("page_count", flat=True)
    )

    clerk = get_user_model().objects.get(username="darmstadt-sb")
    decision_ms: dict[str, list[float]] = {"wall": [], "cpu": []}
    decision_pages = []
    for submission in submitted[1 : decisions + 1]:
        change_case_status(submission.case, "in_review", actor=clerk)
        case = Case.objects.get(submission=submission)
        decision = _timed(
            decision_ms,
            issue_decision,
            case,
            actor=clerk,
            outcome="approved",
            reasoning="Die Voraussetzungen des § 2 der Hundesteuersatzung liegen vor. " * 8,
        )
        decision_pages.append(decision.document.page_count)
    return {
        "receipt_ms": receipt_ms,
        "receipt_pages": pages,
        "mail_ms": mail_ms,
        "decision_ms": decision_ms,
        "decision_pages": decision_pages,
    }


def figures(raw: dict[str, Any]) -> dict[str, Any]:
    def per(times: dict[str, list[float]], pages: list[int] | None = None) -> dict[str, Any]:
        wall = times["wall"]
        result = {
            "count": len(wall),
            "per_second": 1000 / statistics.fmean(wall),
            "median_ms": statistics.median(wall),
            "median_cpu_ms": statistics.median(times["cpu"]),
            "per_second_cpu": 1000 / statistics.fmean(times["cpu"]),
        }
        if pages:
            result["pages"] = statistics.median(pages)
            result["per_page_ms"] = statistics.median(
                took / max(count, 1) for took, count in zip(wall, pages, strict=False)
            )
        return result

    receipt = per(raw["receipt_ms"], raw["receipt_pages"])
    mail = per(raw["mail_ms"])
    # CPU time, not wall time: on a busy machine the wall time counts the other processes too.
    per_submission_ms = statistics.fmean(raw["receipt_ms"]["cpu"]) + statistics.fmean(
        raw["mail_ms"]["cpu"]
    )
    return {
        "receipt": receipt,
        "mail": mail,
        "decision": per(raw["decision_ms"], raw["decision_pages"]),
        "per_submission_ms": per_submission_ms,
        "workers_for_peak": math.ceil(PEAK_SUBMISSIONS * per_submission_ms / 1000),
    }


def section(outcome: dict[str, Any]) -> str:
    from bench.run import machine

    spec, found = machine(), outcome["figures"]
    receipt, mail, decision = found["receipt"], found["mail"], found["decision"]
    workers = found["workers_for_peak"]
    lines = [
        f"## {outcome['started']}: documents (`{outcome['command']}`)",
        "",
        f"- **Machine:** {spec['cores']} cores ({spec['cpu']}), {spec['memory_gib']} GiB, "
        f"Python {spec['python']}, SQLite {spec['sqlite']}; code: commit {spec['commit']}.",
        "- **How:** one process runs the jobs one after the other, as one task worker does "
        "(`bench/documents.py`); times from call to return, database and file storage "
        "included.",
        f"- **Load on the machine:** {outcome['load']}",
        "",
        "| job | jobs | per second (one process) | median ms | median CPU ms "
        "| per second if it had a core to itself | pages (median) | median ms per page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, row in (
        ("receipt (`generate_receipt`)", receipt),
        ("confirmation e-mail (`submission_received`)", mail),
        ("decision (`issue_decision`)", decision),
    ):
        lines.append(
            f"| {label} | {row['count']} | {row['per_second']:.1f} | {row['median_ms']:.0f} | "
            f"{row['median_cpu_ms']:.0f} | {row['per_second_cpu']:.1f} | "
            + (f"{row['pages']:g} | {row['per_page_ms']:.0f} |" if "pages" in row else "– | – |")
        )
    reached = "**yes**" if receipt["median_ms"] < RECEIPT_TARGET_MS else "**no**"
    lines += [
        "",
        f"- Receipt median {receipt['median_ms']:.0f} ms for {receipt.get('pages'):.0f} page(s) "
        f"(target: a 2-page receipt in < {RECEIPT_TARGET_MS:.0f} ms): {reached}; its CPU time, "
        f"{receipt['median_cpu_ms']:.0f} ms, is what it takes when the worker has a core to "
        "itself.",
        f"- Every submission costs the task workers one receipt and one confirmation e-mail, "
        f"{found['per_submission_ms']:.0f} ms of CPU together: **{workers} worker processes**, "
        f"each with a core of its own, keep up with {PEAK_SUBMISSIONS} submissions/s (the "
        "rendering keeps a worker on the CPU, so processes beyond the cores do not help), "
        "on top of the web tier. On this "
        "2-core machine the receipts of a 300/s peak queue up and are made after it; "
        "`retry_missing_receipts` and the pending rows make sure none is lost.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench documents", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 receipts, 2 decisions")
    parser.add_argument("--receipts", type=int, help="how many receipts (default 40)")
    parser.add_argument("--decisions", type=int, help="how many decisions (default 20)")
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    args = parser.parse_args(argv)
    receipts = args.receipts or (3 if args.quick else 40)
    decisions = min(args.decisions or (2 if args.quick else 20), receipts)
    started = datetime.datetime.now().astimezone()
    log(f"{receipts} receipts and {decisions} decisions in one process")
    with throwaway_installation("documents"):
        raw = measure(receipts, decisions)
    outcome = {
        "started": started.isoformat(sep=" ", timespec="seconds"),
        "command": command_line("documents", argv, args.quick),
        "load": load_average(),
        "figures": figures(raw),
    }
    report.publish(section(outcome), not args.quick and not args.no_write, log)
    return 0
