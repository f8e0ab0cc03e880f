"""A killed quick back-office benchmark leaves its database behind; the next one drops it
(``bench.backoffice.drop_abandoned_quick_databases``) unless a run still holds it
(``claimed_database``) or somebody is connected to it. On the real PostgreSQL server."""

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from bench.backoffice import (
    claimed_database,
    drop_abandoned_quick_databases,
    quick_databases_like,
)
from bench.run import with_database
from django.db import connection
from psycopg import sql

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the quick run's databases live on PostgreSQL"
)

BASE = f"amtsweg_droptest_{os.getpid()}"
ROOT = Path(__file__).resolve().parent.parent
CLAIM_UNTIL_KILLED = """
import sys
from bench.backoffice import claimed_database
with claimed_database(sys.argv[1]):
    print("claimed", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def server():
    """The test server's URL, and a function that creates a database there for this test."""
    url = with_database(os.environ["DATABASE_URL"], "postgres")
    made: list[str] = []

    def create(name: str) -> str:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return name

    def existing() -> set[str]:
        with psycopg.connect(url) as admin:
            rows = admin.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", [made])
            return {name for (name,) in rows}

    yield url, create, existing
    with psycopg.connect(url, autocommit=True) as admin:
        for name in made:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_only_an_unheld_unused_database_of_a_quick_run_is_dropped(server):
    url, create, existing = server
    abandoned = create(f"{BASE}_quick_1")
    running = create(f"{BASE}_quick_2")
    in_use = create(f"{BASE}_quick_3")
    other_base = create(f"{BASE}x_quick_4")  # another benchmark's name
    wildcard = create(f"{BASE}Xquick_5")  # "_" in the pattern is no wildcard

    with (
        claimed_database(with_database(url, running)),
        psycopg.connect(with_database(url, in_use)),
    ):
        dropped = drop_abandoned_quick_databases(with_database(url, BASE))
        assert dropped == [abandoned]
        assert existing() == {running, in_use, other_base, wildcard}

    # The run that held its database has ended, and nobody is connected any more.
    assert _dropped_once_sessions_end(url) == {running, in_use}


def test_a_killed_runs_database_is_dropped(server):
    url, create, existing = server
    name = create(f"{BASE}_quick_6")
    with subprocess.Popen(  # noqa: S603 - a quick run that holds its database until killed
        [sys.executable, "-c", CLAIM_UNTIL_KILLED, with_database(url, name)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    ) as run:
        try:
            readable, _, _ = select.select([run.stdout], [], [], 30)
            assert readable, "the run did not claim its database within 30 s"
            assert run.stdout.readline() == b"claimed\n"
            assert drop_abandoned_quick_databases(with_database(url, BASE)) == []
        finally:
            run.kill()
    assert _dropped_once_sessions_end(url) == {name}
    assert existing() == set()


def _dropped_once_sessions_end(url: str) -> set[str]:
    """What the cleanup drops once the server has ended the sessions just closed or killed:
    a session's backend ends (and lets go of its locks) a moment after its client."""
    dropped: set[str] = set()
    deadline = time.monotonic() + 10
    while True:
        dropped |= set(drop_abandoned_quick_databases(with_database(url, BASE)))
        if time.monotonic() > deadline or _quick_databases(url) == set():
            return dropped
        time.sleep(0.05)


def _quick_databases(url: str) -> set[str]:
    """This test's databases that the cleanup may drop."""
    with psycopg.connect(url) as admin:
        rows = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            [quick_databases_like(BASE)],
        )
        return {name for (name,) in rows}
