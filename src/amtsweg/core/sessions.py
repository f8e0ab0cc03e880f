"""Django's database sessions, read and rewritten with statements built once per process.

Every page of the citizen journey reads the session (the staff check and the draft's owner
both look into it), and the pages that remember something rewrite it. Django's own store
builds the same ``SELECT`` and ``UPDATE`` with the ORM's compiler each time: 0.4 and 0.6 ms of
CPU, several per cent of a journey page (issue 9, docs/benchmarks.md). The rows, their
expiry and everything else stay exactly as ``django.contrib.sessions.backends.db`` keeps them,
so ``clearsessions`` and the single logout work unchanged.

A new session (each applicant's first POST, every log-in) is inserted the same way. Django
asks the database whether a new random key is taken before it inserts it, in a transaction of
its own; here the row's primary key refuses a taken key when it is inserted, and Django's
``create`` then draws another, as it does when a key is taken between its question and its
insert.
"""

import functools
from contextlib import nullcontext
from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from amtsweg.lib.rows import insert_row, update_row


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data, as Django's store loads it, but without making a ``Session``
        object (``Model.__init__``) only to read its data from it."""
        connection = connections[DEFAULT_DB_ALIAS]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select(connection.vendor), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:  # unknown or expired: a new key is made when the session is saved
            self._session_key = None
            return {}
        return self.decode(row[0])

    def _get_new_session_key(self) -> str:
        """A random key, not looked up first: ``save(must_create=True)`` finds out."""
        return get_random_string(32, VALID_KEY_CHARS)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            self.create()  # comes back here with a key and must_create
            return
        if must_create:
            session = self.create_model_instance(self._get_session(no_load=True))
            connection = connections[DEFAULT_DB_ALIAS]
            try:  # in a savepoint where a failed statement would break the caller's transaction
                with nullcontext() if connection.get_autocommit() else transaction.atomic():
                    insert_row(session)
            except IntegrityError as error:  # the key is taken: ``create`` draws another
                raise CreateError from error
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
    """The statement of ``load`` on a ``vendor``'s database."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return "SELECT {} FROM {} WHERE {} = %s AND {} > %s".format(  # noqa: S608 - our own names
        quote("session_data"),
        quote(Session._meta.db_table),
        quote("session_key"),
        quote("expire_date"),
    )
