"""Rows read and written with statements built once per process, for the requests that carry
the load.

``Model.save()`` runs Django's SQL compiler on every call: for an ``INSERT`` of a row of 20-40
columns that costs more CPU than the database needs to store it. A submit writes five rows,
and each web worker does little else under peak load (issue 9, docs/benchmarks.md), so its
rows go through these two functions instead. They do what ``save()`` does for a model
without save signals or an overridden ``save()``: every field's ``pre_save`` (``auto_now``,
``auto_now_add``) and ``get_db_prep_save`` (encryption, JSON, UUIDs, time zones), on the
current connection. The statement text is made once per model and column list, with the
connection's own quoting.

Use them only for such models: pre- and post-save signals are not sent (none of the models
they write has a receiver; ``tests/test_rows.py`` checks that for each). ``locked_values``
reads a row under a lock and converts its values as a queryset would.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

_STATEMENTS: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


def _statement(key: tuple[Any, ...], build: Callable[[], tuple[str, list[Any]]]) -> tuple:
    """The statement (and what goes with it) stored under ``key``, built on first use."""
    if (statement := _STATEMENTS.get(key)) is None:
        statement = _STATEMENTS[key] = build()
    return statement


def _prepared(instance: Model, fields: list[Field], add: bool, connection: Any) -> list[Any]:
    """The fields' values as ``save()`` sends them: ``pre_save`` (auto_now, auto_now_add),
    then ``get_db_prep_save`` (encryption, JSON, time zones)."""
    return [field.get_db_prep_save(field.pre_save(instance, add), connection) for field in fields]


def insert_row(instance: Model) -> None:
    """Insert ``instance`` as a new row and give it its primary key, like ``save()`` would."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]  # not the slower proxy
    quote, meta = connection.ops.quote_name, model._meta

    def build() -> tuple[str, list[Any]]:
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608 - our names
            quote(meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join("%s" for _ in fields),
            quote(meta.pk.column),
        )
        return sql, fields

    sql, fields = _statement(("insert", connection.vendor, model), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, _prepared(instance, fields, True, connection))
        (primary_key,) = cursor.fetchone()
    setattr(instance, meta.pk.attname, primary_key)
    instance._state.adding, instance._state.db = False, connection.alias


def update_row(instance: Model, field_names: Sequence[str]) -> int:
    """Store ``field_names`` of an existing row, like ``save(update_fields=field_names)``;
    the number of rows changed (0 when the row is gone)."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]
    quote, meta = connection.ops.quote_name, model._meta

    def build() -> tuple[str, list[Any]]:
        fields = [meta.get_field(name) for name in field_names]
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - our own names
            quote(meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(meta.pk.column),
        )
        return sql, fields

    sql, fields = _statement(("update", connection.vendor, model, *field_names), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_prepared(instance, fields, False, connection), instance.pk])
        return cursor.rowcount


def locked_values(model: type[Model], pk: object, field_names: Sequence[str]) -> tuple | None:
    """The values of ``field_names`` of one row, locked until the transaction ends, converted
    as ``values_list(...)`` converts them (decrypted, JSON decoded); None if there is no row.

    ``SELECT … FOR UPDATE`` where the database has row locks; SQLite has none and needs none,
    as its writers hold the whole database from BEGIN on."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote, table = connection.ops.quote_name, model._meta.db_table

    def build() -> tuple[str, list[Any]]:
        columns = [model._meta.get_field(name).get_col(table) for name in field_names]
        sql = "SELECT {} FROM {} WHERE {} = %s{}".format(  # noqa: S608 - our own names
            ", ".join(quote(column.target.column) for column in columns),
            quote(table),
            quote(model._meta.pk.column),
            " FOR UPDATE" if connection.features.has_select_for_update else "",
        )
        converters = [
            (
                column,
                connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            )
            for column in columns
        ]
        return sql, converters

    sql, converters = _statement(("select", connection.vendor, model, *field_names), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return tuple(
        _converted(value, column, steps, connection)
        for value, (column, steps) in zip(row, converters, strict=True)
    )


def _converted(value: object, column: Any, steps: list[Callable], connection: Any) -> object:
    for convert in steps:
        value = convert(value, column, connection)
    return value
