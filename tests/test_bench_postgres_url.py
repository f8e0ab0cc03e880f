"""The benchmarks' default PostgreSQL URL (``bench.run.local_postgres_url``): the server's Unix
socket where it answers there, else TCP to 127.0.0.1, and the reports say which."""

import socket

import dj_database_url
import psycopg
import pytest
from bench import run
from bench.run import (
    POSTGRES_SOCKET,
    database_name,
    local_postgres_url,
    postgres_admin_url,
    postgres_transport,
    socket_postgres_url,
    with_database,
)
from django.db import connection

TCP_URL = "postgres://postgres@127.0.0.1:5432/amtsweg_bench"


@pytest.fixture
def socket_file(tmp_path):
    """A Unix socket named as PostgreSQL names its own, in a directory with a space, that
    nobody listens on any more (a connection is refused at once)."""
    directory = tmp_path / "run dir"
    directory.mkdir()
    path = directory / ".s.PGSQL.5433"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
    return path


def test_a_socket_url_names_the_socket_s_directory_and_port(socket_file):
    url = socket_postgres_url("amtsweg_bench", socket_file)
    directory = str(socket_file.parent)

    given = psycopg.conninfo.conninfo_to_dict(url)
    assert (given["host"], given["port"], given["dbname"]) == (directory, "5433", "amtsweg_bench")
    served = dj_database_url.parse(url)  # what the served platform reads
    assert (served["HOST"], str(served["PORT"]), served["NAME"]) == (
        directory,
        "5433",
        "amtsweg_bench",
    )
    assert database_name(url) == "amtsweg_bench"
    assert database_name(with_database(url, "other")) == "other"
    assert psycopg.conninfo.conninfo_to_dict(postgres_admin_url(url))["host"] == directory
    assert postgres_transport(url) == "through its Unix socket"


def test_a_socket_that_does_not_answer_leaves_tcp(socket_file):
    assert socket_file.is_socket()

    assert local_postgres_url("amtsweg_bench", socket_file) == TCP_URL


def test_a_socket_that_answers_is_taken(socket_file, monkeypatch):
    asked = []
    monkeypatch.setattr(run, "postgres_answers", lambda url: asked.append(url))  # None: answers

    url = local_postgres_url("amtsweg_bench", socket_file)

    assert url == socket_postgres_url("amtsweg_bench", socket_file)
    assert asked == [url]


@pytest.mark.parametrize("kind", ["missing", "plain file", "unsearchable"])
def test_without_a_socket_the_url_is_tcp_to_the_loopback(tmp_path, kind, monkeypatch):
    path = tmp_path / ".s.PGSQL.5432"
    if kind == "plain file":
        path.write_text("")
    if kind == "unsearchable":  # as root a chmod would not stop it, so the check is refused

        def refuse(self):
            raise PermissionError(13, "Permission denied", str(self))

        monkeypatch.setattr(type(path), "is_socket", refuse)

    url = local_postgres_url("amtsweg_bench", path)

    assert url == TCP_URL
    assert postgres_transport(url) == "over TCP to 127.0.0.1"


def test_the_transport_follows_libpq_s_choice(monkeypatch):
    monkeypatch.delenv("PGHOSTADDR", raising=False)
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    assert postgres_transport("postgres:///amtsweg") == "over TCP to 127.0.0.1"
    assert postgres_transport("postgres:///amtsweg?hostaddr=10.0.0.5") == "over TCP to 10.0.0.5"
    monkeypatch.delenv("PGHOST")
    assert postgres_transport("postgres:///amtsweg") == "through its Unix socket"
    monkeypatch.setenv("PGHOSTADDR", "10.0.0.6")
    assert postgres_transport("postgres:///amtsweg") == "over TCP to 10.0.0.6"


def _local_socket_answers() -> bool:
    try:
        return (
            POSTGRES_SOCKET.is_socket()
            and run.postgres_answers(socket_postgres_url("amtsweg_bench", POSTGRES_SOCKET)) is None
        )
    except OSError:
        return False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server")
def test_the_default_url_reaches_the_local_server_through_the_socket():
    if not _local_socket_answers():
        pytest.skip("this machine's PostgreSQL server does not let us in through its socket")
    url = local_postgres_url("amtsweg_bench")

    with psycopg.connect(postgres_admin_url(url)) as ours:
        (address,) = ours.execute("SELECT inet_client_addr()").fetchone()

    assert address is None  # NULL: the client came through the Unix socket
    assert url == socket_postgres_url("amtsweg_bench", POSTGRES_SOCKET)
