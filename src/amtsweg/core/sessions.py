"""Django's database sessions, read and rewritten with statements built once per process.

Every page of the citizen journey reads the session (the staff check and the draft's owner
both look into it), and the pages that remember something rewrite it. Django's own store
builds the same ``SELECT`` and ``UPDATE`` with the ORM's compiler each time: 0.4 and 0.6 ms of
CPU, several per cent of a journey page (issue 9, docs/benchmarks.md). The rows, their
expiry and everything else stay exactly as ``django.contrib.sessions.backends.db`` keeps them,
so ``clearsessions`` and the single logout work unchanged; a new session is still created by
Django's code (it must detect a taken key).
"""

import functools

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.utils import timezone

from amtsweg.lib.rows import update_row


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        connection = connections[DEFAULT_DB_ALIAS]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select(connection.vendor), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new key is made when the session is saved
            self._session_key = None
            return None
        return Session(session_key=self.session_key, session_data=row[0])

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None or must_create:
            super().save(must_create=must_create)
            return
        session = self.create_model_instance(self._get_session())
        try:
            updated = update_row(session, ["session_data", "expire_date"])
        except DatabaseError as error:  # as Django's store: the middleware answers 400
            raise UpdateError from error
        if not updated:
            raise UpdateError  # the session was deleted meanwhile (a log-out elsewhere)


@functools.cache
def _select(vendor: str) -> str:
    """The statement of ``_get_session_from_db`` on a ``vendor``'s database."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return "SELECT {} FROM {} WHERE {} = %s AND {} > %s".format(  # noqa: S608 - our own names
        quote("session_data"),
        quote(Session._meta.db_table),
        quote("session_key"),
        quote("expire_date"),
    )
