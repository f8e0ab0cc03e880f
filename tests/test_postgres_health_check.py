"""The PostgreSQL connection health check (``amtsweg.lib.postgresql``): a kept connection that
the server has ended is replaced before a request uses it, and a live one is checked without a
round trip. On the real server, whose backend is ended with ``pg_terminate_backend``."""

import os
import socket
import time

import psycopg
import pytest
from django.db import connection

from amtsweg.lib.databases import POSTGRES_ENGINE

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend only"),
    pytest.mark.django_db(transaction=True),
]


def _other_connection() -> psycopg.Connection:
    """A second connection to the same server, as a database administrator's would be."""
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def _start_request() -> None:
    """What Django does for a kept connection when a request starts."""
    connection.close_if_unusable_or_obsolete()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_settings_choose_this_backend():
    assert connection.settings_dict["ENGINE"] == POSTGRES_ENGINE
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_an_idle_connection_is_probed_by_the_kernel():
    _backend_pid()
    if connection.connection.info.host.startswith("/"):
        pytest.skip("keepalives are TCP's; this server is reached through a Unix socket")
    kept = socket.socket(fileno=os.dup(connection.connection.fileno()))  # a copy, closed below
    try:
        options = connection.settings_dict["OPTIONS"]  # ours, or the URL's own
        assert kept.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert kept.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == int(
            options["keepalives_idle"]
        )
        assert kept.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == int(
            options["keepalives_interval"]
        )
        assert kept.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == int(
            options["keepalives_count"]
        )
    finally:
        kept.close()


def test_a_live_connection_is_usable_without_a_round_trip():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = connection.connection.info.backend_pid

    assert connection.is_usable()
    with _other_connection() as admin:
        (last,) = admin.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
    assert last == "SELECT 'the last statement'"  # Django's own check would have sent SELECT 1


def test_a_connection_the_server_ended_is_replaced_before_the_next_request_uses_it():
    pid = _backend_pid()
    with _other_connection() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    deadline = time.monotonic() + 10
    while connection.is_usable():  # the backend ends a moment after it was told to
        assert time.monotonic() < deadline, "the ended connection still looks usable"
        time.sleep(0.01)

    _start_request()
    assert _backend_pid() != pid  # a new connection answered; no error reached the request


def test_a_connection_in_a_failed_transaction_is_not_usable():
    _backend_pid()
    raw = connection.connection  # in autocommit, as Django keeps it between requests
    raw.execute("BEGIN")
    with pytest.raises(psycopg.errors.DivisionByZero):
        raw.execute("SELECT 1 / 0")
    try:
        assert not connection.is_usable()  # the socket is quiet, the transaction is not
    finally:
        raw.execute("ROLLBACK")
    assert connection.is_usable()


def test_a_closed_connection_is_not_usable():
    _backend_pid()
    connection.connection.close()
    try:
        assert not connection.is_usable()
    finally:
        connection.close()  # as the request's end would, for the test's clean-up
