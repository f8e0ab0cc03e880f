"""``amtsweg serve``: the web server and the task worker of one installation, in one command.

``make run`` ends here, so that a fresh clone is a working installation with one command: the
task worker runs as a child process (submissions enqueue jobs that must actually run) and the
web server runs in the foreground: gunicorn in production, Django's auto-reloading development
server when ``DEBUG`` is on. Static files are served by WhiteNoise from ``STATIC_ROOT`` (filled by
``amtsweg collectstatic``), so no separate web server is needed to try Amtsweg out.

Both children run in their own process group, and this process forwards SIGINT/SIGTERM to each
exactly once. A terminal's Ctrl+C therefore reaches the worker once (graceful: it finishes the
task it is running), and a second Ctrl+C forces it, as ``db_worker`` documents. Gunicorn always
gets SIGTERM, its graceful shutdown (its SIGINT drops requests in flight). When the web
server exits for any reason the worker is stopped too, and when the worker dies the web server is
stopped and the command fails, so a supervisor (systemd, a container runtime) restarts both
instead of running a web server whose jobs silently pile up.

For larger installations run ``amtsweg serve --no-task-worker`` on the web machines and
``amtsweg worker`` processes separately; see README.md.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

#: How long the worker may take to finish its current task after SIGTERM before it is killed.
WORKER_STOP_TIMEOUT = 30.0
#: Gunicorn's own graceful timeout is 30 s; wait a little longer before killing it.
SERVER_STOP_TIMEOUT = 35.0
#: Gunicorn worker processes are memory-heavy Django processes; more than this on one machine is
#: better spent on more machines or threads, and tests and laptops should not fork dozens.
MAX_DEFAULT_WEB_WORKERS = 5


def default_web_workers() -> int:
    """Gunicorn's rule of thumb (2 x cores + 1), capped at :data:`MAX_DEFAULT_WEB_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(2 * cores + 1, MAX_DEFAULT_WEB_WORKERS)


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _bind_address(host: str, port: int) -> str:
    """``host:port`` as gunicorn and runserver expect it, with brackets around IPv6 hosts."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port}"


def _browser_base(host: str, port: int) -> str:
    """The URL a person on this machine opens: a wildcard bind address is not browsable."""
    if host in {"0.0.0.0", "", "*"}:  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    elif host in {"::", "[::]"}:
        host = "::1"
    return f"http://{_bind_address(host, port)}"


def _amtsweg_command(*args: str) -> list[str]:
    """Run another ``amtsweg`` sub-command with this interpreter, independent of PATH."""
    return [sys.executable, "-m", "amtsweg.cli", *args]


class Command(BaseCommand):
    help = (
        "Serve Amtsweg: start the task worker and the web server (gunicorn, or Django's "
        "development server when DEBUG is on) and stop both together."
    )
    requires_system_checks = []  # the children run the checks; do not run them twice

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--port", type=int, default=8000, help="Port to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--workers",
            type=_positive_int,
            default=None,
            help="Gunicorn worker processes (default: 2 x CPU cores + 1, at most "
            f"{MAX_DEFAULT_WEB_WORKERS}). Ignored when DEBUG is on.",
        )
        parser.add_argument(
            "--no-task-worker",
            action="store_false",
            dest="task_worker",
            help="Do not start a task worker (when workers run as separate processes).",
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int | None,
        task_worker: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        bind = _bind_address(host, port)
        # The development server's auto-reloader runs the real server as its own child and dies
        # on SIGTERM without stopping it, so it is signalled as a whole process group. Gunicorn's
        # master stops its own workers and must be the only one signalled, else it logs errors.
        signal_group = settings.DEBUG
        if settings.DEBUG:
            server_cmd = _amtsweg_command("runserver", bind)
            server_name = "Django development server (DEBUG is on)"
        else:
            web_workers = workers or default_web_workers()
            server_cmd = [
                sys.executable,
                "-m",
                "gunicorn",
                "amtsweg.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(web_workers),
                "--access-logfile",
                "-",
            ]
            server_name = f"gunicorn with {web_workers} worker processes"
            if not Path(settings.STATIC_ROOT).is_dir():
                self.stderr.write(
                    self.style.WARNING(
                        f"{settings.STATIC_ROOT} does not exist: pages will have no styles. "
                        "Run `amtsweg collectstatic --noinput` first."
                    )
                )

        base = _browser_base(host, port)
        self.stdout.write(self.style.SUCCESS(f"Amtsweg starting: {server_name}"))
        self.stdout.write(f"  Portal       {base}/")
        self.stdout.write(f"  Back office  {base}/backoffice/")
        self.stdout.write(f"  Admin        {base}/admin/")
        self.stdout.write("Press Ctrl+C to stop.")

        worker_cmd = _amtsweg_command("worker", f"--verbosity={verbosity}")
        exit_code = self._supervise(
            server_cmd, worker_cmd if task_worker else None, signal_group=signal_group
        )
        if exit_code:
            raise CommandError(
                f"Amtsweg stopped with exit code {exit_code}.", returncode=exit_code
            )

    def _supervise(
        self, server_cmd: list[str], worker_cmd: list[str] | None, *, signal_group: bool
    ) -> int:
        """Run worker and server until either exits or a stop signal arrives; return exit code.

        ``signal_group`` says whether the server is signalled as a process group (the
        development server) or as one process that passes SIGTERM on (gunicorn).
        """
        stopping = False
        worker_died = False
        children: list[subprocess.Popen[bytes]] = []
        signalled: set[int] = set()

        def forward(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                if child is server and not signal_group:
                    _send(child, signal.SIGTERM, group=False)
                else:
                    _send(child, signum, group=True)
                signalled.add(child.pid)

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        worker: subprocess.Popen[bytes] | None = None
        server: subprocess.Popen[bytes] | None = None
        try:
            if worker_cmd is not None:
                worker = subprocess.Popen(worker_cmd, process_group=0)  # noqa: S603
                children.append(worker)
            server = subprocess.Popen(server_cmd, process_group=0)  # noqa: S603
            children.append(server)

            while not stopping:
                if server.poll() is not None:
                    break
                if worker is not None and worker.poll() is not None:
                    worker_died = True
                    self.stderr.write(
                        self.style.ERROR(
                            f"The task worker exited unexpectedly (code {worker.returncode}); "
                            "stopping the web server."
                        )
                    )
                    break
                time.sleep(0.5)

            server_code = self._stop(
                server, "web server", SERVER_STOP_TIMEOUT, signalled, group=signal_group
            )
            worker_code = self._stop(
                worker, "task worker", WORKER_STOP_TIMEOUT, signalled, group=True
            )
        finally:
            # Never leave a child (or a grandchild in its group) behind, whatever went wrong.
            for child in children:
                if child.poll() is None:
                    _send(child, signal.SIGKILL, group=True)
                    child.wait()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

        if stopping:
            # Stopped on request: the children's exit codes after SIGINT say nothing useful.
            return 0
        if worker_died:
            return _exit_status(worker_code) or 1
        return _exit_status(server_code)

    def _stop(
        self,
        child: subprocess.Popen[bytes] | None,
        name: str,
        timeout: float,
        signalled: set[int],
        *,
        group: bool,
    ) -> int | None:
        """Stop ``child`` gracefully and return its exit code.

        A child that already got a forwarded signal is only waited for: a second signal would
        make the task worker abandon the task it is running.
        """
        if child is None:
            return None
        if child.pid not in signalled:
            _send(child, signal.SIGTERM, group=group)
            signalled.add(child.pid)
        try:
            return child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stderr.write(f"The {name} did not stop within {timeout:.0f} s; killing it.")
            _send(child, signal.SIGKILL, group=True)
            return child.wait()


def _exit_status(returncode: int | None) -> int:
    """A shell-style exit status: a child killed by signal N counts as 128 + N."""
    if returncode is None:
        return 0
    return 128 - returncode if returncode < 0 else returncode


def _send(child: subprocess.Popen[bytes], signum: int, *, group: bool) -> None:
    """Signal the child, or its whole process group as a terminal would."""
    if child.poll() is not None:
        return  # reaped: its pid and group id may belong to someone else by now
    with contextlib.suppress(ProcessLookupError):  # gone already
        if group:
            os.killpg(child.pid, signum)
        else:
            child.send_signal(signum)
