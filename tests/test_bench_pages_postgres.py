"""``python -m bench pages --database postgres``: the journey's CPU and statements per page on
PostgreSQL, in a throwaway database that is gone afterwards, also when the run is stopped.
On the real server."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from bench.backoffice import quick_databases_like
from bench.pages import backend_serves
from bench.run import with_database
from django.db import connection
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the PostgreSQL server"
)


def pages(*arguments: str, **popen: object) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench", "pages", "--quick", "--database", "postgres", *arguments],
        cwd=ROOT,
        text=True,
        **popen,
    )


@pytest.fixture
def run_databases() -> Iterator[tuple[str, Callable[[], list[str]]]]:
    """A base URL of this test's own, and what the runs made beside it on the server: the
    quick run's ``<name>_quick_<pid>``. Dropped afterwards, whatever the test left."""
    name = f"amtsweg_pagestest_{os.getpid()}"
    admin_url = with_database(os.environ["DATABASE_URL"], "postgres")

    def made() -> list[str]:
        with psycopg.connect(admin_url) as admin:
            rows = admin.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [quick_databases_like(name)],
            )
            return [found for (found,) in rows]

    yield with_database(os.environ["DATABASE_URL"], name), made
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for left in made():
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(left))
            )


@on_postgresql
def test_the_pages_are_measured_on_postgresql_and_the_database_dropped(run_databases):
    url, made = run_databases
    run = pages("--postgres-url", url, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = run.communicate(timeout=300)

    assert run.returncode == 0, stderr
    assert "pages of the citizen journey on PostgreSQL" in stdout
    assert "DEBUG off, PostgreSQL), after 2 not counted" in stdout
    assert "| submit POST | 5 |" in stdout  # one per journey, five journeys
    # Where the server runs on this machine, its CPU per request is measured beside the
    # process's; elsewhere the section says it is not included.
    with psycopg.connect(with_database(os.environ["DATABASE_URL"], "postgres")) as ours:
        try:
            local = backend_serves(ours.info.backend_pid, "postgres", ours)
        except OSError:
            local = False
    if local:
        assert (
            "| page | requests | median CPU ms | median CPU ms of its server process |" in stdout
        )
    else:
        assert "the database server's not included." in stdout
    assert made() == []


@on_postgresql
def test_a_run_stopped_with_sigterm_drops_its_database(run_databases):
    url, made = run_databases
    run = pages("--postgres-url", url, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not made() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert made(), "the run made no database"
        run.send_signal(signal.SIGTERM)

        assert run.wait(timeout=60) == 128 + signal.SIGTERM
        assert made() == []
    finally:
        run.kill()
        run.wait()


def test_a_quick_run_without_a_postgresql_server_is_skipped_not_failed():
    run = pages(
        "--postgres-url",
        "postgres://postgres@127.0.0.1:1/amtsweg_nowhere",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    stdout, stderr = run.communicate(timeout=60)

    assert run.returncode == 0, stderr
    assert "skipped, no PostgreSQL server answers" in stderr
    assert "pages of the citizen journey" not in stdout
