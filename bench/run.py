"""The submission benchmark: Amtsweg served as in production, driven by simulated applicants.

    python -m bench            # full: SQLite and PostgreSQL, 10/50/200 applicants
    python -m bench --quick    # smoke check: SQLite, a few seconds per level, no figures kept

For each database it makes a throwaway installation (a temporary var directory with an SQLite
file, or the PostgreSQL database ``amtsweg_bench``, dropped and created again), migrates, loads
the demo, collects static files and starts ``amtsweg serve`` (gunicorn with the default number
of workers or ``--workers N``, plus the task worker; DEBUG off) on a free loopback port. At
each level of concurrent applicants it then runs, each in a separate load-generator process
(``bench.load``): the bare-insert baseline, the REST API submit and complete citizen journeys
through the HTML pages. It samples the resident memory of the web and task workers throughout,
can record a py-spy profile of one web worker, stops the server, and drops what it made.

The full run appends a dated section to docs/benchmarks.md (``--no-write`` prints it only);
the raw figures go to var/bench/<time>.json. See docs/benchmarks.md for what is measured.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import report

ROOT = Path(__file__).resolve().parent.parent
#: Where Debian's and Ubuntu's PostgreSQL put their Unix socket (port 5432).
POSTGRES_SOCKET = Path("/var/run/postgresql/.s.PGSQL.5432")
MUNICIPALITY, OFFERING = "darmstadt", "hundesteuer"
SCENARIOS = ("baseline", "api", "journey")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Mode:
    name: str
    databases: list[str]
    levels: list[int]
    journey_seconds: float
    submit_seconds: float
    warmup_seconds: float


FULL = Mode("full", ["sqlite", "postgres"], [10, 50, 200], 30.0, 15.0, 3.0)
QUICK = Mode("quick", ["sqlite"], [10, 50, 200], 3.0, 2.0, 1.0)


log = report.progress("")


# --- the machine ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    commit = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(  # noqa: S603
        # The figures' own file aside: each part of `make bench` appends to it for the next.
        [  # noqa: S607
            "git",
            "-C",
            str(ROOT),
            "status",
            "--porcelain",
            "--untracked-files=no",
            "--",
            ".",
            ":!docs/benchmarks.md",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    import sqlite3

    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "commit": commit + (" with uncommitted changes" if dirty else ""),
    }


# --- processes and memory ---------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, … (field 3 onwards)."""
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return []


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``, but not those being reaped (state X), whose CPU
    the kernel has already added to the parent's counters for its ended children."""
    found = []
    for entry in Path("/proc").iterdir():
        fields = _stat_fields(int(entry.name)) if entry.name.isdigit() else []
        if len(fields) > 1 and fields[1] == str(pid) and fields[0] != "X":
            found.append(int(entry.name))
    return found


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (Path(f"/proc/{pid}/cmdline").read_bytes()).replace(b"\0", b" ").decode()
    return ""


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int, *, of_children: bool = False) -> float:
    """A process's CPU so far; with ``of_children`` that of its children which have ended."""
    fields, first = _stat_fields(pid), 13 if of_children else 11
    with contextlib.suppress(ValueError, IndexError):
        return (int(fields[first]) + int(fields[first + 1])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _machine_busy_seconds() -> float:
    """CPU seconds all cores have spent on anything but idling since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _database_backends(name: str) -> list[int]:
    """PostgreSQL server processes that serve database ``name`` (by their process title)."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit()
        and _cmdline(int(entry.name)).startswith("postgres: ")
        and f" {name} " in _cmdline(int(entry.name))
    ]


def _server_cpu(server: int) -> float:
    """CPU seconds so far of the PostgreSQL server ``server``: its own, its processes' that
    run (connections to any database, autovacuum, WAL writer …) and its processes' that have
    ended (the kernel adds an ended child's CPU to its parent's counters).

    A process that ends while the processes are listed would be counted twice or not at all,
    with all its CPU since it started; so the list is read again until the ended processes'
    CPU is the same before and after it.
    """
    for _ in range(5):
        ended = _cpu_seconds(server, of_children=True)
        running = _cpu_seconds(server) + sum(map(_cpu_seconds, _children(server)))
        if _cpu_seconds(server, of_children=True) == ended:
            break
    return running + ended


