"""The flexible-work rules (DOMAIN.md, "Flexible work"), each refusing with
a stable code and a reason the employee can act on.

- ``flex_disabled``: the instansi does not allow flexible work by location;
- ``flex_under_sanction``: under (or in the process of) a disciplinary
  sanction;
- ``flex_new_placement``: placed less than ``new_placement_months`` before
  the requested day (no placement date recorded: the rule cannot apply);
- ``flex_date_taken``: the day is already in another pending or approved
  request;
- ``flex_max_days``: more than ``max_days_per_week`` location days in one
  ISO week (Monday-Sunday). When asking, pending requests count too; when
  approving, only approved ones;
- ``flex_unit_share``: on that day the approved share of the employee's
  unit would exceed ``unit_share_percent`` of its staff (rounded down, but
  at least one person when the share is above 0).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backend.flexwork.models import FlexPolicy, FlexRequest
from backend.flexwork.selectors import active_days, approved_in_unit
from backend.organization.models import Employee


class FlexRuleRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def unit_cap(headcount: int, percent: int) -> int:
    if percent <= 0:
        return 0
    return max(1, headcount * percent // 100)


def check(
    *,
    employee: Employee,
    dates: list[dt.date],
    policy: FlexPolicy,
    approving: FlexRequest | None = None,
) -> None:
    """Raise ``FlexRuleRefused`` for the first rule ``dates`` break.

    ``approving`` is the request being approved (judged against approved
    requests only); without it a new request is judged.
    """
    if not policy.enabled:
        raise FlexRuleRefused(
            "flex_disabled",
            _("Your instansi does not allow flexible work by location."),
        )
    if policy.exclude_under_sanction and employee.under_sanction:
        raise FlexRuleRefused(
            "flex_under_sanction",
            _(
                "Flexible work is not available while a disciplinary sanction "
                "is in force or in process."
            ),
        )
    if policy.new_placement_months and employee.placement_date:
        allowed_from = add_months(employee.placement_date, policy.new_placement_months)
        if min(dates) < allowed_from:
            raise FlexRuleRefused(
                "flex_new_placement",
                _(
                    "Newly placed employees may work from another location only "
                    "%(months)d months after their placement, from %(date)s."
                )
                % {
                    "months": policy.new_placement_months,
                    "date": date_format(allowed_from, "DATE_FORMAT"),
                },
            )
    statuses: tuple[str, ...] = (
        (FlexRequest.Status.APPROVED,)
        if approving is not None
        else (FlexRequest.Status.PENDING, FlexRequest.Status.APPROVED)
    )
    taken = (
        active_days(employee, dates, statuses=statuses, exclude_request=approving)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    if taken is not None:
        raise FlexRuleRefused(
            "flex_date_taken",
            _("%(date)s is already in another flexible-work request.")
            % {"date": date_format(taken, "DATE_FORMAT")},
        )
    _check_weeks(employee, dates, policy, statuses, approving)
    _check_unit_share(employee, dates, policy)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _check_weeks(
    employee: Employee,
    dates: list[dt.date],
    policy: FlexPolicy,
    statuses: tuple[str, ...],
    approving: FlexRequest | None,
) -> None:
    wanted = Counter(_week_start(day) for day in dates)
    for monday, count in sorted(wanted.items()):
        week = [monday + dt.timedelta(days=i) for i in range(7)]
        existing = (
            active_days(employee, week, statuses=statuses, exclude_request=approving)
            .values("date")
            .distinct()
            .count()
        )
        if existing + count > policy.max_days_per_week:
            raise FlexRuleRefused(
                "flex_max_days",
                _(
                    "At most %(max)d flexible-location days a week: the week of "
                    "%(week)s would have %(count)d."
                )
                % {
                    "max": policy.max_days_per_week,
                    "week": date_format(monday, "DATE_FORMAT"),
                    "count": existing + count,
                },
            )


def _check_unit_share(
    employee: Employee, dates: list[dt.date], policy: FlexPolicy
) -> None:
    headcount = Employee.objects.filter(unit_id=employee.unit_id).count()
    cap = unit_cap(headcount, policy.unit_share_percent)
    for day in sorted(dates):
        others = approved_in_unit(employee.unit_id, day, exclude=employee)
        if others + 1 > cap:
            raise FlexRuleRefused(
                "flex_unit_share",
                _(
                    "On %(date)s %(others)d of the %(headcount)d staff of your unit "
                    "already work from another location; the limit is %(cap)d "
                    "(%(percent)d%%)."
                )
                % {
                    "date": date_format(day, "DATE_FORMAT"),
                    "others": others,
                    "headcount": headcount,
                    "cap": cap,
                    "percent": policy.unit_share_percent,
                },
            )
