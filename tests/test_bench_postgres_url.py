"""The benchmarks' default PostgreSQL URL (``bench.run.local_postgres_url``): the server's Unix
socket where it has one, else TCP to 127.0.0.1, and the reports say which."""

import socket

import dj_database_url
import psycopg
import pytest
from bench.run import (
    POSTGRES_SOCKET,
    database_name,
    local_postgres_url,
    postgres_admin_url,
    postgres_transport,
    with_database,
)
from django.db import connection


@pytest.fixture
def socket_file(tmp_path):
    """A listening Unix socket named as PostgreSQL names its own, in a directory with a space."""
    directory = tmp_path / "run dir"
    directory.mkdir()
    path = directory / ".s.PGSQL.5432"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        yield path


def test_a_server_with_a_socket_is_reached_through_it(socket_file):
    url = local_postgres_url("amtsweg_bench", socket_file)
    directory = str(socket_file.parent)

    assert psycopg.conninfo.conninfo_to_dict(url)["host"] == directory
    assert dj_database_url.parse(url)["HOST"] == directory  # what the served platform reads
    assert database_name(url) == "amtsweg_bench"
    assert database_name(with_database(url, "other")) == "other"
    assert psycopg.conninfo.conninfo_to_dict(postgres_admin_url(url))["host"] == directory
    assert postgres_transport(url) == "through its Unix socket"


@pytest.mark.parametrize("kind", ["missing", "plain file"])
def test_without_a_socket_the_url_is_tcp_to_the_loopback(tmp_path, kind):
    path = tmp_path / ".s.PGSQL.5432"
    if kind == "plain file":
        path.write_text("")

    url = local_postgres_url("amtsweg_bench", path)

    assert url == "postgres://postgres@127.0.0.1:5432/amtsweg_bench"
    assert postgres_transport(url) == "over TCP to 127.0.0.1"


@pytest.mark.skipif(
    connection.vendor != "postgresql" or not POSTGRES_SOCKET.is_socket(),
    reason="needs this machine's PostgreSQL server and its Unix socket",
)
def test_the_default_url_reaches_the_local_server_through_the_socket():
    with psycopg.connect(postgres_admin_url(local_postgres_url("amtsweg_bench"))) as ours:
        (address,) = ours.execute("SELECT inet_client_addr()").fetchone()

    assert address is None  # NULL: the client came through the Unix socket
