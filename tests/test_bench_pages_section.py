"""``python -m bench pages``: on PostgreSQL the CPU of the server process behind the
connection is measured per request and added to the journey's and the submit's, where that
process runs on this machine."""

import os
from collections import defaultdict

import psycopg
import pytest
from bench import pages
from bench.run import with_database
from django.db import connection

#: Per request: this process's CPU ms, the server's CPU ms and the statements.
FIGURES = {
    "step GET": ([3.0, 3.0, 3.0], [1.0, 1.0, 1.0], 2),
    "submit POST": ([8.0, 8.0, 8.0], [4.0, 4.0, 4.0], 17),
    "API submit POST": ([4.0, 4.0, 4.0], [2.0, 2.0, 2.0], 12),
    "baseline insert POST": ([2.0, 2.0, 2.0], [2.0, 2.0, 2.0], 1),
}


def _outcome(database: str, *, server_seen: bool = True) -> dict:
    measured: dict = defaultdict(lambda: defaultdict(list))
    for label, (cpu, server, statements) in FIGURES.items():
        measured[label]["cpu"] = list(cpu)
        measured[label]["statements"] = [statements] * len(cpu)
        if server_seen:
            measured[label]["server"] = list(server)
    return {
        "started": "2026-11-27 00:00:00+00:00",
        "command": "python -m bench pages",
        "load": "load average 0.1",
        "database": database,
        "database_version": "15",
        "raw": {
            "pages": measured,
            "journey_cpu_ms": [11.0, 11.0, 11.0],
            "journey_server_ms": [5.0, 5.0, 5.0] if server_seen else [],
        },
    }


def test_the_server_s_cpu_is_a_column_and_counts_in_the_journey_and_the_ratio():
    text = pages.section(_outcome("PostgreSQL"))

    assert "| page | requests | median CPU ms | median CPU ms of its server process |" in text
    assert "| submit POST | 3 | 8.0 | 4.0 | 17 |" in text
    assert "and of the PostgreSQL server process behind its connection" in text
    # 11 ms here and 5 ms in the server; per request (3+1, 8+4) averaged over the six.
    assert "median **16.0 ms** of CPU" in text
    assert "(median 5.0 ms in the server process); 8.0 ms per request" in text
    # API 4+2 against the bare insert's 2+2: 1.5 times, not the 2.0 of this process alone.
    assert "costs 1.5 times the bare insert's CPU" in text
    assert "**67% of the baseline's rate**" in text


def test_without_the_server_s_figures_the_section_says_they_are_missing():
    text = pages.section(_outcome("PostgreSQL", server_seen=False))

    assert "median CPU ms of its server process" not in text
    assert "the database server's not included." in text
    assert "median **11.0 ms** of CPU, this process's;" in text
    assert "costs 2.0 times the bare insert's CPU" in text


def test_one_request_without_its_server_figure_leaves_the_column_out():
    outcome = _outcome("PostgreSQL")
    outcome["raw"]["pages"]["step GET"]["server"].pop()

    text = pages.section(outcome)

    assert "median CPU ms of its server process" not in text
    assert "costs 2.0 times the bare insert's CPU" in text


@pytest.mark.django_db
def test_the_server_process_and_its_cpu_are_read_on_postgresql_only():
    if connection.vendor != "postgresql":
        assert pages.server_cpu_ns() is None
        return
    if (seen := pages.server_cpu_ns()) is None:
        pytest.skip("the PostgreSQL server's processes are not this machine's")
    pid, before = seen
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 300000)")
    again, after = pages.server_cpu_ns()

    assert (again, pid) == (pid, connection.connection.info.backend_pid)
    assert after - before > 1_000_000  # counting 300,000 rows takes over a millisecond


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL server")
def test_only_the_process_at_the_other_end_of_the_connection_counts():
    url = with_database(os.environ["DATABASE_URL"], "postgres")
    with psycopg.connect(url) as ours, psycopg.connect(url) as other:
        pid = ours.info.backend_pid
        try:
            serves = pages.backend_serves(pid, "postgres", ours)
        except OSError:
            pytest.skip("the PostgreSQL server's processes are not this machine's")

        assert serves
        # A server process of the same server, but for another connection, as a pid from a
        # container's namespace could be; and a process that is no server at all.
        assert not pages.backend_serves(other.info.backend_pid, "postgres", ours)
        assert not pages.backend_serves(pid, "another_database", ours)
        assert not pages.backend_serves(os.getpid(), "postgres", ours)
