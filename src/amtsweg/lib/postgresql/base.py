"""Django's PostgreSQL backend, with a connection health check that needs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection before each request's first
statement, so that a database restart or failover does not end the next request of every web
worker in a server error. Django's check sends ``SELECT 1`` and waits for the answer: a round
trip on every request, 5-14 % of a citizen journey's throughput and 11-18 % of the bare
insert's (issue 9, docs/benchmarks.md, "06:05 UTC" and "13:55 UTC").

A server that ends a connection (restart, switchover, ``pg_terminate_backend``, an idle
timeout) sends its last message and closes the socket, and an idle connection is sent nothing
else: so a socket with something to read, hung up or in error between two requests is a lost
connection, and asking the kernel costs no round trip. A rare harmless message (a notice) only
costs a new connection.

A server host that dies, or whose address moves to a new primary, closes nothing. Its
connections are found by TCP keepalives (``amtsweg.lib.databases.POSTGRES_KEEPALIVES``): the
kernel probes a connection idle for some seconds, and a reset or unanswered probes put the
socket in error, which this check sees. A request in the seconds before that fails once, where
``SELECT 1`` would have met the reset and reconnected; where no reset comes, ``SELECT 1`` hung
as long as the request's own statement does.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            # A failed transaction or a statement still running: Django's round trip answers.
            return super().is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            return not poller.poll(0)  # nothing to read, not hung up, no error
        except (OSError, psycopg.Error):
            return False
