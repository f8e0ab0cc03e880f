"""The load generator: simulated applicants against one running Amtsweg, as its own process.

    python -m bench.load PLAN.json --scenario journey --concurrency 50 --duration 30

``PLAN.json`` (written by ``bench.run``) names the server, the offering and its form; the
result is one JSON object on standard output. Scenarios:

``journey``
    What a citizen's browser does, with cookies and CSRF tokens: the offering page, "start",
    then every step page fetched (GET) and posted (POST), the summary fetched and posted (the
    submit) and the confirmation page fetched. Every fifth journey asks for the exemption and
    uploads a small PDF as evidence (multipart), when the form has such an upload.
``api``
    ``POST /api/v1/offerings/{uuid}/submissions`` with a valid data set and a new
    ``Idempotency-Key`` each time.
``baseline``
    ``POST /_bench/insert/{uuid}`` with the same data set: the bare insert (no validation).

Each of ``concurrency`` applicants repeats its scenario until ``duration`` seconds are up; the
requests still running then are cancelled and not counted. Only IPv4 loopback addresses are
accepted. The HTTP client is a minimal HTTP/1.1 one on asyncio's socket calls (one connection per
request, as gunicorn's sync workers close every connection), so that the generator itself needs
little of the machine's CPU; its own CPU time is reported with the figures.
"""

import argparse
import asyncio
import ipaddress
import json
import os
import re
import resource
import signal
import socket
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.form_filling import valid_step_post

#: Seconds one request may take before it counts as an error (gunicorn's worker timeout is 30).
REQUEST_TIMEOUT = 60.0
#: Every UPLOAD_EVERY-th journey requests the exemption and uploads evidence.
UPLOAD_EVERY = 5
#: A small, valid PDF (the upload check reads the first bytes), padded to about 20 KB.
PDF = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    + b"% padding\n" * 2000
    + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
FORM_ENCODED = "application/x-www-form-urlencoded"
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
#: A form a browser sends as multipart/form-data (a step with a file field), else urlencoded.
MULTIPART_FORM_RE = re.compile(rb'<form [^>]*enctype="multipart/form-data"')
REFERENCE_RE = re.compile(rb"[A-Z]{2,4}-\d{4}-\d{6}")


class RequestFailed(Exception):
    """A request that did not give the expected answer; ``kind`` says how."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), [""])[0]


@dataclass
class Stats:
    """Latencies of completed requests per label, errors per kind, completed units."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    completed: int = 0
    uploads: int = 0
    started: int = 0

    def error(self, label: str, failure: RequestFailed) -> None:
        self.errors[f"{label}: {failure.kind}"] += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(f"{label}: {failure}")


class Client:
    """One applicant's browser: its cookies, a connection per request."""

    def __init__(self, host: str, port: int, stats: Stats) -> None:
        self.host, self.port, self.stats = host, port, stats
        self.cookies: dict[str, str] = {}

    async def request(
        self,
        label: str,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        content_type: str = "",
        headers: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Response:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: close",
            "Accept-Language: de",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines.append(f"Content-Length: {len(body)}")
            if content_type:
                lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        begin = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                response = await self._exchange(raw)
        except TimeoutError:
            raise RequestFailed("timeout", f"no answer within {REQUEST_TIMEOUT:.0f} s") from None
        except (OSError, ValueError) as error:
            raise RequestFailed("connection", f"{type(error).__name__}: {error}") from None
        elapsed = time.perf_counter() - begin
        if response.status not in expect:
            snippet = response.body[:200].decode("utf-8", "replace").replace("\n", " ")
            raise RequestFailed(f"HTTP {response.status}", f"{method} {path}: {snippet}")
        for value in response.headers.get("set-cookie", []):
            self._keep_cookie(value)
        self.stats.latencies[label].append(elapsed)
        return response

    def _keep_cookie(self, set_cookie: str) -> None:
        """As a browser does: the raw value is kept and sent back, ``Max-Age=0`` (how Django
        deletes a cookie) removes it. By hand: SimpleCookie took 6 % of the generator's CPU."""
        pair, *attributes = set_cookie.split(";")
        name, _, value = (part.strip() for part in pair.partition("="))
        if any(attribute.strip().lower() == "max-age=0" for attribute in attributes):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    async def _exchange(self, raw: bytes) -> Response:
        """Send ``raw`` on a new connection and read until the server closes it. On bare
        sockets: asyncio's streams cost the generator about a quarter more CPU per request."""
        loop = asyncio.get_running_loop()
        chunks = []
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as connection:
            connection.setblocking(False)
            await loop.sock_connect(connection, (self.host, self.port))
            await loop.sock_sendall(connection, raw)
            while chunk := await loop.sock_recv(connection, 262144):
                chunks.append(chunk)
        data = b"".join(chunks)
        head, _, body = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        version, _, rest = status_line.partition(" ")
        if not version.startswith("HTTP/"):
            raise ValueError(f"no status line: {status_line[:40]!r}")
        status = int(rest.partition(" ")[0])
        headers: dict[str, list[str]] = defaultdict(list)
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()].append(value.strip())
        return Response(status, headers, body)


