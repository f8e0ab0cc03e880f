"""``python -m bench pages --database postgres``: the journey's CPU and statements per page on
PostgreSQL, in a throwaway database that is gone afterwards. On the real server."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from bench.run import with_database
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def pages(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "bench", "pages", "--quick", "--database", "postgres", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL server")
def test_the_pages_are_measured_on_postgresql_and_the_database_dropped():
    name = f"amtsweg_pagestest_{os.getpid()}"
    url = with_database(os.environ["DATABASE_URL"], name)

    done = pages("--postgres-url", url)

    assert done.returncode == 0, done.stderr
    assert "pages of the citizen journey on PostgreSQL" in done.stdout
    assert "DEBUG off, PostgreSQL), after 2 not counted" in done.stdout
    assert "| submit POST | 5 |" in done.stdout  # one per journey, five journeys
    with psycopg.connect(with_database(url, "postgres")) as admin:
        left = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [name + "%"]
        ).fetchall()
    assert left == []


def test_a_quick_run_without_a_postgresql_server_is_skipped_not_failed():
    done = pages("--postgres-url", "postgres://postgres@127.0.0.1:1/amtsweg_nowhere")

    assert done.returncode == 0, done.stderr
    assert "skipped, no PostgreSQL server answers" in done.stderr
    assert "pages of the citizen journey" not in done.stdout