def _server_of(backend: int) -> int | None:
    """The PostgreSQL server (postmaster) of a connection's process: its parent, unless the
    server has gone and the process was handed to init."""
    fields = _stat_fields(backend)
    parent = int(fields[1]) if len(fields) > 1 else 1
    return None if parent <= 1 or _cmdline(parent).startswith("postgres: ") else parent


def database_seconds(before: dict[str, Any], after: dict[str, Any]) -> float:
    """The database server's CPU between two readings of ``Processes.cpu_seconds``; none when
    they did not read the same server."""
    if before["server"] is None or before["server"] != after["server"]:
        return 0.0
    return max(0.0, after["cpu"] - before["cpu"])


@dataclass
class Processes:
    """The pids under ``amtsweg serve``: gunicorn's workers and the task worker; and the
    PostgreSQL server the benchmark's database runs on, once one of its connections is seen."""

    serve: int
    database_server: int | None = None

    def web_workers(self) -> list[int]:
        masters = [p for p in _children(self.serve) if "gunicorn" in _cmdline(p)]
        return [worker for master in masters for worker in _children(master)]

    def task_workers(self) -> list[int]:
        return [p for p in _children(self.serve) if " worker" in _cmdline(p)]

    def cpu_seconds(self, database_name: str | None) -> dict[str, Any]:
        """CPU seconds so far of each web worker and task worker (by pid), for PostgreSQL of
        the database server (``_server_cpu``), and of the whole machine."""
        if database_name and self.database_server is None:
            servers = filter(None, map(_server_of, _database_backends(database_name)))
            self.database_server = next(servers, None)
        server = self.database_server
        return {
            "web": {pid: _cpu_seconds(pid) for pid in self.web_workers()},
            "task": {pid: _cpu_seconds(pid) for pid in self.task_workers()},
            "database": {"server": server, "cpu": _server_cpu(server) if server else 0.0},
            "machine": _machine_busy_seconds(),
        }


def cpu_shares(
    before: dict[str, Any], after: dict[str, Any], generator: float, seconds: float
) -> dict[str, float]:
    """Where the machine's CPU went during a level, in % of all its cores.

    A web or task worker that started during the level counts fully, one that ended is
    missed (neither happens while the server runs). The database server counts whole, its
    ended processes and its other databases' connections included (``_server_cpu``).
    """
    capacity = seconds * len(os.sched_getaffinity(0))
    shares = {
        role: sum(max(0.0, cpu - before[role].get(pid, 0.0)) for pid, cpu in after[role].items())
        for role in ("web", "task")
    }
    shares["database"] = database_seconds(before["database"], after["database"])
    used = {"machine": max(0.0, after["machine"] - before["machine"])}
    shares["generator"] = generator
    shares["other"] = max(0.0, used["machine"] - sum(shares.values()))
    shares["idle"] = max(0.0, capacity - used["machine"])
    return {key: round(100 * value / capacity, 1) for key, value in shares.items()}


@dataclass
class MemorySampler:
    """Highest resident set size (MB) per role, sampled every half second, and at the end
    the kernel's own peak (VmHWM) of each process."""

    processes: Processes
    peak_mb: dict[str, float] = field(default_factory=lambda: {"web": 0.0, "task": 0.0})
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def sample(self) -> None:
        for role, pids in (
            ("web", self.processes.web_workers()),
            ("task", self.processes.task_workers()),
        ):
            for pid in pids:
                # VmHWM is the process's own high-water mark, so short peaks between two
                # samples are not missed.
                peak = max(_status_kb(pid, "VmHWM"), _status_kb(pid, "VmRSS")) / 1024
                self.peak_mb[role] = max(self.peak_mb[role], round(peak, 1))

    def stop(self) -> dict[str, float]:
        self.sample()
        self._stop.set()
        if self._thread:
            self._thread.join()
        return dict(self.peak_mb)


