"""Django's SQLite backend, with each statement's placeholders converted once per process.

Django writes ``%s`` placeholders and SQLite reads ``?``: Django's SQLite cursor converts every
statement it runs with parameters, with a regular expression, each time. That came to about
5 % of the instructions of a citizen journey on SQLite; kept per statement, a journey needs
5.5 % fewer (issue 9, docs/benchmarks.md, "SQLite's placeholders converted once per
statement"). A process runs the same statements over and over, so it keeps each one's converted
text, up to ``KEPT_STATEMENTS`` of them.
"""

from collections.abc import Sequence

from django.db.backends.sqlite3 import base

#: How many converted statements a process keeps: a citizen journey, the API submit and the
#: bare insert use 30 (10,800 characters). When full, all are dropped and the ones in use come
#: back first.
KEPT_STATEMENTS = 500
#: Longer statements are converted each time and not kept. SQLite takes an ``IN`` list of
#: thousands of parameters in one statement, and each length is a statement of its own; with
#: this limit the kept ones take at most 5 MB with their conversions.
MAX_KEPT_LENGTH = 5000

_converted: dict[str, str] = {}


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Sequence[str] | None = None) -> str:
        """Django's conversion, looked up for positional parameters. Named ones are converted
        each time: their conversion depends on the names as well as the text."""
        if param_names is not None or len(query) > MAX_KEPT_LENGTH:
            return super().convert_query(query, param_names=param_names)
        converted = _converted.get(query)
        if converted is None:
            converted = super().convert_query(query)
            if len(_converted) >= KEPT_STATEMENTS:
                _converted.clear()
            _converted[query] = converted
        return converted


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
