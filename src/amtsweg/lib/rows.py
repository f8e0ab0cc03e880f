"""Rows written with statements built once per process, for the requests that carry the load.

``Model.save()`` runs Django's SQL compiler on every call: for an ``INSERT`` of a row of 20-40
columns that costs more CPU than the database needs to store it. A submit writes five rows,
and each web worker does little else under peak load (issue 9, docs/benchmarks.md), so its
rows go through these two functions instead. They do what ``save()`` does for a model
without save signals or an overridden ``save()``: every field's ``pre_save`` (``auto_now``,
``auto_now_add``) and ``get_db_prep_save`` (encryption, JSON, UUIDs, time zones), on the
current connection. The statement text is made once per model and column list, with the
connection's own quoting.

Use them only for such models: pre- and post-save signals are not sent (none of the models
they write has a receiver; ``tests/test_rows.py`` checks that for each).
"""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

_STATEMENTS: dict[tuple[str, type[Model], tuple[str, ...]], tuple[str, list[Field]]] = {}


def insert_row(instance: Model) -> None:
    """Insert ``instance`` as a new row and give it its primary key, like ``save()`` would."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]  # not the slower proxy
    key = (connection.vendor, model, ())
    if (statement := _STATEMENTS.get(key)) is None:
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608 - our names
            quote(model._meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join("%s" for _ in fields),
            quote(model._meta.pk.column),
        )
        statement = _STATEMENTS[key] = (sql, fields)
    sql, fields = statement
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (primary_key,) = cursor.fetchone()
    setattr(instance, model._meta.pk.attname, primary_key)
    instance._state.adding, instance._state.db = False, connection.alias


def update_row(instance: Model, field_names: Sequence[str]) -> int:
    """Store ``field_names`` of an existing row, like ``save(update_fields=field_names)``;
    the number of rows changed (0 when the row is gone)."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]
    key = (connection.vendor, model, tuple(field_names))
    if (statement := _STATEMENTS.get(key)) is None:
        fields = [model._meta.get_field(name) for name in field_names]
        quote = connection.ops.quote_name
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - our own names
            quote(model._meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            quote(model._meta.pk.column),
        )
        statement = _STATEMENTS[key] = (sql, fields)
    sql, fields = statement
    values = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, instance.pk])
        return cursor.rowcount
