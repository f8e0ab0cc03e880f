"""A check for the tests of the statements built once per process (``amtsweg.lib.rows``, the
session store): that the ORM's compiler builds none while the code under test runs."""

import pytest
from django.db.models.sql.compiler import (
    SQLCompiler,
    SQLDeleteCompiler,
    SQLInsertCompiler,
    SQLUpdateCompiler,
)


def forbid_orm_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any statement the ORM's compiler builds from here on fail the test (the INSERT,
    UPDATE and DELETE compilers override ``as_sql``, so each is refused on its own)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the ORM compiled a query")

    for compiler in (SQLCompiler, SQLInsertCompiler, SQLUpdateCompiler, SQLDeleteCompiler):
        monkeypatch.setattr(compiler, "as_sql", refuse)
