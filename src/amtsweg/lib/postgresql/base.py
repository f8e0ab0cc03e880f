"""Django's PostgreSQL backend, with a connection health check that needs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection before each request's first
statement, so that a database restart or failover does not end the next request of every web
worker in a server error. Django's check sends ``SELECT 1`` and waits for the answer: a round
trip on every request, 5 % of a citizen journey's throughput and 11 % of the bare insert's
(issue 9, docs/benchmarks.md, "06:05 UTC").

A server that ends a connection (restart, failover, ``pg_terminate_backend``, an idle timeout)
sends its last message and closes the socket, and an idle connection is sent nothing else: so
a socket with something to read between two requests is a lost connection. Asking the kernel
for that costs no round trip. The rare harmless message (a notice) only costs a new
connection. A server that vanishes without closing the socket is caught by neither check:
``SELECT 1`` would wait for it just as the request's own first statement does.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        socket = select.poll()
        socket.register(connection.fileno(), select.POLLIN)
        return not socket.poll(0)  # nothing to read, not hung up, no error
