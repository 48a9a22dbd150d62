"""An employee's day at a glance: the attendance status of today and the
check-ins behind it, with their flags explained in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone as dj_timezone

from backend.attendance.days import AttendanceDay, attendance_days
from backend.attendance.flags import render_flags
from backend.attendance.selectors import checkins_of
from backend.organization.models import Employee


@dataclass(frozen=True)
class TodayCheckIn:
    id: int
    kind: str
    kind_label: str
    captured_at: datetime
    local_time: datetime
    workplace: str | None
    status: str
    status_label: str
    geofence: str
    mode: str
    flags: list[dict[str, str]]


# The names Indonesians use for their three zones.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@dataclass(frozen=True)
class Today:
    date: date
    timezone: str
    day: AttendanceDay
    checkins: list[TodayCheckIn]

    @property
    def zone_name(self) -> str:
        return ZONE_NAMES.get(self.timezone, self.timezone)

    @property
    def checked_in(self) -> TodayCheckIn | None:
        return next((c for c in self.checkins if c.kind == "in"), None)

    @property
    def checked_out(self) -> TodayCheckIn | None:
        outs = [c for c in self.checkins if c.kind == "out"]
        return outs[-1] if outs else None


def local_today(employee: Employee, now: datetime | None = None) -> date:
    """Today's date where the employee's instansi is (WIB/WITA/WIT)."""
    now = now or dj_timezone.now()
    return now.astimezone(ZoneInfo(employee.unit.instansi.timezone)).date()


def today_of(employee: Employee, *, now: datetime | None = None) -> Today:
    """Today's attendance day and every check-in of today (rejected ones
    included, so the employee sees why one does not count)."""
    now = now or dj_timezone.now()
    day_date = local_today(employee, now)
    day = attendance_days(
        employee=employee, date_from=day_date, date_to=day_date, now=now
    )[0]
    zone = ZoneInfo(day.timezone)
    rows: list[TodayCheckIn] = []
    for checkin in checkins_of(employee, date_from=day_date, date_to=day_date).order_by(
        "captured_at", "pk"
    ):
        rows.append(_row(checkin, zone))
    return Today(date=day_date, timezone=day.timezone, day=day, checkins=rows)


def _row(checkin: Any, zone: ZoneInfo) -> TodayCheckIn:
    return TodayCheckIn(
        id=checkin.pk,
        kind=checkin.kind,
        kind_label=str(checkin.get_kind_display()),
        captured_at=checkin.captured_at,
        local_time=checkin.captured_at.astimezone(zone),
        workplace=checkin.workplace.name if checkin.workplace else None,
        status=checkin.status,
        status_label=str(checkin.get_status_display()),
        geofence=checkin.geofence,
        mode=checkin.mode,
        flags=render_flags(checkin.flags, for_subject=True),
    )
