"""Instances read back from a hand-written join, as a queryset reads them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from backend.lib.row_select import Columns
from backend.organization.models import Employee, Unit


def _join(where_pk: int) -> tuple[Columns, Columns, tuple[Any, ...]]:
    employee, unit = Columns(Employee, "e"), Columns(Unit, "un")
    quote = connection.ops.quote_name
    on = f"{unit.column('pk')} = {employee.column('supervisor')}"
    # Names quoted from the models' meta; the value is a parameter.
    sql = (
        f"SELECT {employee.select_list()}, {unit.select_list()}"  # noqa: S608
        f" FROM {quote(employee.table)} e"
        f" LEFT JOIN {quote(unit.table)} un ON {on}"
        f" WHERE {employee.column('pk')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [where_pk])
        row = cursor.fetchone()
    return employee, unit, row


def test_an_instance_equals_the_querysets(org: Any) -> None:
    employee_cols, _unit_cols, row = _join(org.alice.pk)
    read = employee_cols.instance(row, 0)
    expected = Employee.objects.get(pk=org.alice.pk)
    assert isinstance(read, Employee)
    assert read._state.adding is False and read._state.db == "default"
    for field in Employee._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field
    # Converters ran: times are aware, booleans are booleans.
    assert isinstance(read.under_sanction, bool)
    assert read.created_at.tzinfo is not None
    assert read.created_at == expected.created_at
    assert isinstance(read.created_at, dt.datetime)


def test_an_outer_join_that_found_nothing_is_none(org: Any) -> None:
    # Joined on the supervisor id as if it were a unit: Dina has no supervisor.
    employee_cols, unit_cols, row = _join(org.dina.pk)
    assert employee_cols.instance(row, 0) is not None
    assert unit_cols.instance(row, employee_cols.width) is None
