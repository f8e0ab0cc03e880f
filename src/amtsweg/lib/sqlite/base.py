"""Django's SQLite backend, with each statement's placeholders converted once per process.

Django writes ``%s`` placeholders and SQLite reads ``?``: Django's SQLite cursor converts every
statement with a regular expression each time it runs it. That regular expression was 5 % of
the instructions a citizen journey executes on SQLite (issue 9, docs/benchmarks.md, "SQLite's
placeholders converted once per statement"). A process runs the same statements over and over,
so it keeps each one's converted text, up to ``KEPT_STATEMENTS`` of them.
"""

from collections.abc import Sequence
from typing import Any

from django.db.backends.sqlite3 import base

#: How many converted statements a process keeps: a citizen journey, the API submit and the
#: bare insert use 30 (10,800 characters). When full, all are dropped and the ones in use come
#: back first. Even 500 statements of 4,000 characters would take only 4 MB with their
#: conversions.
KEPT_STATEMENTS = 500

_converted: dict[str, str] = {}


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        """Django's conversion, looked up for statements with positional parameters (all but
        a few raw ones with named parameters, which Django's conversion handles as before)."""
        if param_names is not None:
            return super().convert_query(query, param_names=param_names)
        converted = _converted.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_converted) >= KEPT_STATEMENTS:
                _converted.clear()
            _converted[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> CursorWrapper:
        return self.connection.cursor(factory=CursorWrapper)
