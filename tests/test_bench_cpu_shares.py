"""The benchmark's CPU split counts a database connection that ended during the level."""

import os
import subprocess
import sys
import time

import pytest
from bench import run


@pytest.fixture
def two_cores(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})


def test_a_backend_that_ended_counts_with_what_it_used_during_the_level(two_cores):
    before = {
        "web": {1: 10.0},
        "task": {},
        "database": {21: 5.0, 22: 2.0},
        "database_ended": {20: 100.0},
        "machine": 50.0,
    }
    # 22 ended with 3.0 s in all (the server's ended children rose by that), 23 is new.
    after = {
        "web": {1: 12.0},
        "task": {},
        "database": {21: 6.0, 23: 0.5},
        "database_ended": {20: 103.0},
        "machine": 55.0,
    }

    shares = run.cpu_shares(before, after, generator=0.5, seconds=5.0)

    # database: 1.0 (21) + 0.5 (23) + 1.0 (22, 3.0 at its end less 2.0 before) = 2.5 s of 10
    assert shares["database"] == 25.0
    assert shares["web"] == 20.0
    assert shares["other"] == 0.0  # 5 s used: 2 web + 2.5 database + 0.5 generator


def test_without_postgresql_nothing_is_counted_for_the_database(two_cores):
    before = {"web": {1: 1.0}, "task": {2: 1.0}, "database": {}, "machine": 10.0}
    after = {"web": {1: 2.0}, "task": {2: 1.5}, "database": {}, "machine": 12.0}

    shares = run.cpu_shares(before, after, generator=0.0, seconds=2.0)

    assert (shares["database"], shares["web"], shares["task"], shares["other"]) == (
        0.0,
        25.0,
        12.5,
        12.5,
    )


def test_the_cpu_of_ended_children_is_read_from_proc():
    """A child that burnt CPU and was reaped shows in the parent's ended children's CPU."""
    own = os.getpid()
    before = run._cpu_seconds(own, of_children=True)
    busy = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    subprocess.run([sys.executable, "-c", busy], check=True)  # noqa: S603
    time.sleep(0.05)

    assert run._cpu_seconds(own, of_children=True) - before >= 0.25
