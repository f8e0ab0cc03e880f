"""A killed quick back-office benchmark leaves its database behind; the next one drops it
(``bench.backoffice.drop_abandoned_quick_databases``), on the real PostgreSQL server."""

import os
import subprocess
import sys

import psycopg
import pytest
from bench.backoffice import drop_abandoned_quick_databases
from bench.run import with_database
from django.db import connection
from psycopg import sql

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the quick run's databases live on PostgreSQL"
)

BASE = f"amtsweg_droptest_{os.getpid()}"


def _ended_pid() -> int:
    """The pid of a process that has run and ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def server_url():
    url = with_database(os.environ["DATABASE_URL"], "postgres")
    made: list[str] = []

    def create(name: str) -> str:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return name

    yield url, create
    with psycopg.connect(url, autocommit=True) as admin:
        for name in made:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _databases(url: str) -> set[str]:
    with psycopg.connect(url) as admin:
        rows = admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [f"{BASE}%"])
        return {name for (name,) in rows}


def test_only_a_dead_runs_unused_database_is_dropped(server_url):
    url, create = server_url
    dead = create(f"{BASE}_quick_{_ended_pid()}")
    running = create(f"{BASE}_quick_{os.getpid()}")  # this process runs
    in_use = create(f"{BASE}_quick_{_ended_pid()}")
    other_base = create(f"{BASE}x_quick_{_ended_pid()}")  # another benchmark's name
    wildcard = create(f"{BASE}Xquick_{_ended_pid()}")  # "_" in the pattern is no wildcard
    not_a_pid = create(f"{BASE}_quick_abc")

    with psycopg.connect(with_database(url, in_use)):
        dropped = drop_abandoned_quick_databases(with_database(url, BASE))

    assert dropped == [dead]
    assert _databases(url) == {running, in_use, other_base, wildcard, not_a_pid}


def test_nothing_to_drop(server_url):
    url, create = server_url
    running = create(f"{BASE}_quick_{os.getpid()}")
    assert drop_abandoned_quick_databases(with_database(url, BASE)) == []
    assert _databases(url) == {running}
