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
they write has a receiver; ``tests/test_rows.py`` checks that for each), or where the caller
sends them itself (the task queue's job row, ``amtsweg.lib.tasks``). ``locked_values``
reads a row under a lock and converts its values as a queryset would; ``joined_row`` reads
one row with rows it refers to, as ``select_related(...).get(...)`` would; ``rows_referring``
lists the rows that refer to one, as ``filter(...)`` would, and ``delete_referring`` deletes
them, as ``filter(...).delete()`` would.
"""

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Field, Model, UniqueConstraint
from django.db.models.base import ModelBase, ModelState
from django.db.models.deletion import Collector
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

Row = TypeVar("Row", bound=Model)

_STATEMENTS: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _statement(key: tuple[Any, ...], build: Callable[[], tuple[Any, ...]]) -> tuple:
    """The statement (and what goes with it) stored under ``key``, built on first use."""
    if (statement := _STATEMENTS.get(key)) is None:
        statement = _STATEMENTS[key] = build()
    return statement


#: Django's own field classes whose ``get_db_prep_save`` returns a value of these exact types
#: unchanged, on every database (integers are not: PostgreSQL's are typed by psycopg).
_TAKEN_AS_THEY_ARE: dict[type[Field], tuple[type, ...]] = {
    models.CharField: (str, type(None)),
    models.TextField: (str, type(None)),
    models.EmailField: (str, type(None)),
    models.SlugField: (str, type(None)),
    models.BooleanField: (bool, type(None)),
    models.DateTimeField: (type(None),),
    models.DateField: (type(None),),
    models.UUIDField: (type(None),),
    models.ForeignKey: (type(None),),
    models.OneToOneField: (type(None),),
    models.IntegerField: (type(None),),
    models.PositiveIntegerField: (type(None),),
    models.PositiveBigIntegerField: (type(None),),
}

#: How ``_prepared`` takes each field's value: the field, and for a field of
#: ``_TAKEN_AS_THEY_ARE`` that does not set itself, its attribute and the types taken as
#: they are.
Plan = list[tuple[Field, str | None, tuple[type, ...]]]


def _plan(fields: Sequence[Field]) -> Plan:
    """How ``_prepared`` takes the values of ``fields``, worked out once per statement: a
    field that sets itself (``auto_now``) or is not in ``_TAKEN_AS_THEY_ARE`` goes through
    its own calls with any value."""
    plan: Plan = []
    for field in fields:
        taken = _TAKEN_AS_THEY_ARE.get(type(field), ())
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            taken = ()
        plan.append((field, field.attname if taken else None, taken))
    return plan


def _prepared(instance: Model, plan: Plan, add: bool, connection: Any) -> list[Any]:
    """The fields' values as ``save()`` sends them: ``pre_save`` (auto_now, auto_now_add),
    then ``get_db_prep_save`` (encryption, JSON, time zones).

    Where those calls would return the attribute's value unchanged (a text in a text field,
    None where a field takes None as it is), the value is taken without them: a submit
    writes some 80 values, and the calls cost 3 % of its instructions (issue 9)."""
    values = []
    for field, attname, taken in plan:
        if attname is None:
            values.append(field.get_db_prep_save(field.pre_save(instance, add), connection))
            continue
        value = getattr(instance, attname)
        values.append(value if type(value) in taken else field.get_db_prep_save(value, connection))
    return values


def insert_row(instance: Model) -> None:
    """Insert ``instance`` as a new row, like ``save()`` would: an auto-incremented primary
    key is the database's and is read back; any other (a UUID) is the one the instance has."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]  # not the slower proxy
    quote, meta = connection.ops.quote_name, model._meta

    def build() -> tuple[str, Plan]:
        fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
        sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - our own names
            quote(meta.db_table),
            ", ".join(quote(field.column) for field in fields),
            ", ".join("%s" for _ in fields),
        )
        if meta.auto_field is not None:
            sql += f" RETURNING {quote(meta.auto_field.column)}"
        return sql, _plan(fields)

    sql, plan = _statement(("insert", connection.vendor, model), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, _prepared(instance, plan, True, connection))
        if meta.auto_field is not None:
            (primary_key,) = cursor.fetchone()
            setattr(instance, meta.auto_field.attname, primary_key)
    instance._state.adding, instance._state.db = False, connection.alias