# --- one installation ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_parts(url: str) -> tuple[str, str, str]:
    """A PostgreSQL URL as (everything before its database, the database's name, ``?…``)."""
    head, _, tail = url.rpartition("/")
    name, mark, query = tail.partition("?")
    return head, name, mark + query


def local_postgres_url(name: str, socket_file: Path = POSTGRES_SOCKET) -> str:
    """The database ``name`` of this machine's PostgreSQL server, as user ``postgres``: through
    its Unix socket where the server answers there, else over TCP to 127.0.0.1:5432.

    Why the socket: it is how an installation on one machine reaches its database (README,
    "Production"), and it costs every statement less CPU than loopback TCP, on both ends (a
    journey about a sixth less in ``bench pages``, docs/benchmarks.md, 2026-11-27). It is
    tried first (a connection, some milliseconds), since a socket may exist that does not let
    this user in (Debian's ``peer`` authentication). Every report names the way it was
    measured (``postgres_transport``); ``--postgres-url`` with ``127.0.0.1`` measures over TCP."""
    socket_url = socket_postgres_url(name, socket_file)
    try:
        has_socket = socket_file.is_socket()
    except OSError:  # a directory this user may not search
        has_socket = False
    if has_socket and postgres_answers(socket_url) is None:
        return socket_url
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def bench_postgres_url(variable: str, name: str) -> str:
    """The URL in the environment variable ``variable``, else the database ``name`` of this
    machine's server (``local_postgres_url``): every part's default, worked out only when
    the part uses PostgreSQL (the socket is tried by a connection)."""
    return os.environ.get(variable) or local_postgres_url(name)


def socket_postgres_url(name: str, socket_file: Path) -> str:
    """The database ``name`` through the Unix socket ``socket_file`` (named, as PostgreSQL names
    it, after its port: ``.s.PGSQL.5432``), as user ``postgres``. The port is given, so that a
    ``PGPORT`` in the environment cannot lead to another socket than ``socket_file``."""
    port = socket_file.name.rpartition(".")[2]
    return f"postgres://postgres@{quote(str(socket_file.parent), safe='')}:{port}/{name}"


def postgres_transport(url: str) -> str:
    """How a connection to ``url`` reaches its server, for the reports: as libpq decides, by
    ``hostaddr`` (or ``PGHOSTADDR``), else ``host`` (or ``PGHOST``), else the socket."""
    from psycopg.conninfo import conninfo_to_dict

    given = conninfo_to_dict(url)
    host = str(
        given.get("hostaddr")
        or os.environ.get("PGHOSTADDR")
        or given.get("host")
        or os.environ.get("PGHOST")
        or ""
    )
    return "through its Unix socket" if not host or host.startswith("/") else f"over TCP to {host}"


def database_name(url: str) -> str:
    return _database_parts(url)[1]


def with_database(url: str, name: str) -> str:
    """``url`` naming the database ``name`` instead of its own."""
    head, _, query = _database_parts(url)
    return f"{head}/{name}{query}"


def postgres_admin_url(url: str) -> str:
    return with_database(url, "postgres")


