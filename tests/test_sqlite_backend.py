"""The SQLite backend (``amtsweg.lib.sqlite``): each statement's placeholders are converted as
Django converts them, once per process, and no more statements are kept than it allows."""

import sqlite3

import pytest
from django.db import connection
from django.db.backends.sqlite3 import base as django_sqlite
from hypothesis import example, given
from hypothesis import strategies as st

from amtsweg.lib.databases import SQLITE_ENGINE
from amtsweg.lib.sqlite import base

#: Statements of the characters that matter to the conversion: placeholders, escaped percent
#: signs, SQLite's own placeholder and quotes.
statements = st.text(alphabet="%s?'() ab", max_size=40)


def _cursors() -> tuple[sqlite3.Cursor, sqlite3.Cursor]:
    database = sqlite3.connect(":memory:")
    return database.cursor(factory=base.SQLiteCursorWrapper), database.cursor(
        factory=django_sqlite.SQLiteCursorWrapper
    )


@given(statements)
@example("%%s")  # an escaped percent sign before an "s": no placeholder
@example("%%%s")  # Django leaves a placeholder after an escaped percent sign as it is
@example("%s%s")
@example("'100%%' %s")
def test_a_statement_is_converted_as_django_converts_it_the_first_time_and_after(query):
    base._converted.clear()  # not kept by an earlier example or test
    ours, djangos = _cursors()

    expected = djangos.convert_query(query)

    assert ours.convert_query(query) == expected
    assert ours.convert_query(query) == expected  # the kept conversion


def test_a_kept_statement_is_not_converted_again(monkeypatch):
    conversions = []
    convert = django_sqlite.SQLiteCursorWrapper.convert_query

    def counted(self, query, *, param_names=None):
        conversions.append(query)
        return convert(self, query, param_names=param_names)

    monkeypatch.setattr(django_sqlite.SQLiteCursorWrapper, "convert_query", counted)
    monkeypatch.setattr(base, "_converted", {})
    ours, _ = _cursors()
    query = "SELECT %s FROM t WHERE a = %s AND b LIKE '50%%'"

    assert [ours.convert_query(query) for _ in range(3)] == [
        "SELECT ? FROM t WHERE a = ? AND b LIKE '50%'"
    ] * 3
    assert conversions == [query]


def test_no_more_statements_are_kept_than_allowed(monkeypatch):
    monkeypatch.setattr(base, "KEPT_STATEMENTS", 3)
    monkeypatch.setattr(base, "_converted", {})
    ours, _ = _cursors()

    converted = [ours.convert_query(f"SELECT %s + {number}") for number in range(10)]

    assert converted == [f"SELECT ? + {number}" for number in range(10)]
    assert 0 < len(base._converted) <= 3


def test_a_long_statement_is_converted_each_time_and_not_kept(monkeypatch):
    monkeypatch.setattr(base, "_converted", {})
    ours, djangos = _cursors()
    placeholders = ", ".join(["%s"] * 2000)
    query = f"SELECT * FROM t WHERE id IN ({placeholders})"  # noqa: S608 - placeholders only

    assert len(query) > base.MAX_KEPT_LENGTH
    assert ours.convert_query(query) == djangos.convert_query(query)
    assert base._converted == {}


def test_named_parameters_are_converted_each_time_as_django_does():
    ours, djangos = _cursors()
    query = "SELECT %(a)s + %(b)s"

    assert ours.convert_query(query, param_names=["a", "b"]) == djangos.convert_query(
        query, param_names=["a", "b"]
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's backend only")
@pytest.mark.django_db
def test_the_installation_s_statements_run_through_it():
    assert connection.settings_dict["ENGINE"] == SQLITE_ENGINE
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, base.SQLiteCursorWrapper)
        for _ in range(2):  # converted, then kept
            cursor.execute("SELECT '100%%', %s + %s", [1, 2])
            assert cursor.fetchone() == ("100%", 3)
        cursor.execute("SELECT %(a)s * %(b)s", {"a": 6, "b": 7})
        assert cursor.fetchone() == (42,)
