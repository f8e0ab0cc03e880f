"""The benchmark's CPU split counts the database server's processes that ended during a level
(Django closes a connection after CONN_MAX_AGE, and its server process ends with it)."""

import os
import subprocess
import sys

import pytest
from bench import run

#: A child process that spends ``seconds`` of CPU once its standard input closes.
BURN = (
    "import sys, time\n"
    "sys.stdin.read()\n"
    "end = time.process_time() + float(sys.argv[1])\n"
    "while time.process_time() < end: pass\n"
)


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})


def test_ended_started_and_reused_server_processes():
    before = {"running": {(21, "100"): 5.0, (22, "101"): 2.0}, "ended": 100.0}
    # 22 ended with 3.0 s in all, 23 is new, and 22's pid now belongs to a new process.
    after = {
        "running": {(21, "100"): 6.0, (23, "150"): 0.5, (22, "160"): 0.1},
        "ended": 103.0,
    }

    # 1.0 (21) + 0.5 (23) + 0.1 (the new 22) + 1.0 (the old 22: 3.0 at its end, 2.0 before)
    assert run.database_seconds(before, after) == pytest.approx(2.6)


def test_the_split_of_a_level(two_cores):
    before = {
        "web": {1: 10.0},
        "task": {2: 1.0},
        "database": {"running": {(21, "100"): 5.0}, "ended": 100.0},
        "machine": 50.0,
    }
    after = {
        "web": {1: 12.0},
        "task": {2: 1.5},
        "database": {"running": {(21, "100"): 6.0}, "ended": 100.5},
        "machine": 55.0,
    }

    shares = run.cpu_shares(before, after, generator=0.5, seconds=5.0)

    assert shares == {
        "web": 20.0,
        "task": 5.0,
        "database": 15.0,
        "generator": 5.0,
        "other": 5.0,
        "idle": 50.0,
    }


def test_a_real_server_process_that_ends_during_the_level_is_counted(monkeypatch):
    """This test's process stands in for the PostgreSQL server, its children for connections:
    one alive before the level that ends during it, one that starts and ends during it."""
    connection = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", BURN, "0.4"], stdin=subprocess.PIPE
    )
    monkeypatch.setattr(run, "_database_backends", lambda name: [connection.pid])
    processes = run.Processes(serve=connection.pid)  # no gunicorn, no task worker below it
    processes.cpu_seconds("amtsweg_bench")  # finds the server, as the warm-up does
    assert processes.database_server == os.getpid()
    before = processes.cpu_seconds("amtsweg_bench")

    connection.communicate(b"")  # burns 0.4 s, ends, and is reaped
    subprocess.run([sys.executable, "-c", BURN, "0.2"], input=b"", check=True)  # noqa: S603
    after = processes.cpu_seconds("amtsweg_bench")

    used = run.database_seconds(before["database"], after["database"])
    # 0.4 + 0.2 s of burning, the second interpreter's start and both ends on top
    assert 0.55 <= used <= 1.5
