"""Working hours of a day: schedules, holidays and Ramadan.

Which schedule applies to an employee on a day:

1. A national holiday or a holiday of the employee's instansi is a day off.
2. The candidate levels are, most specific first: the workplace (when one is
   given), the employee's unit, then each unit above it up to the OPD.
3. The first level with a schedule *for that day* wins. A regular schedule is
   for every day; a Ramadan variant only for days inside a
   :class:`~backend.attendance.models.RamadanPeriod`. So on a Ramadan day a
   level with a Ramadan variant uses it, a level with only a regular schedule
   keeps its regular hours (an instansi with its own week, e.g. six days,
   should not silently fall back to the national Ramadan week), and a level
   with only a Ramadan variant is passed over outside Ramadan.
4. With no schedule at any level: :data:`DEFAULT_SCHEDULE`, its Ramadan week
   on Ramadan days.
5. A weekday without a row in the chosen week is a day off.

The time zone is the workplace's, else the ``timezone`` argument, else the
instansi's.

:class:`ScheduleBook` loads everything for a date range in a handful of
queries so that a month for a whole unit costs the same as a single day;
:func:`day_schedule` is a convenience wrapper for one day.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from time import monotonic
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from backend.attendance.models import (
    Holiday,
    RamadanPeriod,
    Workplace,
    WorkSchedule,
)
from backend.organization.models import Employee, Unit

REGULAR = WorkSchedule.Variant.REGULAR.value
RAMADAN = WorkSchedule.Variant.RAMADAN.value


@dataclass(frozen=True)
class Hours:
    """The hours of one weekday (local wall-clock time)."""

    start: time
    end: time
    break_minutes: int


@dataclass(frozen=True)
class Week:
    """A week of working hours; a weekday missing from ``days`` is a day off."""

    days: Mapping[int, Hours]
    grace_minutes: int = 0


def _week(monday_to_thursday: Hours, friday: Hours, *, grace_minutes: int = 0) -> Week:
    days = dict.fromkeys(range(4), monday_to_thursday)
    days[4] = friday
    return Week(days=MappingProxyType(days), grace_minutes=grace_minutes)


# The national default (37.5 h a week; 32.5 h in Ramadan, start 08:00). The
# Ramadan week follows the usual KemenPAN-RB circular: Mon-Thu 08:00-15:00
# with a 30-minute break and Fri 08:00-15:30 with a 60-minute break, which
# is 4 x 6.5 h + 6.5 h = 32.5 h.
DEFAULT_SCHEDULE: Mapping[str, Week] = MappingProxyType(
    {
        REGULAR: _week(
            Hours(time(7, 30), time(16, 0), 60), Hours(time(7, 30), time(16, 30), 90)
        ),
        RAMADAN: _week(
            Hours(time(8, 0), time(15, 0), 30), Hours(time(8, 0), time(15, 30), 60)
        ),
    }
)


@dataclass(frozen=True)
class DaySchedule:
    """The working hours of one employee on one date, in local time."""

    date: date
    start: datetime
    end: datetime
    break_minutes: int
    grace_minutes: int
    timezone: str


def _week_from(schedule: WorkSchedule) -> Week:
    return Week(
        days=MappingProxyType(
            {
                row.weekday: Hours(row.start, row.end, row.break_minutes)
                for row in schedule.days.all()
            }
        ),
        grace_minutes=schedule.grace_minutes,
    )


@dataclass
class ScheduleBook:
    """Schedules, holidays and Ramadan periods for some instansi and dates.

    Build it with :meth:`load`; :meth:`day_schedule` then answers from
    memory. Asking about a date outside the loaded range is an error rather
    than a silently wrong answer (its holidays were not loaded).
    """

    date_from: date
    date_to: date
    # Keyed by unit path / workplace id, then by variant.
    unit_weeks: dict[str, dict[str, Week]]
    workplace_weeks: dict[int, dict[str, Week]]
    # Holiday dates per instansi id; None holds the national holidays.
    holidays: dict[int | None, set[date]]
    ramadan: list[tuple[date, date]]
    # The week chosen per (workplace id, unit path, Ramadan day?).
    _resolved: dict[tuple[int | None, str, bool], Week] = field(
        default_factory=dict, init=False, repr=False
    )

    @classmethod
    def load(
        cls, instansi_ids: Iterable[int], date_from: date, date_to: date
    ) -> ScheduleBook:
        """Fetch what the instansi need for ``date_from``..``date_to``.

        Five queries whatever the number of employees or days.
        """
        ids = sorted(set(instansi_ids))
        schedules = (
            WorkSchedule.objects.filter(
                Q(unit__instansi_id__in=ids) | Q(workplace__unit__instansi_id__in=ids)
            )
            .select_related("unit")
            .prefetch_related("days")
        )
        unit_weeks: dict[str, dict[str, Week]] = defaultdict(dict)
        # Every workplace of the instansi gets an entry, with or without a
        # schedule, so that a missing entry means "not loaded" (see
        # _workplace_weeks).
        workplace_weeks: dict[int, dict[str, Week]] = {
            pk: {}
            for pk in Workplace.objects.filter(unit__instansi_id__in=ids).values_list(
                "pk", flat=True
            )
        }
        for schedule in schedules:
            if schedule.workplace_id is not None:
                workplace_weeks.setdefault(schedule.workplace_id, {})[
                    schedule.variant
                ] = _week_from(schedule)
            elif schedule.unit is not None:
                unit_weeks[schedule.unit.path][schedule.variant] = _week_from(schedule)
        holidays: dict[int | None, set[date]] = defaultdict(set)
        for day, instansi_id in Holiday.objects.filter(
            Q(instansi__isnull=True) | Q(instansi_id__in=ids),
            date__range=(date_from, date_to),
        ).values_list("date", "instansi_id"):
            holidays[instansi_id].add(day)
        ramadan = list(
            RamadanPeriod.objects.filter(
                start__lte=date_to, end__gte=date_from
            ).values_list("start", "end")
        )
        return cls(
            date_from=date_from,
            date_to=date_to,
            unit_weeks=dict(unit_weeks),
            workplace_weeks=workplace_weeks,
            holidays=dict(holidays),
            ramadan=ramadan,
        )

    def is_holiday(self, day: date, instansi_id: int) -> bool:
        return day in self.holidays.get(None, ()) or day in self.holidays.get(
            instansi_id, ()
        )

    def is_ramadan(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.ramadan)

    def day_schedule(
        self,
        *,
        employee: Employee,
        day: date,
        workplace: Workplace | None = None,
        timezone: str | None = None,
    ) -> DaySchedule | None:
        """The employee's hours on ``day``; None on a day off.

        Reads ``employee.unit`` and ``employee.unit.instansi``: for many
        employees, fetch them with ``select_related("unit__instansi")``.
        """
        if not self.date_from <= day <= self.date_to:
            raise ValueError(
                f"{day} is outside the loaded range {self.date_from}..{self.date_to}."
            )
        unit = employee.unit
        if self.is_holiday(day, unit.instansi_id):
            return None
        week = self._week_for(
            workplace.pk if workplace is not None else None,
            unit,
            self.is_ramadan(day),
        )
        hours = week.days.get(day.weekday())
        if hours is None:
            return None
        zone_name = (
            workplace.timezone
            if workplace is not None
            else timezone or unit.instansi.timezone
        )
        zone = ZoneInfo(zone_name)
        return DaySchedule(
            date=day,
            start=datetime.combine(day, hours.start, tzinfo=zone),
            end=datetime.combine(day, hours.end, tzinfo=zone),
            break_minutes=hours.break_minutes,
            grace_minutes=week.grace_minutes,
            timezone=zone_name,
        )

    def _week_for(self, workplace_id: int | None, unit: Unit, ramadan: bool) -> Week:
        key = (workplace_id, unit.path, ramadan)
        if key not in self._resolved:
            levels: list[Mapping[str, Week]] = []
            if workplace_id is not None:
                levels.append(self._workplace_weeks(workplace_id))
            levels.extend(
                self.unit_weeks.get(path, {})
                for path in reversed(unit.ancestor_paths())
            )
            self._resolved[key] = _pick(levels, ramadan)
        return self._resolved[key]

    def _workplace_weeks(self, workplace_id: int) -> Mapping[str, Week]:
        if workplace_id not in self.workplace_weeks:
            # A workplace of another instansi (Workplace.employees can assign
            # anyone to any office): fetch its schedules once.
            self.workplace_weeks[workplace_id] = {
                schedule.variant: _week_from(schedule)
                for schedule in WorkSchedule.objects.filter(
                    workplace_id=workplace_id
                ).prefetch_related("days")
            }
        return self.workplace_weeks[workplace_id]


def _pick(levels: Iterable[Mapping[str, Week]], ramadan: bool) -> Week:
    for weeks in levels:
        if ramadan and RAMADAN in weeks:
            return weeks[RAMADAN]
        if REGULAR in weeks:
            return weeks[REGULAR]
    return DEFAULT_SCHEDULE[RAMADAN if ramadan else REGULAR]


def day_schedule(
    *,
    employee: Employee,
    day: date,
    workplace: Workplace | None = None,
    timezone: str | None = None,
) -> DaySchedule | None:
    """The employee's hours on ``day`` (None on a day off).

    Loads a :class:`ScheduleBook` for this one day; for many days or many
    employees, load one book and ask it instead.
    """
    book = _day_book(employee.unit.instansi_id, day)
    return book.day_schedule(
        employee=employee, day=day, workplace=workplace, timezone=timezone
    )


# Every check-in needs its day's schedule; during the morning rush thousands
# of them ask about the same instansi and day. Schedules change rarely, so a
# book is reused for SCHEDULE_CACHE_SECONDS (0 turns the cache off).
_BOOKS: dict[tuple[int, date], tuple[float, ScheduleBook]] = {}
_BOOKS_LOCK = threading.Lock()
_BOOKS_MAX = 1024


def forget_schedules(**kwargs: Any) -> None:
    """Signal receiver: drop this process's cached schedule books (a
    schedule, its days, a holiday or a Ramadan period was saved or
    deleted). Other worker processes see the change within the TTL, as do
    bulk writes, which send no signals."""
    with _BOOKS_LOCK:
        _BOOKS.clear()


def _day_book(instansi_id: int, day: date) -> ScheduleBook:
    ttl = settings.SCHEDULE_CACHE_SECONDS
    if ttl <= 0:
        return ScheduleBook.load([instansi_id], day, day)
    now = monotonic()
    key = (instansi_id, day)
    hit = _BOOKS.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    book = ScheduleBook.load([instansi_id], day, day)
    with _BOOKS_LOCK:
        if len(_BOOKS) >= _BOOKS_MAX:
            _BOOKS.clear()
        _BOOKS[key] = (now, book)
    return book