def update_row(
    instance: Model, field_names: Sequence[str], *, unchanged: Mapping[str, Any] | None = None
) -> int:
    """Store ``field_names`` of an existing row, like ``save(update_fields=field_names)``;
    the number of rows changed (0 when the row is gone).

    With ``unchanged`` (field name → value, never None) the row is changed only while those
    fields still hold those values: 0 then also means that another writer got there first.
    That lets a writer that read the row earlier store without locking it, where a column
    that every write changes (``updated_at``) tells whether it is still the row it read."""
    model, connection = type(instance), connections[DEFAULT_DB_ALIAS]
    quote, meta = connection.ops.quote_name, model._meta
    conditions = list(unchanged or {})

    def build() -> tuple[str, Plan, list[Any]]:
        fields = [meta.get_field(name) for name in field_names]
        checked = [meta.get_field(name) for name in conditions]
        sql = "UPDATE {} SET {} WHERE {}".format(  # noqa: S608 - our own names
            quote(meta.db_table),
            ", ".join(f"{quote(field.column)} = %s" for field in fields),
            " AND ".join(f"{quote(field.column)} = %s" for field in [meta.pk, *checked]),
        )
        return sql, _plan(fields), checked

    key = ("update", connection.vendor, model, tuple(field_names), tuple(conditions))
    sql, plan, checked = _statement(key, build)
    expected = [
        field.get_db_prep_value(unchanged[name], connection)
        for name, field in zip(conditions, checked, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*_prepared(instance, plan, False, connection), instance.pk, *expected]
        )
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
        return sql, _converting(columns, connection)

    sql, converting = _statement(("select", connection.vendor, model, *field_names), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return tuple(_converted(row, converting, connection))


def rows_referring(model: type[Row], foreign_key: str, target: Model) -> list[Row]:
    """The rows of ``model`` whose ``foreign_key`` refers to ``target``, as model objects
    (every field converted as a queryset converts it), in no particular order:
    ``list(model.objects.filter(**{foreign_key: target}))`` without the compiler, which the
    submit paid for on every application to list its few attachments."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote, meta = connection.ops.quote_name, model._meta

    def build() -> tuple[str, list[Any], Field, Callable[[str, list[Any]], Row]]:
        columns = [field.get_col(meta.db_table) for field in meta.concrete_fields]
        key = meta.get_field(foreign_key)
        sql = "SELECT {} FROM {} WHERE {} = %s".format(  # noqa: S608 - our own names
            ", ".join(quote(column.target.column) for column in columns),
            quote(meta.db_table),
            quote(key.column),
        )
        return sql, _converting(columns, connection), key, loader(model)

    sql, converting, key, load = _statement(
        ("referring", connection.vendor, model, foreign_key), build
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_referred_value(key, target, connection)])
        rows = cursor.fetchall()
    return [load(connection.alias, _converted(row, converting, connection)) for row in rows]


def delete_referring(model: type[Model], foreign_key: str, target: Model) -> int:
    """Delete the rows of ``model`` whose ``foreign_key`` refers to ``target``; how many
    there were. ``model.objects.filter(**{foreign_key: target}).delete()`` without Django's
    collector and compiler, for a model whose rows the collector would delete in one statement
    too: no delete signal is sent for it and no other row refers to it. Any other model raises
    ValueError, at its first use in the process."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote, meta = connection.ops.quote_name, model._meta

    def build() -> tuple[str, Field]:
        if not Collector(connection.alias).can_fast_delete(model):
            raise ValueError(f"{model.__name__} has delete signals or rows that refer to it")
        key = meta.get_field(foreign_key)
        sql = f"DELETE FROM {quote(meta.db_table)} WHERE {quote(key.column)} = %s"  # noqa: S608
        return sql, key

    sql, key = _statement(("delete", connection.vendor, model, foreign_key), build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [_referred_value(key, target, connection)])
        return cursor.rowcount


def _referred_value(key: Any, target: Model, connection: Any) -> Any:
    """The value of ``target`` that the foreign key ``key`` stores (its primary key, or the
    field the key names with ``to_field``), as the database takes it."""
    return key.get_db_prep_value(getattr(target, key.target_field.attname), connection)


#: Of the columns of a statement, those whose values a queryset converts: each one's position,
#: the column, and what is applied to its value, in its order.
Converting = list[tuple[int, Any, list[Callable]]]


def _converting(columns: Sequence[Any], connection: Any) -> Converting:
    """The columns of ``columns`` that a queryset converts, with their converters (the
    backend's, then the field's ``from_db_value``: decryption, JSON, UUIDs). Most columns
    have none, and a row's other values are taken as they are."""
    converting = []
    for position, column in enumerate(columns):
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if steps:
            converting.append((position, column, steps))
    return converting


#: The descriptors of model fields whose ``__set__``, on an object that has no value yet, only
#: stores the value in its ``__dict__`` (or that have no ``__set__``).
_STORING_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)


