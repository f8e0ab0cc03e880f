"""The benchmark's CPU split counts the database server whole, with its processes that ended
during a level (Django closes a connection after CONN_MAX_AGE, and its server process ends
with it)."""

import os
import subprocess
import sys

import pytest
from bench import run

#: A child process that spends ``argv[1]`` seconds of CPU, then, once its standard input
#: closes, ``argv[2]`` more, and ends.
BURN = (
    "import sys, time\n"
    "def burn(seconds):\n"
    "    end = time.process_time() + seconds\n"
    "    while time.process_time() < end: pass\n"
    "burn(float(sys.argv[1]))\n"
    "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
    "sys.stdin.read()\n"
    "burn(float(sys.argv[2]))\n"
)


def _connection(before_level: float, during_level: float) -> subprocess.Popen:
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", BURN, str(before_level), str(during_level)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert child.stdout.readline() == b"ready\n"
    return child


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})


def test_the_split_of_a_level(two_cores):
    before = {
        "web": {1: 10.0},
        "task": {2: 1.0},
        "database": {"server": 20, "cpu": 105.0},
        "machine": 50.0,
    }
    after = {
        "web": {1: 12.0},
        "task": {2: 1.5},
        "database": {"server": 20, "cpu": 106.5},
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


@pytest.mark.parametrize(("before", "after"), [(None, 20), (20, 21), (None, None)])
def test_nothing_is_counted_unless_both_readings_saw_the_same_server(before, after):
    readings = {"server": before, "cpu": 5.0}, {"server": after, "cpu": 900.0}

    assert run.database_seconds(*readings) == 0.0


def test_a_real_server_process_that_ends_during_the_level_is_counted(monkeypatch):
    """This test's process stands in for the PostgreSQL server, its children for connections:
    one that had used 0.3 s before the level and ends during it after 0.4 s more, one that
    starts and ends during the level after 0.2 s."""
    connection = _connection(0.3, 0.4)
    monkeypatch.setattr(run, "_database_backends", lambda name: [connection.pid])
    processes = run.Processes(serve=connection.pid)  # no gunicorn, no task worker below it
    before = processes.cpu_seconds("amtsweg_bench")
    assert processes.database_server == os.getpid()

    connection.communicate(b"")  # burns 0.4 s, ends, and is reaped
    subprocess.run([sys.executable, "-c", BURN, "0", "0.2"], input=b"", check=True)  # noqa: S603
    after = processes.cpu_seconds("amtsweg_bench")

    used = run.database_seconds(before["database"], after["database"])
    # 0.4 + 0.2 s of burning, the second interpreter's start and both ends on top; not the
    # 0.3 s the first had used before
    assert 0.5 <= used <= 0.85  # /proc counts in ticks of 10 ms


def test_a_running_server_process_counts_what_it_used_so_far(monkeypatch):
    connection = _connection(0.3, 0.0)
    monkeypatch.setattr(run, "_database_backends", lambda name: [connection.pid])
    own = run._cpu_seconds(os.getpid()) + run._cpu_seconds(os.getpid(), of_children=True)

    reading = run.Processes(serve=connection.pid).cpu_seconds("amtsweg_bench")["database"]
    connection.communicate(b"")

    assert 0.25 <= reading["cpu"] - own <= 0.6  # /proc counts in ticks of 10 ms


@pytest.mark.parametrize(
    ("parent", "title", "server"),
    [
        (4242, "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql", 4242),
        (1, "/sbin/init", None),  # the server has gone, its processes were handed to init
        (4343, "postgres: 15/main: parallel worker", None),  # not a server
    ],
)
def test_the_server_is_the_parent_of_a_connection(monkeypatch, parent, title, server):
    monkeypatch.setattr(run, "_stat_fields", lambda pid: ["S", str(parent)])
    monkeypatch.setattr(run, "_cmdline", lambda pid: title)

    assert run._server_of(777) == server
