"""A benchmark stopped with SIGTERM stops what it started (``bench.run.stop_on_sigterm``)."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: A run in miniature: it starts a server-like child in a process group of its own, as
#: ``Installation.start`` does, and stops it in ``finally``, as ``installation`` does.
RUN = textwrap.dedent(
    """
    import subprocess, sys
    from bench.run import stop_on_sigterm

    stop_on_sigterm()
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                              process_group=0)
    try:
        print(server.pid, flush=True)
        server.wait()
    finally:
        server.terminate()
        server.wait()
    """
)


def test_sigterm_stops_the_runs_server():
    run = subprocess.Popen(  # noqa: S603 - our own code
        [sys.executable, "-c", RUN], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    server = int(run.stdout.readline())
    run.send_signal(signal.SIGTERM)

    assert run.wait(timeout=20) == 128 + signal.SIGTERM
    left_over = Path(f"/proc/{server}").exists()
    if left_over:
        os.kill(server, signal.SIGKILL)
    assert not left_over
