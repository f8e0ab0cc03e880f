"""The session store (``amtsweg.core.sessions``): Django's database sessions, read and
rewritten with precompiled statements (issue 9). It must behave exactly like Django's."""

import contextlib
import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsweg.core.sessions import SessionStore
from tests.orm_compiling import forbid_orm_compiling

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored() -> SessionStore:
    session = SessionStore()
    session["drafts"] = ["a4f1", "Zoë 🐕"]
    session.save()  # a new session: a new key and its row
    return session


def _no_session_object(*args: object, **kwargs: object) -> None:
    raise AssertionError("a Session object was made")


def test_the_platform_uses_it():
    assert settings.SESSION_ENGINE == "amtsweg.core.sessions"


def test_a_session_reads_back_in_one_statement_without_the_orm(stored, monkeypatch):
    """One precompiled statement, and no ``Session`` object made only to read its data."""
    forbid_orm_compiling(monkeypatch)
    monkeypatch.setattr(Session, "__init__", _no_session_object)
    with CaptureQueriesContext(connection) as queries:
        loaded = SessionStore(stored.session_key)
        assert loaded["drafts"] == ["a4f1", "Zoë 🐕"]
    assert len(queries) == 1


def test_an_expired_session_reads_as_empty_and_gets_a_new_key(stored):
    Session.objects.filter(session_key=stored.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    loaded = SessionStore(stored.session_key)
    assert dict(loaded.items()) == {}
    assert loaded.session_key is None
    loaded["fresh"] = True
    loaded.save()
    assert loaded.session_key != stored.session_key  # never revives the expired key


def test_an_unknown_key_reads_as_empty():
    assert dict(SessionStore("x" * 32).items()) == {}


def test_saving_rewrites_the_data_and_the_expiry(stored):
    before = Session.objects.get(session_key=stored.session_key).expire_date
    loaded = SessionStore(stored.session_key)
    loaded["drafts"] = ["b"]
    loaded.set_expiry(3600 * 24)
    loaded.save()
    row = Session.objects.get(session_key=stored.session_key)
    assert SessionStore(stored.session_key)["drafts"] == ["b"]
    assert row.expire_date > before
    assert Session.objects.count() == 1


def test_saving_a_session_deleted_meanwhile_is_refused(stored):
    """Django's store raises UpdateError here (the middleware answers SessionInterrupted)
    instead of writing the row again: a session ended elsewhere (a log-out) stays ended."""
    loaded = SessionStore(stored.session_key)
    loaded["drafts"] = ["b"]
    Session.objects.filter(session_key=stored.session_key).delete()
    with pytest.raises(UpdateError):
        loaded.save()
    assert not Session.objects.exists()


def test_a_database_error_on_saving_is_an_update_error(stored, monkeypatch):
    """As in Django's store: the session middleware answers it with a 400 (SessionInterrupted)
    instead of a server error."""

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("amtsweg.core.sessions.update_row", busy)
    loaded = SessionStore(stored.session_key)
    loaded["drafts"] = ["b"]
    with pytest.raises(UpdateError):
        loaded.save()


@pytest.mark.django_db(transaction=True)  # as in a request: no transaction around it
def test_a_new_session_is_one_insert_without_the_orm(monkeypatch):
    """Django asks whether the new key is taken and inserts in a transaction of its own; the
    row's primary key answers that question here, in the one statement that makes the row."""
    forbid_orm_compiling(monkeypatch)
    session = SessionStore()
    session["drafts"] = ["b5e2"]
    with CaptureQueriesContext(connection) as queries:
        session.save()
    assert [query["sql"].split()[0] for query in queries] == ["INSERT"], queries
    monkeypatch.undo()
    assert SessionStore(session.session_key)["drafts"] == ["b5e2"]
    expires = Session.objects.get(session_key=session.session_key).expire_date
    assert abs(expires - session.get_expiry_date()) < dt.timedelta(seconds=5)


def _draws_taken_key_first(monkeypatch, taken: str) -> list[str]:
    """Make new sessions draw ``taken`` first, then fresh keys; return what was drawn."""
    drawn: list[str] = []
    fresh = SessionStore._get_new_session_key

    def draw(store: SessionStore) -> str:
        drawn.append(taken if not drawn else fresh(store))
        return drawn[-1]

    monkeypatch.setattr(SessionStore, "_get_new_session_key", draw)
    return drawn


@pytest.mark.parametrize(
    "in_transaction",
    [
        pytest.param(False, id="autocommit", marks=pytest.mark.django_db(transaction=True)),
        pytest.param(True, id="in-transaction"),
    ],
)
def test_a_taken_key_is_drawn_again_and_its_session_left_alone(
    stored, monkeypatch, in_transaction
):
    drawn = _draws_taken_key_first(monkeypatch, stored.session_key)
    session = SessionStore()
    session["drafts"] = ["someone else"]
    with transaction.atomic() if in_transaction else contextlib.nullcontext():
        session.save()
        assert Session.objects.count() == 2  # the caller's transaction still works
    assert drawn[0] == stored.session_key and session.session_key == drawn[1] != drawn[0]
    assert SessionStore(stored.session_key)["drafts"] == ["a4f1", "Zoë 🐕"]
    assert SessionStore(session.session_key)["drafts"] == ["someone else"]