#: What makes and fills a model object; only Django's own classes may define them for
#: ``loader`` to make objects directly.
_MAKING = ("__new__", "__init__", "__setattr__", "from_db")
_DJANGOS_OWN = frozenset(Model.__mro__)


def _overrides_making(model: type[Model]) -> bool:
    """Whether a class of ``model``'s, a mixin after ``Model`` included, defines one of
    ``_MAKING`` (``Model.__init__`` ends with ``super().__init__()``, which reaches a mixin)."""
    return any(
        name in vars(cls) for cls in model.__mro__ if cls not in _DJANGOS_OWN for name in _MAKING
    )


def loader(model: type[Row]) -> Callable[[str, list[Any]], Row]:
    """What makes the model object of a row read from database ``alias`` with the values of
    all its concrete fields, in their order: ``model.from_db``, or the same object made
    directly where that does no more.

    ``from_db`` calls ``Model.__init__``, which sends ``pre_init`` and ``post_init`` and stores
    each value through the field's descriptor: a fifth of the draft's lookup that every
    journey page makes (issue 9, docs/benchmarks.md). For a model whose metaclass is
    Django's, in whose classes (mixins included) nothing makes or fills objects
    (``_overrides_making``), whose init signals have no receiver and whose descriptors only
    store, the object is made by filling its ``__dict__`` as they would. Decided once per
    statement: a receiver connected to a model after its first row was read here is not seen
    (``tests/test_rows.py`` checks that the models read here have none)."""
    fields = model._meta.concrete_fields
    made_directly = (
        type(model) is ModelBase
        and not _overrides_making(model)
        and not pre_init.has_listeners(model)
        and not post_init.has_listeners(model)
        and all(
            type(inspect.getattr_static(model, field.attname, None)) in _STORING_DESCRIPTORS
            for field in fields
        )
    )
    if not made_directly:
        return lambda alias, values: model.from_db(alias, None, values)
    attnames = [field.attname for field in fields]

    def load(alias: str, values: list[Any]) -> Row:
        instance = object.__new__(model)
        state = instance._state = ModelState()
        state.adding, state.db = False, alias
        instance.__dict__.update(zip(attnames, values, strict=True))
        return instance

    return load


def copied(instance: Row) -> Row:
    """What ``copy.copy(instance)`` gives, made directly: the same values, a state of its own
    and a cache of related objects of its own (the objects in it are shared, as with
    ``copy.copy``), so that what the copy caches or changes stays out of ``instance``.
    ``copy.copy`` of a model object goes through pickling's ``__reduce__``, the app registry
    and ``__setstate__``; every step a citizen saves, and every published version a journey
    page reads, is copied so (issue 9)."""
    clone = object.__new__(type(instance))
    clone.__dict__.update(instance.__dict__)
    state = clone._state = ModelState()
    state.__dict__.update(instance._state.__dict__)
    state.fields_cache = dict(instance._state.fields_cache)
    return clone


def _converted(row: Sequence[object], converting: Converting, connection: Any) -> list[object]:
    """A row's values as a queryset converts them (``converting``: see ``_converting``)."""
    values = list(row)
    for position, column, steps in converting:
        value = values[position]
        for convert in steps:
            value = convert(value, column, connection)
        values[position] = value
    return values