def _csrf(page: Response) -> str:
    match = CSRF_RE.search(page.body)
    if match is None:
        raise RequestFailed("no CSRF token", "the page has no form")
    return match.group(1).decode()


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _multipart(
    fields: dict[str, list[str]], files: dict[str, tuple[str, bytes]]
) -> tuple[bytes, str]:
    boundary = f"----amtswegbench{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, values in fields.items():
        for value in values:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
    for name, (filename, content) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def upload_plan(steps: list[dict[str, Any]]) -> tuple[str, str, str] | None:
    """(step key, file field key, yes/no field that shows it) of the form's first upload that a
    yes/no answer switches on, or None."""
    for step in steps:
        for item in step.get("fields", []):
            condition = item.get("visible_if") or {}
            if item.get("type") == "file" and "==" in condition:
                left, right = condition["=="]
                if isinstance(left, dict) and "var" in left and right is True:
                    return step["key"], item["key"], left["var"]
    return None


async def journey(client: Client, plan: dict[str, Any], with_upload: bool) -> bool:
    """One complete application; True when it ended on a confirmation with a reference."""
    steps = {step["key"]: step for step in plan["steps"]}
    upload = upload_plan(plan["steps"]) if with_upload else None
    offering = await client.request("offering page GET", "GET", plan["offering_path"])
    location = (
        await client.request(
            "start POST",
            "POST",
            plan["start_path"],
            body=urlencode({"csrfmiddlewaretoken": _csrf(offering)}).encode(),
            content_type=FORM_ENCODED,
            expect=(302,),
        )
    ).header("location")
    for _ in range(len(steps) + 1):
        if "/schritt/" not in location:
            break
        key = location.split("/schritt/")[1].strip("/")
        page = await client.request(f"step {key} GET", "GET", _path(location))
        post = valid_step_post(steps[key])
        post["csrfmiddlewaretoken"] = [_csrf(page)]
        if upload and upload[0] == key:
            post[upload[2]] = ["yes"]
            body, content_type = _multipart(post, {upload[1]: ("nachweis.pdf", PDF)})
            label = f"step {key} POST (upload)"
            client.stats.uploads += 1
        elif MULTIPART_FORM_RE.search(page.body):  # as a browser sends it: the form says so
            body, content_type = _multipart(post, {})
            label = f"step {key} POST"
        else:
            body = urlencode(post, doseq=True).encode()
            content_type = FORM_ENCODED
            label = f"step {key} POST"
        location = (
            await client.request(
                label, "POST", _path(location), body=body, content_type=content_type, expect=(302,)
            )
        ).header("location")
    if "/zusammenfassung/" not in location:
        raise RequestFailed("journey", f"ended at {location} instead of the summary")
    summary = await client.request("summary GET", "GET", _path(location))
    confirmation_url = (
        await client.request(
            "submit POST",
            "POST",
            _path(location),
            body=urlencode({"csrfmiddlewaretoken": _csrf(summary)}).encode(),
            content_type=FORM_ENCODED,
            expect=(302,),
        )
    ).header("location")
    confirmation = await client.request("confirmation GET", "GET", _path(confirmation_url))
    if not REFERENCE_RE.search(confirmation.body):
        raise RequestFailed("journey", "the confirmation shows no reference number")
    return True


