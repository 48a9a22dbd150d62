"""Insert model rows with one fixed statement, for the hot path's writes.

``Model.save()`` builds and compiles its INSERT anew on every call, and on
the morning rush each check-in writes three rows inside its transaction,
where every millisecond of Python is a millisecond the write lock (SQLite)
or the audit chain's row lock (PostgreSQL) is held. ``insert_rows`` keeps
the statement text per model and row count, and prepares each value
through the field exactly as ``save()`` does (``pre_save`` then
``get_db_prep_save``), so what is stored is the same. The new primary keys
come back through ``RETURNING``.

No ``pre_save``/``post_save`` signals are sent, like ``bulk_create``: the
models written this way (check-ins, audit entries, feed events) have no
receivers, and a test keeps it so.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db import connections, models

_statements: dict[tuple[str, type[models.Model], int], str] = {}
_lock = threading.Lock()


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def _statement(alias: str, model: type[models.Model], rows: int) -> str:
    key = (alias, model, rows)
    statement = _statements.get(key)
    if statement is None:
        quote = connections[alias].ops.quote_name
        fields = _columns(model)
        pk = model._meta.pk
        assert pk is not None  # noqa: S101 - every concrete model has one
        columns = ", ".join(quote(str(field.column)) for field in fields)
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Names quoted from the model's meta; every value is a parameter.
        statement = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
            f"({columns}) "
            f"VALUES {', '.join([row] * rows)} RETURNING {quote(str(pk.column))}"
        )
        with _lock:
            _statements[key] = statement
    return statement


def insert_rows(*objects: models.Model, using: str = "default") -> None:
    """INSERT ``objects`` (all of one model) in one statement; each gets its
    primary key and counts as saved."""
    if not objects:
        return
    model = type(objects[0])
    connection = connections[using]
    fields = _columns(model)
    params: list[Any] = []
    for instance in objects:
        if type(instance) is not model:
            raise TypeError("insert_rows: objects of one model only")
        params += [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in fields
        ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(using, model, len(objects)), params)
        keys = [row[0] for row in cursor.fetchall()]
    for instance, key in zip(objects, keys, strict=True):
        instance.pk = key
        instance._state.adding = False
        instance._state.db = using