def joined_row(
    model: type[Row], lookup: Mapping[str, object], related: Sequence[str] = ()
) -> Row | None:
    """The row of ``model`` whose fields have the values of ``lookup`` (field name or
    ``attname`` → value, never None), with the rows its foreign keys ``related`` name
    (``a__b`` for a chain, as in ``select_related``) read in the same statement and cached on
    it; None if there is no such row. The lookup must name a unique field or all fields of a
    unique constraint; any other raises ValueError at once, where ``get`` would fail only on
    the day a second row matched.

    It answers as ``model.objects.select_related(*related).get(**lookup)`` does, but the
    statement and the converters are made once per process: compiling a lookup that joins
    three tables of some 80 columns cost more CPU than running it, on every page of a journey
    (issue 9, docs/benchmarks.md). Not for models with multi-table inheritance, whose fields
    lie in more than one table."""
    connection, names = connections[DEFAULT_DB_ALIAS], tuple(lookup)
    sql, nodes, lookup_fields = _statement(
        ("joined", connection.vendor, model, names, *related),
        lambda: _joined_statement(connection, model, names, related),
    )
    parameters = [
        field.get_db_prep_value(lookup[name], connection)
        for name, field in zip(names, lookup_fields, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Model | None] = []
    start = 0
    for load, width, converting, primary_key_at, parent, foreign_key in nodes:
        values = _converted(row[start : start + width], converting, connection)
        start += width
        instance = (
            None
            if values[primary_key_at] is None  # an outer join found no row
            else load(connection.alias, values)
        )
        if foreign_key is not None and instances[parent] is not None:
            foreign_key.set_cached_value(instances[parent], instance)
        instances.append(instance)
    return instances[0]


def _is_unique_key(meta: Any, names: Sequence[str]) -> bool:
    """Whether fields ``names`` (names or attnames) can match at most one row of the model."""
    fields = [meta.get_field(name) for name in names]
    if any(field.unique for field in fields):  # the primary key is unique too
        return True
    given = {field.name for field in fields}
    keys = [*meta.unique_together]
    keys += [
        constraint.fields
        for constraint in meta.constraints
        if isinstance(constraint, UniqueConstraint) and constraint.condition is None
    ]
    # A constraint over expressions has no fields; one may name a foreign key by its attname.
    return any(key and {meta.get_field(name).name for name in key} <= given for key in keys)


def _joined_statement(
    connection: Any, model: type[Model], names: Sequence[str], related: Sequence[str]
) -> tuple[str, list[tuple[Any, ...]], list[Field]]:
    """The ``SELECT`` of ``joined_row``; for each table in it, its model's ``loader``, its
    number of columns and those it converts (``_converting``), the position of its primary
    key, the index of the table it is joined to and the foreign key that joins it; and the
    fields the lookup ``names``."""
    if not _is_unique_key(model._meta, names):
        raise ValueError(f"{', '.join(names)} do not single out one row of {model.__name__}.")
    quote = connection.ops.quote_name
    paths = sorted(
        {
            "__".join(path.split("__")[:depth])
            for path in related
            for depth in range(1, path.count("__") + 2)
        },
        key=lambda p: p.count("__"),
    )
    nodes: list[tuple[type[Model], int, Any]] = [(model, -1, None)]
    index, outer, joins = {"": 0}, {0: False}, []
    for path in paths:
        parent_path, _, name = path.rpartition("__")
        parent = index[parent_path]
        foreign_key = nodes[parent][0]._meta.get_field(name)
        position = index[path] = len(nodes)
        # Below an outer join every join is outer, or a missing row would drop the whole row.
        outer[position] = foreign_key.null or outer[parent]
        joins.append(
            "{} JOIN {} T{} ON T{}.{} = T{}.{}".format(
                "LEFT OUTER" if outer[position] else "INNER",
                quote(foreign_key.related_model._meta.db_table),
                position,
                parent,
                quote(foreign_key.column),
                position,
                quote(foreign_key.target_field.column),
            )
        )
        nodes.append((foreign_key.related_model, parent, foreign_key))
    columns, described = [], []
    for position, (node_model, parent, foreign_key) in enumerate(nodes):
        alias, fields = f"T{position}", node_model._meta.concrete_fields
        columns += [f"{alias}.{quote(field.column)}" for field in fields]
        converting = _converting([field.get_col(alias) for field in fields], connection)
        primary_key_at = fields.index(node_model._meta.pk)
        described.append(
            (loader(node_model), len(fields), converting, primary_key_at, parent, foreign_key)
        )
    lookup_fields = [model._meta.get_field(name) for name in names]
    sql = "SELECT {} FROM {} T0 {} WHERE {}".format(  # noqa: S608 - our own names
        ", ".join(columns),
        quote(model._meta.db_table),
        " ".join(joins),
        " AND ".join(f"T0.{quote(field.column)} = %s" for field in lookup_fields),
    )
    return sql, described, lookup_fields