async def applicant(
    number: int, scenario: str, plan: dict[str, Any], stats: Stats, host: str, port: int
) -> None:
    """Repeat the scenario until cancelled; each failure is counted and the next one begins."""
    await asyncio.sleep(number * 0.005)  # do not open all connections in the same millisecond
    body = json.dumps({"data": plan["api_data"]}).encode()
    runs = 0
    while True:
        runs += 1
        client = Client(host, port, stats)
        stats.started += 1
        try:
            if scenario == "journey":
                with_upload = (number + runs) % UPLOAD_EVERY == 0
                await journey(client, plan, with_upload)
            else:
                path = plan["api_path"] if scenario == "api" else plan["baseline_path"]
                label = "API submit POST" if scenario == "api" else "baseline insert POST"
                headers = {"Idempotency-Key": str(uuid.uuid4())} if scenario == "api" else {}
                await client.request(
                    label,
                    "POST",
                    path,
                    body=body,
                    content_type="application/json",
                    headers=headers,
                    expect=(201,),
                )
            stats.completed += 1
        except RequestFailed as failure:
            stats.error(scenario, failure)
            await asyncio.sleep(0.05)


def percentile(sorted_values: list[float], fraction: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def summarize(stats: Stats, scenario: str, concurrency: int, elapsed: float) -> dict[str, Any]:
    pages = {}
    for label, values in sorted(stats.latencies.items()):
        values.sort()
        pages[label] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "max_ms": round(values[-1] * 1000, 1),
        }
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "scenario": scenario,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "completed": stats.completed,
        "per_second": round(stats.completed / elapsed, 1),
        "uploads": stats.uploads,
        "requests": sum(page["count"] for page in pages.values()),
        "errors": dict(stats.errors),
        "error_count": sum(stats.errors.values()),
        "error_samples": stats.error_samples,
        "pages": pages,
        "generator_cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    }


async def run(
    plan: dict[str, Any], scenario: str, concurrency: int, duration: float
) -> dict[str, Any]:
    base = urlsplit(plan["base_url"])
    host, port = base.hostname or "", base.port or 80
    address = ipaddress.ip_address(host)
    if not (address.version == 4 and address.is_loopback):
        raise SystemExit(f"The load generator targets IPv4 loopback addresses only, not {host}.")
    stats = Stats()
    begin = time.perf_counter()
    tasks = [
        asyncio.create_task(applicant(number, scenario, plan, stats, host, port))
        for number in range(concurrency)
    ]
    await asyncio.sleep(duration)
    # The figures are frozen at the deadline; requests still running are abandoned with the
    # process (see main), so whatever finishes later is not counted.
    del tasks
    return summarize(stats, scenario, concurrency, time.perf_counter() - begin)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("plan", type=Path)
    parser.add_argument("--scenario", choices=["journey", "api", "baseline"], required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--duration", type=float, required=True)
    args = parser.parse_args(argv)
    if not 1 <= args.concurrency <= 1000 or not 0 < args.duration <= 600:
        parser.error("concurrency must be 1..1000 and duration 0..600 seconds")
    plan = json.loads(args.plan.read_text())
    # A watchdog: whatever happens, this process ends shortly after its duration.
    signal.alarm(int(args.duration) + 60)
    loop = asyncio.new_event_loop()
    result = loop.run_until_complete(run(plan, args.scenario, args.concurrency, args.duration))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    # Leave without waiting for the applicants still in flight: their connections close with
    # the process, and the server finishes or drops those requests on its own.
    os._exit(0)


if __name__ == "__main__":
    main()
