"""Small builders for attendance tests: schedules, workplaces, local times."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.attendance.models import Workplace, WorkSchedule, WorkScheduleDay
from backend.organization.models import Unit

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"

# An ordinary week in February 2025 (no holidays).
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2025, 2, day) for day in range(3, 10))


def at(day: date, hhmm: str, zone: str = WIB, second: int = 0) -> datetime:
    """An aware local time on ``day``, e.g. ``at(MON, "07:31")``."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime.combine(day, time(hour, minute, second), tzinfo=ZoneInfo(zone))


def schedule(
    *,
    unit: Unit | None = None,
    workplace: Workplace | None = None,
    variant: str = WorkSchedule.Variant.REGULAR,
    grace_minutes: int = 0,
    days: dict[int, tuple[str, str, int]] | None = None,
) -> WorkSchedule:
    """A schedule; by default Mon-Fri 08:00-16:00 with a 60-minute break."""
    row = WorkSchedule.objects.create(
        name=f"{variant} {unit or workplace}",
        unit=unit,
        workplace=workplace,
        variant=variant,
        grace_minutes=grace_minutes,
    )
    weekdays = (
        days if days is not None else dict.fromkeys(range(5), ("08:00", "16:00", 60))
    )
    for weekday, (start, end, break_minutes) in weekdays.items():
        WorkScheduleDay.objects.create(
            schedule=row,
            weekday=weekday,
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
            break_minutes=break_minutes,
        )
    return row


def workplace(unit: Unit, *, name: str = "Kantor", zone: str = WIB) -> Workplace:
    return Workplace.objects.create(
        name=name,
        unit=unit,
        timezone=zone,
        latitude=Decimal("0.507"),
        longitude=Decimal("101.447"),
        radius_m=100,
    )
