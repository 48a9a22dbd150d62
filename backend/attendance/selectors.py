"""Reads for attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from backend.attendance.flags import needs_review
from backend.attendance.models import CheckIn, Workplace
from backend.organization.models import Employee, paths_above
from backend.organization.visibility import can_view_employee


def workplaces_for(employee: Employee) -> QuerySet[Workplace]:
    """Workplaces of the employee's unit and the units above it, plus any
    workplace the employee is assigned to by name."""
    return (
        Workplace.objects.filter(is_active=True)
        .filter(
            Q(unit__path__in=employee.unit.ancestor_paths()) | Q(employees=employee)
        )
        .distinct()
        .order_by("name")
    )


def unit_workplaces(unit_path: str) -> QuerySet[Workplace]:
    """Active workplaces of the unit at ``unit_path`` and the units above
    it (the share of ``workplaces_for`` that all its employees have)."""
    return Workplace.objects.filter(
        is_active=True, unit__path__in=paths_above(unit_path)
    ).order_by("name", "pk")


def checkin_is_flagged(checkin: CheckIn) -> bool:
    """Flagged for audit: carries a flag at warning level or above."""
    return needs_review(checkin.flags)


def checkins_of(
    employee: Employee,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CheckIn]:
    queryset = CheckIn.objects.filter(employee=employee).select_related("workplace")
    if date_from:
        queryset = queryset.filter(local_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(local_date__lte=date_to)
    return queryset


def visible_checkin(user: Any, pk: int) -> CheckIn:
    """The check-in ``pk`` if ``user`` may see it; ``Http404`` otherwise, so
    that outsiders cannot even learn that it exists."""
    checkin = (
        CheckIn.objects.select_related("employee__unit", "workplace")
        .filter(pk=pk)
        .first()
    )
    if checkin is None or not can_view_employee(
        user, checkin.employee, flagged=checkin_is_flagged(checkin)
    ):
        raise Http404
    return checkin
