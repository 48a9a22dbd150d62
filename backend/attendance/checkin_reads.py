"""The reads on a new check-in's hot path, in hand-written SQL.

Every employee pays these on the morning rush, once per check-in. Built
as ORM querysets, each cost more Python time (cloning, resolving and
compiling the query, making model instances) than the database spent
answering it. Here each is one fixed statement with parameters, the same
text on SQLite and PostgreSQL, returning plain values. Parameters go
through the model fields' own database preparation, so UUIDs, dates and
times are stored and compared exactly as the ORM does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field
from django.utils.dateparse import parse_datetime

from backend.attendance.days import NOT_COUNTING_STATUSES
from backend.attendance.models import CheckIn, Workplace
from backend.organization.models import Employee

_CHECKINS = CheckIn._meta.db_table
_EMPLOYEES = Employee._meta.db_table
_ASSIGNED = Workplace.employees.through._meta
# Near-duplicate candidates read at a time.
_CANDIDATE_BATCH = 500


def _prep(name: str, value: Any) -> Any:
    field = CheckIn._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101 - a column, not a relation
    return field.get_db_prep_value(value, connection)


def _moment(value: dt.datetime | str) -> dt.datetime:
    """A stored time as an aware datetime (SQLite gives naive UTC, or text
    when the column's type is lost in a UNION)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"not a stored time: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass(frozen=True)
class Earlier:
    """An earlier check-in, as a flag names it."""

    id: int
    captured_at: dt.datetime
    employee_id: int
    name: str
    nip: str

    @property
    def who(self) -> str:
        return f"{self.name} ({self.nip})"


@dataclass(frozen=True)
class Named:
    """Another employee, as a flag names them."""

    id: int
    name: str


@dataclass(frozen=True)
class Neighbour:
    """An employee's check-in next in time to a new one."""

    latitude: float
    longitude: float
    accuracy_m: float
    captured_at: dt.datetime


def existing_id(employee_id: int, client_uuid: uuid.UUID) -> int | None:
    """The check-in this employee already sent with ``client_uuid``."""
    rows = _rows(
        f"SELECT id FROM {_CHECKINS} WHERE employee_id = %s AND client_uuid = %s",
        [employee_id, _prep("client_uuid", client_uuid)],
    )
    return int(rows[0][0]) if rows else None


def assigned_workplace_ids(employee_id: int) -> list[int]:
    """Workplaces the employee is assigned to by name (active or not)."""
    rows = _rows(
        f"SELECT {_ASSIGNED.get_field('workplace').column}"  # type: ignore[union-attr]
        f" FROM {_ASSIGNED.db_table}"
        f" WHERE {_ASSIGNED.get_field('employee').column} = %s",  # type: ignore[union-attr]
        [employee_id],
    )
    return [int(pk) for (pk,) in rows]


def neighbours(employee_id: int, captured_at: dt.datetime) -> list[Neighbour]:
    """The employee's check-ins just before (or at) and just after
    ``captured_at``: offline phones upload out of order."""
    moment = _prep("captured_at", captured_at)
    columns = "latitude, longitude, accuracy_m, captured_at"
    rows = _rows(
        f"SELECT * FROM (SELECT {columns} FROM {_CHECKINS}"
        " WHERE employee_id = %s AND captured_at <= %s"
        " ORDER BY captured_at DESC LIMIT 1) AS before_it"
        f" UNION ALL SELECT * FROM (SELECT {columns} FROM {_CHECKINS}"
        " WHERE employee_id = %s AND captured_at > %s"
        " ORDER BY captured_at ASC LIMIT 1) AS after_it",
        [employee_id, moment, employee_id, moment],
    )
    return [
        Neighbour(float(lat), float(lon), float(accuracy), _moment(when))
        for lat, lon, accuracy, when in rows
    ]


_EARLIER = (
    f"SELECT c.id, c.captured_at, e.id, e.name, e.nip FROM {_CHECKINS} c"
    f" JOIN {_EMPLOYEES} e ON e.id = c.employee_id"
)


def first_check_ins(
    employee_id: int, days: list[dt.date]
) -> dict[dt.date, dt.datetime]:
    """The capture time of the employee's first counting check-in (masuk)
    on each of ``days`` that has one."""
    marks = ", ".join(["%s"] * len(days))
    rejected = ", ".join(["%s"] * len(NOT_COUNTING_STATUSES))
    rows = _rows(
        f"SELECT local_date, MIN(captured_at) FROM {_CHECKINS}"
        f" WHERE employee_id = %s AND kind = %s AND local_date IN ({marks})"
        f" AND status NOT IN ({rejected}) GROUP BY local_date",
        [
            employee_id,
            CheckIn.Kind.IN.value,
            *(_prep("local_date", day) for day in days),
            *(str(status) for status in NOT_COUNTING_STATUSES),
        ],
    )
    return {
        (day if isinstance(day, dt.date) else dt.date.fromisoformat(day)): _moment(when)
        for day, when in rows
    }


def _earlier(rows: list[tuple[Any, ...]]) -> Earlier | None:
    if not rows:
        return None
    pk, when, employee_id, name, nip = rows[0]
    return Earlier(int(pk), _moment(when), int(employee_id), str(name), str(nip))


def first_with_photo(sha256: str) -> Earlier | None:
    """The first check-in whose photo has exactly this SHA-256."""
    return _earlier(
        _rows(f"{_EARLIER} WHERE c.photo_sha256 = %s ORDER BY c.id LIMIT 1", [sha256])
    )


def checkin_named(pk: int) -> Earlier | None:
    return _earlier(_rows(f"{_EARLIER} WHERE c.id = %s", [pk]))


def first_phash_match(
    band_values: tuple[list[str], ...],
    since: dt.datetime,
    matches: Callable[[str], bool],
) -> int | None:
    """The id of the earliest check-in received since ``since`` whose band
    ``i`` (each indexed) is one of ``band_values[i]`` for some ``i``, and
    whose perceptual hash ``matches``.

    Every candidate is weighed, in batches of (id, hash) pairs: selfies
    against a plain wall or a ceiling share bands by the hundred, and the
    one that matches may come after them.
    """
    bands = " OR ".join(
        f"phash_band{i} IN ({', '.join(['%s'] * len(values))})"
        for i, values in enumerate(band_values)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, photo_phash FROM {_CHECKINS}"
            f" WHERE ({bands}) AND received_at >= %s"
            " ORDER BY id",
            [
                *(v for values in band_values for v in values),
                _prep("received_at", since),
            ],
        )
        while rows := cursor.fetchmany(_CANDIDATE_BATCH):
            for pk, phash in rows:
                if matches(str(phash)):
                    return int(pk)
    return None


def _names_of(employees_sql: str, params: list[Any]) -> list[Named]:
    """The employees that ``employees_sql`` selects, by name.

    The inner select reads employee ids from a covering index and keeps
    each once; names are then looked up for those few, not once per
    matching check-in (a spot or device shared all morning has hundreds).
    """
    rows = _rows(
        f"SELECT e.id, e.name FROM {_EMPLOYEES} e WHERE e.id IN ({employees_sql})",
        params,
    )
    return sorted(
        (Named(int(pk), str(name)) for pk, name in rows),
        key=lambda named: (named.name, named.id),
    )


def names_at_spot(
    *, local_date: dt.date, latitude: float, longitude: float, besides: int
) -> list[Named]:
    """Other employees who reported exactly this position on this day."""
    return _names_of(
        f"SELECT employee_id FROM {_CHECKINS}"
        " WHERE local_date = %s AND latitude = %s AND longitude = %s"
        " AND employee_id <> %s",
        [_prep("local_date", local_date), latitude, longitude, besides],
    )


def names_on_device(*, device_id: str, since: dt.datetime, besides: int) -> list[Named]:
    """Other employees who checked in from this device since ``since``."""
    return _names_of(
        f"SELECT employee_id FROM {_CHECKINS}"
        " WHERE device_id = %s AND received_at >= %s AND employee_id <> %s",
        [device_id, _prep("received_at", since), besides],
    )
