"""Reads for flexible work, including the one the check-in path asks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from backend.attendance.models import Workplace
from backend.flexwork.models import FlexDay, FlexPolicy, FlexRequest
from backend.lib.geo import Circle, Point
from backend.organization.models import Employee, Instansi
from backend.organization.visibility import viewer_for, visible_employees_q


def policy_for(instansi: Instansi | int) -> FlexPolicy:
    """The instansi's policy, or the defaults (unsaved) when it has none."""
    instansi_id = instansi if isinstance(instansi, int) else instansi.pk
    policy = FlexPolicy.objects.filter(instansi_id=instansi_id).first()
    return policy or FlexPolicy(instansi_id=instansi_id)


@dataclass(frozen=True)
class FlexLocation:
    """An approved flexible-work place for one day: another office (its
    own geofence) or a circle (home, another place)."""

    request_id: int
    location_type: str
    workplace: Workplace | None
    circle: Circle | None
    label: str


def approved_locations(employee: Employee, day: dt.date) -> list[FlexLocation]:
    """The approved flexible-work locations of ``employee`` on ``day``."""
    days = (
        FlexDay.objects.filter(
            employee=employee, date=day, request__status=FlexRequest.Status.APPROVED
        )
        .select_related("request__workplace")
        .order_by("request_id")
    )
    locations = []
    for flex_day in days:
        request = flex_day.request
        if request.workplace is not None:
            locations.append(
                FlexLocation(
                    request_id=request.pk,
                    location_type=request.location_type,
                    workplace=request.workplace,
                    circle=None,
                    label=request.workplace.name,
                )
            )
        elif request.latitude is not None and request.longitude is not None:
            locations.append(
                FlexLocation(
                    request_id=request.pk,
                    location_type=request.location_type,
                    workplace=None,
                    circle=Circle(
                        Point(request.latitude, request.longitude),
                        float(request.radius_m or 0),
                    ),
                    label=request.address or request.get_location_type_display(),
                )
            )
    return locations


def flex_requests_of(employee: Employee) -> QuerySet[FlexRequest]:
    return (
        FlexRequest.objects.filter(employee=employee)
        .select_related("employee__unit", "workplace")
        .prefetch_related("days", "decisions__decided_by")
    )


def team_flex_requests(
    user: Any, *, status: str | None = None
) -> QuerySet[FlexRequest]:
    """Requests of the people ``user`` may see, except their own."""
    viewer = viewer_for(user)
    queryset = (
        FlexRequest.objects.filter(visible_employees_q(viewer, "employee__"))
        .exclude(employee_id=viewer.employee_id or 0)
        .select_related("employee__unit", "workplace")
        .prefetch_related("days", "decisions__decided_by")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def visible_flex_request(user: Any, pk: int) -> FlexRequest | None:
    viewer = viewer_for(user)
    return (
        FlexRequest.objects.filter(visible_employees_q(viewer, "employee__"))
        .filter(pk=pk)
        .select_related("employee__unit", "workplace")
        .prefetch_related("days", "decisions__decided_by")
        .first()
    )


def active_days(
    employee: Employee,
    dates: list[dt.date],
    *,
    statuses: tuple[str, ...],
    exclude_request: FlexRequest | None = None,
) -> QuerySet[FlexDay]:
    queryset = FlexDay.objects.filter(
        employee=employee, date__in=dates, request__status__in=statuses
    )
    if exclude_request is not None:
        queryset = queryset.exclude(request=exclude_request)
    return queryset


def approved_in_unit(unit_id: int, day: dt.date, *, exclude: Employee) -> int:
    """How many other employees of the unit have approved flexible work."""
    return (
        FlexDay.objects.filter(
            Q(employee__unit_id=unit_id),
            date=day,
            request__status=FlexRequest.Status.APPROVED,
        )
        .exclude(employee=exclude)
        .values("employee_id")
        .distinct()
        .count()
    )
