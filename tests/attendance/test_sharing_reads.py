"""The sharing checks' reads (coordinates_shared, device_shared).

A spot or a device shared all morning has hundreds of check-ins; the
reads name each other employee once, and on SQLite they read employees
from a covering index rather than visiting every matching check-in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from backend.attendance import checkin_reads
from tests.factories import CheckInFactory, EmployeeFactory

WIB = dt.timezone(dt.timedelta(hours=7))
MORNING = dt.datetime(2026, 11, 25, 7, 10, tzinfo=WIB)
SPOT = {"latitude": 0.5079312, "longitude": 101.4495531}


def _checkins(employee: Any, count: int, **fields: Any) -> None:
    for minute in range(count):
        when = MORNING + dt.timedelta(minutes=minute)
        CheckInFactory(employee=employee, captured_at=when, received_at=when, **fields)


@pytest.mark.django_db
def test_each_other_employee_at_a_spot_is_named_once(org: Any) -> None:
    carol = EmployeeFactory(unit=org.mutasi, name="Carol Staf")
    _checkins(org.bob, 12, **SPOT, device_id="b")
    _checkins(carol, 3, **SPOT, device_id="c")
    _checkins(org.alice, 2, **SPOT, device_id="a")
    # Another spot, and the same spot another day, do not count.
    _checkins(org.dina, 1, latitude=0.5079313, longitude=SPOT["longitude"])
    CheckInFactory(
        employee=org.dina, captured_at=MORNING - dt.timedelta(days=1), **SPOT
    )
    names = checkin_reads.names_at_spot(
        local_date=MORNING.date(), besides=org.alice.pk, **SPOT
    )
    assert names == [
        checkin_reads.Named(org.bob.pk, "Bob Kabid"),
        checkin_reads.Named(carol.pk, "Carol Staf"),
    ]


@pytest.mark.django_db
def test_each_other_employee_on_a_device_is_named_once_within_the_period(
    org: Any,
) -> None:
    _checkins(org.bob, 10, device_id="shared-phone")
    _checkins(org.alice, 2, device_id="shared-phone")
    long_ago = MORNING - dt.timedelta(days=90)
    CheckInFactory(
        employee=org.dina,
        device_id="shared-phone",
        captured_at=long_ago,
        received_at=long_ago,
    )
    since = MORNING - dt.timedelta(days=30)
    assert checkin_reads.names_on_device(
        device_id="shared-phone", since=since, besides=org.alice.pk
    ) == [checkin_reads.Named(org.bob.pk, "Bob Kabid")]
    assert checkin_reads.names_on_device(
        device_id="shared-phone", since=long_ago, besides=org.bob.pk
    ) == [
        checkin_reads.Named(org.alice.pk, "Alice Staf"),
        checkin_reads.Named(org.dina.pk, "Dina Kepala"),
    ]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan wording")
@pytest.mark.parametrize(
    ("sql", "params"),
    [
        (
            "SELECT employee_id FROM attendance_checkin WHERE local_date = %s"
            " AND latitude = %s AND longitude = %s AND employee_id <> %s",
            ["2026-11-25", 0.5, 101.4, 1],
        ),
        (
            "SELECT employee_id FROM attendance_checkin WHERE device_id = %s"
            " AND received_at >= %s AND employee_id <> %s",
            ["phone", "2026-11-01 00:00:00", 1],
        ),
    ],
)
def test_the_employees_come_from_a_covering_index(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX" in plan, plan
