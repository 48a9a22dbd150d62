"""The recap beside an evaluation: attendance and reports for a period.

Attendance comes from ``backend.attendance.days.attendance_days`` (the one
place for what a day's check-ins mean), summed over the period:

- Days before the employee was registered in Pantau are not counted.
- ``working_days``: working days that are settled (over, or today once
  its end has passed); days still to come count for nothing yet.
- ``days_present``: settled working days with status H, TL or PSW.
- ``days_tl`` / ``days_psw``: days with TL / PSW among their codes.
- ``days_fwa``: days with FWA among their codes (the first check-in at an
  approved flexible-work location).
- ``days_tk``: days with status TK.
- ``minutes_late`` / ``minutes_early``: sums over the period.
- ``tk_days_year``: TK days from 1 January to the end of the period (the
  PP 94/2021 thresholds count per year), ``tk_longest_run``: the longest run
  of consecutive TK working days in that time (10 in a row is dismissal).
- ``discipline``: the level reached and the next threshold (see
  ``backend.performance.discipline``).

Reports: those dated in the period, by current status.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from backend.attendance.days import FWA, MAX_RANGE_DAYS, PSW, TK, TL, H, attendance_days
from backend.organization.models import Employee
from backend.performance.discipline import DisciplineStatus, discipline_status
from backend.performance.models import DailyReport
from backend.performance.periods import Period


@dataclass(frozen=True)
class AttendanceSummary:
    working_days: int
    days_present: int
    days_tl: int
    days_psw: int
    days_tk: int
    days_fwa: int
    minutes_late: int
    minutes_early: int
    tk_days_year: int
    tk_longest_run: int
    discipline: DisciplineStatus


@dataclass(frozen=True)
class ReportCounts:
    submitted: int
    approved: int
    returned: int
    draft: int

    @property
    def total(self) -> int:
        """Reports sent to the rater (drafts not included)."""
        return self.submitted + self.approved + self.returned


@dataclass(frozen=True)
class Recap:
    period: Period
    attendance: AttendanceSummary
    reports: ReportCounts

    def as_dict(self) -> dict[str, Any]:
        attendance = self.attendance
        return {
            "period": self.period.code,
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "attendance": {
                "working_days": attendance.working_days,
                "days_present": attendance.days_present,
                "days_tl": attendance.days_tl,
                "days_psw": attendance.days_psw,
                "days_tk": attendance.days_tk,
                "days_fwa": attendance.days_fwa,
                "minutes_late": attendance.minutes_late,
                "minutes_early": attendance.minutes_early,
                "tk_days_year": attendance.tk_days_year,
                "tk_longest_run": attendance.tk_longest_run,
                "discipline": attendance.discipline.as_dict(),
            },
            "reports": {
                "total": self.reports.total,
                "submitted": self.reports.submitted,
                "approved": self.reports.approved,
                "returned": self.reports.returned,
                "draft": self.reports.draft,
            },
        }


def _year_days(employee: Employee, period: Period, now: dt.datetime) -> list[Any]:
    """Every day from 1 January (or the day the employee was registered:
    before it the system knows nothing) to the end of the period, in chunks
    of what ``attendance_days`` accepts."""
    days: list[Any] = []
    registered = employee.created_at.astimezone(
        ZoneInfo(employee.unit.instansi.timezone)
    ).date()
    start = max(dt.date(period.year, 1, 1), registered)
    while start <= period.end:
        end = min(period.end, start + dt.timedelta(days=MAX_RANGE_DAYS - 1))
        days += attendance_days(
            employee=employee, date_from=start, date_to=end, now=now
        )
        start = end + dt.timedelta(days=1)
    return days


def attendance_summary(
    employee: Employee, period: Period, *, now: dt.datetime | None = None
) -> AttendanceSummary:
    now = now or timezone.now()
    year_days = _year_days(employee, period, now)
    in_period = [d for d in year_days if d.date >= period.start]
    settled = [d for d in in_period if d.is_working_day and d.status is not None]
    tk_year = 0
    run = longest = 0
    for day in year_days:
        if day.status == TK:
            tk_year += 1
            run += 1
            longest = max(longest, run)
        elif day.is_working_day and day.status is not None:
            run = 0
    return AttendanceSummary(
        working_days=len(settled),
        days_present=sum(1 for d in settled if d.status in (H, TL, PSW)),
        days_tl=sum(1 for d in settled if TL in d.codes),
        days_psw=sum(1 for d in settled if PSW in d.codes),
        days_tk=sum(1 for d in settled if d.status == TK),
        days_fwa=sum(1 for d in settled if FWA in d.codes),
        minutes_late=sum(d.minutes_late or 0 for d in settled),
        minutes_early=sum(d.minutes_early or 0 for d in settled),
        tk_days_year=tk_year,
        tk_longest_run=longest,
        discipline=discipline_status(tk_days=tk_year, longest_run=longest),
    )


def report_counts(employee: Employee, period: Period) -> ReportCounts:
    counts = dict(
        DailyReport.objects.filter(
            employee=employee, date__range=(period.start, period.end)
        )
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return ReportCounts(
        submitted=counts.get(DailyReport.Status.SUBMITTED, 0),
        approved=counts.get(DailyReport.Status.APPROVED, 0),
        returned=counts.get(DailyReport.Status.RETURNED, 0),
        draft=counts.get(DailyReport.Status.DRAFT, 0),
    )


def period_recap(
    employee: Employee, period: Period, *, now: dt.datetime | None = None
) -> Recap:
    return Recap(
        period=period,
        attendance=attendance_summary(employee, period, now=now),
        reports=report_counts(employee, period),
    )