def postgres_answers(url: str) -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    import psycopg

    try:
        psycopg.connect(postgres_admin_url(url), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
    return None


def recreate_postgres(url: str, *, drop_only: bool = False) -> str:
    """Drop the benchmark's database at ``url`` (its sessions ended by force: a killed run
    may have left some) and, unless ``drop_only``, create it empty. Returns the server's
    version."""
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(postgres_admin_url(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        version = connection.execute("SHOW server_version").fetchone()
    return str(version[0]) if version else ""


@dataclass
class Installation:
    database: str
    var_dir: Path
    env: dict[str, str]
    database_version: str
    port: int = 0
    server: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "amtsweg.cli", *args],
            env=self.env,
            cwd=self.var_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SystemExit(f"amtsweg {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, *, task_worker: bool, web_workers: int | None = None) -> Processes:
        self.port = _free_port()
        command = [sys.executable, "-m", "amtsweg.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        if web_workers:
            command += ["--workers", str(web_workers)]
        if not task_worker:
            command.append("--no-task-worker")
        log_file = (self.var_dir / "serve.log").open("wb")
        self.server = subprocess.Popen(  # noqa: S603
            command,
            env=self.env,
            cwd=self.var_dir,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SystemExit(f"amtsweg serve exited; see {self.var_dir / 'serve.log'}")
            if health(self.base_url) is not None:
                return Processes(self.server.pid)
            time.sleep(0.3)
        raise SystemExit("amtsweg serve did not answer /healthz within 60 s")

    def stop(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        self.server.send_signal(signal.SIGTERM)  # serve stops gunicorn and the task worker
        try:
            self.server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.server.pid, signal.SIGKILL)
            self.server.wait()


def health(base_url: str) -> float | None:
    """Seconds /healthz took, or None when it did not answer 200."""
    begin = time.perf_counter()
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer:  # noqa: S310
            ok = answer.status == 200
    except (urllib.error.URLError, OSError):
        return None
    return time.perf_counter() - begin if ok else None


def wait_until_idle(base_url: str, limit: float = 30.0) -> None:
    """Let the server finish what cancelled applicants left queued before the next run."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        took = health(base_url)
        if took is not None and took < 0.05:
            time.sleep(0.5)
            return
        time.sleep(0.5)


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived (``stop_on_sigterm``): handled wherever Ctrl+C is."""


def stop_on_sigterm() -> None:
    """Make SIGTERM (a CI job's timeout, ``kill``) end a run as Ctrl+C does: through its
    ``finally`` blocks, which stop the server and drop what the run made. Python's default
    ends the process at once, and the server, in a process group of its own, runs on: its
    task worker then renders the stopped run's receipts for minutes, beside the next run.
    The signal raises a ``KeyboardInterrupt``, not ``SystemExit``, which the runner takes for
    a failed load level (the profile window) and goes on after.

    Python ignores an exception raised inside a weak reference's callback or a ``__del__``
    (its import machinery runs such callbacks), so a signal that arrives there is sent again a
    moment later, by a timer thread, when this thread is back in the run itself (should it
    land in a callback again, it is sent once more)."""

    def terminate(number: int, frame: object) -> None:
        raise Terminated

    def unraisable(info: Any, ignore: Any = sys.unraisablehook) -> None:
        if isinstance(info.exc_value, Terminated):
            again = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM))
            again.daemon = True
            again.start()
        else:
            ignore(info)

    sys.unraisablehook = unraisable
    signal.signal(signal.SIGTERM, terminate)


@contextlib.contextmanager
def installation(database: str, postgres_url: str, keep: bool) -> Iterator[Installation]:
    var_dir = Path(tempfile.mkdtemp(prefix=f"amtsweg-bench-{database}-"))
    if database == "postgres":
        version = f"{recreate_postgres(postgres_url)}, {postgres_transport(postgres_url)}"
        url = postgres_url
    else:
        import sqlite3

        version = sqlite3.sqlite_version
        url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AMTSWEG_", "DATABASE_", "DJANGO_")) and key != "DEBUG"
    }
    env.update(
        {
            "AMTSWEG_VAR_DIR": str(var_dir),
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": os.urandom(24).hex(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AMTSWEG_BENCH_BASELINE": "1",
            "AMTSWEG_EMAIL": "file",
            "AMTSWEG_TEST_IDP": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    setup = Installation(database, var_dir, env, version)
    try:
        yield setup
    finally:
        setup.stop()
        if not keep:
            shutil.rmtree(var_dir, ignore_errors=True)
            if database == "postgres":
                with contextlib.suppress(Exception):
                    recreate_postgres(postgres_url, drop_only=True)
        else:
            log(f"kept {var_dir}")


def prepare(setup: Installation) -> None:
    log(f"{setup.database}: migrate, load the demo, collect static files")
    setup.manage("migrate", "--noinput", "--verbosity=0")
    setup.manage("demo")
    setup.manage("collectstatic", "--noinput", "--verbosity=0")


def make_plan(setup: Installation) -> Path:
    """What the load generator needs: addresses, the form's steps, a valid data set."""
    import datetime as dt

    from amtsweg.demo.forms import hundesteuer
    from amtsweg.demo.forms.common import DemoApplicant

    offering_uuid = setup.manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from amtsweg.catalog.models import Offering; print(Offering.objects.get("
        f"municipality__slug={MUNICIPALITY!r}, slug={OFFERING!r}).uuid)",
    ).strip()
    url = f"{setup.base_url}/api/v1/offerings/{offering_uuid}"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
        offering = json.load(answer)
    applicant = DemoApplicant("Erika", "Mustermann", "Luisenplatz 5", "06151 12345")
    offering_path = f"/kommunen/{MUNICIPALITY}/leistungen/{OFFERING}/"
    plan = {
        "base_url": setup.base_url,
        "offering_path": offering_path,
        "start_path": f"{offering_path}antrag/",
        "steps": offering["form_definition"]["steps"],
        "api_data": hundesteuer.sample_answers(applicant, "64283", "Darmstadt", dt.date.today()),
        "api_path": f"/api/v1/offerings/{offering_uuid}/submissions",
        "baseline_path": f"/_bench/insert/{offering_uuid}",
    }
    path = setup.var_dir / "plan.json"
    path.write_text(json.dumps(plan))
    return path


# --- load and profile ---------------------------------------------------------------------------


def generate(plan: Path, scenario: str, concurrency: int, seconds: float) -> dict[str, Any]:
    """Run one level in a load-generator process and return its figures."""
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "bench.load",
            str(plan),
            f"--scenario={scenario}",
            f"--concurrency={concurrency}",
            f"--duration={seconds}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=False,
    )
    if result.returncode or not result.stdout.strip():
        raise SystemExit(f"the load generator failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def start_profile(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes] | None:
    """py-spy on one web worker (wall clock, idle included, so waiting for the database
    shows), or None when py-spy is not installed."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        return None
    return subprocess.Popen(  # noqa: S603
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nolineno",
            "--idle",
            "--nonblocking",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


FRAME_RE = re.compile(r"^(?P<function>.+?) \((?P<file>[^)]*)\)$")


#: What a web worker's time goes to, by the frames on its stack; the first that matches counts
#: (innermost frames are looked at first).
CATEGORIES = (
    ("database (driver: queries, commits, connects)", ("django/db/backends/", "psycopg/")),
    ("templates (rendering HTML)", ("django/template/",)),
    ("sessions (loading and saving)", ("django/contrib/sessions/",)),
    ("ORM (building queries, making model objects)", ("django/db/models/",)),
    ("JSON decoding and encoding", ("json/",)),
    ("forms engine (amtsweg.forms)", ("amtsweg/forms/",)),
    ("other amtsweg code", ("amtsweg/",)),
    ("writing the response", ("gunicorn/util.py",)),
)


def _category(frames: list[str]) -> str:
    if not any("handle_request" in frame for frame in frames):
        return "waiting for the next request"
    for frame in reversed(frames):
        for name, markers in CATEGORIES:
            if any(marker in frame for marker in markers):
                return name
    return "other (Django request handling, middleware, gunicorn)"


def summarize_profile(path: Path, top: int = 18) -> dict[str, Any]:
    """Inclusive and self shares of the functions in a py-spy raw (collapsed) profile, and
    the share of each category of work."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = []
        for frame in stack.split(";"):
            match = FRAME_RE.match(frame.strip())
            frames.append(f"{match['function']} ({match['file']})" if match else frame.strip())
        for name in set(frames[1:]):  # skip the process/thread root
            inclusive[name] += count
        if frames:
            own[frames[-1]] += count
        categories[_category(frames)] += count
    share = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "categories": [(name, share(n)) for name, n in categories.most_common()],
        "inclusive": [(name, share(n)) for name, n in inclusive.most_common(300)],
        "self": [(name, share(n)) for name, n in own.most_common(top)],
    }


def scenario_seconds(mode: Mode, scenario: str) -> float:
    return mode.journey_seconds if scenario == "journey" else mode.submit_seconds


def profile_scenarios(
    setup: Installation, plan: Path, mode: Mode, level: int, pid: int, results_dir: Path
) -> dict[str, Any]:
    """py-spy on one web worker while the API and the journeys run once more at ``level``.

    A window of their own after the counted levels, whose figures are only logged: py-spy
    takes about a tenth of a core, and sampling during a counted level lowered its rates.
    """
    profiles: dict[str, Any] = {}
    for scenario in ("api", "journey"):
        seconds = scenario_seconds(mode, scenario)
        output = results_dir / f"profile-{setup.database}-{scenario}-{level}.txt"
        output.unlink(missing_ok=True)  # a quick run's folder holds the last run's
        profiler = start_profile(pid, max(1.0, seconds - 4), output)
        if profiler is None:
            log("no profiles: py-spy is not installed")
            return profiles
        try:
            figures = generate(plan, scenario, level, seconds)
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(timeout=60)
        except SystemExit as failure:  # the counted figures stand; this window only profiles
            log(f"the profile window's load failed: {failure}")
            return profiles
        finally:
            if profiler.poll() is None:
                profiler.kill()
                profiler.wait()
        log(
            f"{setup.database} {scenario:8} {level:4} applicants, profiled, not counted: "
            f"{figures['per_second']:7.1f}/s, {figures['error_count']} errors"
        )
        if output.exists() and output.stat().st_size:
            profiles[f"{scenario} at {level}"] = {"file": str(output), **summarize_profile(output)}
        else:
            log(f"no profile of the {scenario}: py-spy could not sample the web worker")
        wait_until_idle(setup.base_url)
    return profiles


def run_database(
    database: str, mode: Mode, args: argparse.Namespace, results_dir: Path
) -> dict[str, Any]:
    with installation(database, args.postgres_url, args.keep) as setup:
        prepare(setup)
        processes = setup.start(task_worker=not args.no_task_worker, web_workers=args.workers)
        web = processes.web_workers()
        log(
            f"{database}: serving at {setup.base_url} with {len(web)} web workers"
            + ("" if args.no_task_worker else " and the task worker")
        )
        plan = make_plan(setup)
        steps = [step["key"] for step in json.loads(plan.read_text())["steps"]]
        for scenario in SCENARIOS:  # warm up every worker's caches; not counted
            generate(plan, scenario, 5, mode.warmup_seconds)
        wait_until_idle(setup.base_url)
        sampler = MemorySampler(processes)
        sampler.start()
        runs = []
        profiles: dict[str, Any] = {}
        served = database_name(args.postgres_url) if database == "postgres" else None
        for level in mode.levels:
            for scenario in SCENARIOS:
                seconds = scenario_seconds(mode, scenario)
                cpu_before = processes.cpu_seconds(served)
                window = time.monotonic()  # the generator's start and exit included
                figures = generate(plan, scenario, level, seconds)
                figures["cpu_percent"] = cpu_shares(
                    cpu_before,
                    processes.cpu_seconds(served),
                    figures["generator_cpu_s"],
                    time.monotonic() - window,
                )
                figures["database"] = database
                runs.append(figures)
                log(
                    f"{database} {scenario:8} {level:4} applicants: "
                    f"{figures['per_second']:7.1f}/s, {figures['error_count']} errors, "
                    f"generator CPU {figures['generator_cpu_s']} s"
                )
                wait_until_idle(setup.base_url)
        memory = sampler.stop()
        if args.profile:
            profiles = profile_scenarios(
                setup, plan, mode, args.profile_level, web[0], results_dir
            )
        memory["web_workers"] = len(web)
        setup.stop()
    return {
        "database": database,
        "version": setup.database_version,
        "runs": runs,
        "memory_mb": memory,
        "profiles": profiles,
        "steps": steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke check (SQLite, seconds)")
    parser.add_argument(
        "--databases", help="comma-separated: sqlite,postgres (default: the mode's)"
    )
    parser.add_argument("--levels", help="comma-separated concurrent applicants")
    parser.add_argument("--journey-seconds", type=float, help="per level, journeys")
    parser.add_argument("--submit-seconds", type=float, help="per level, API and baseline")
    parser.add_argument(
        "--postgres-url",
        help="a database the benchmark may drop and create (default: $BENCH_POSTGRES_URL, "
        "else amtsweg_bench on this machine's server, through its Unix socket where it answers)",
    )
    parser.add_argument("--no-task-worker", action="store_true", help="web workers only")
    parser.add_argument("--workers", type=int, help="web workers (default: serve's own)")
    parser.add_argument(
        "--profile", action="store_true", help="py-spy one web worker (journey and API)"
    )
    parser.add_argument("--profile-level", type=int, default=50)
    parser.add_argument("--no-write", action="store_true", help="do not touch docs/")
    parser.add_argument("--keep", action="store_true", help="keep the var dirs and database")
    args = parser.parse_args(argv)

    base = QUICK if args.quick else FULL
    mode = Mode(
        base.name,
        args.databases.split(",") if args.databases else base.databases,
        [int(n) for n in args.levels.split(",")] if args.levels else base.levels,
        args.journey_seconds or base.journey_seconds,
        args.submit_seconds or base.submit_seconds,
        base.warmup_seconds,
    )
    if any(not 1 <= level <= 1000 for level in mode.levels):
        parser.error("levels must lie between 1 and 1000 applicants")
    if args.workers is not None and args.workers < 1:
        parser.error("--workers must be at least 1")
    started = datetime.datetime.now().astimezone()
    # A quick run (each `make test` makes one) overwrites the last quick run's figures.
    results_dir = (
        ROOT / "var" / "bench" / ("quick" if args.quick else started.strftime("%Y%m%d-%H%M%S"))
    )
    results_dir.mkdir(parents=True, exist_ok=True)
    command = "make bench-quick" if args.quick else "make bench"
    if argv or len(sys.argv) > 1:
        command += f" (python -m bench {' '.join(argv if argv is not None else sys.argv[1:])})"
    outcome: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "mode": mode.__dict__,
        "command": command,
        "machine": machine(),
        "task_worker": not args.no_task_worker,
        "workers": args.workers,
        "databases": [],
        "skipped": {},
    }
    for database in mode.databases:
        if database == "postgres":
            args.postgres_url = args.postgres_url or bench_postgres_url(
                "BENCH_POSTGRES_URL", "amtsweg_bench"
            )
        if database == "postgres" and (reason := postgres_answers(args.postgres_url)):
            log(f"postgres: skipped, no server answers ({reason})")
            outcome["skipped"][database] = reason
            continue
        outcome["databases"].append(run_database(database, mode, args, results_dir))
    outcome["seconds"] = round((datetime.datetime.now().astimezone() - started).total_seconds())
    (results_dir / "results.json").write_text(json.dumps(outcome, indent=1))
    report.publish(report.section(outcome), not args.quick and not args.no_write, log)
    log(f"raw figures: {results_dir / 'results.json'}")
    problems = report.smoke_problems(outcome)
    for problem in problems:
        log(f"FAILED: {problem}")
    return 1 if problems else 0
