"""Reads for a supervisor's map: one day's check-ins of the people a viewer
may see, the workplaces whose geofences frame them, and the flexible-work
places approved for that day.

Both follow ``backend.organization.visibility`` (``visible_employees_q``)
and cost a fixed number of queries however large the team is: the check-ins
come with their employee, unit and workplace in one query; the workplaces
in two (the team's units, then the workplaces of those units, the units
above them and the people assigned by name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from backend.attendance.models import CheckIn, Workplace
from backend.organization.models import Employee
from backend.organization.visibility import viewer_for, visible_employees_q

# A day of a large unit can hold thousands of check-ins; a map shows the
# newest ones and says that there are more.
MAP_MAX_CHECKINS = 500


@dataclass(frozen=True)
class Geofence:
    """A workplace's geofence, ready for a map: a circle, or a polygon of
    ``[latitude, longitude]`` points when the workplace has one."""

    id: int
    name: str
    latitude: float
    longitude: float
    radius_m: int
    polygon: list[list[float]] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "radius_m": self.radius_m,
            "polygon": self.polygon,
        }


def geofence_of(workplace: Workplace) -> Geofence:
    return Geofence(
        id=workplace.pk,
        name=workplace.name,
        latitude=float(workplace.latitude),
        longitude=float(workplace.longitude),
        radius_m=workplace.radius_m,
        polygon=workplace.polygon or None,
    )


def team_checkins(user: Any, *, day: dt.date) -> QuerySet[CheckIn]:
    """The check-ins of ``day`` (local date) of everyone ``user`` may see,
    newest first, with employee, unit and workplace loaded."""
    viewer = viewer_for(user)
    return (
        CheckIn.objects.filter(
            visible_employees_q(viewer, prefix="employee__"), local_date=day
        )
        .select_related("employee__unit", "workplace")
        .order_by("-captured_at", "-id")
    )


def team_geofences(user: Any) -> list[Geofence]:
    """The active workplaces of the people ``user`` may see: those of their
    units and of every unit above, and those they are assigned to by name."""
    viewer = viewer_for(user)
    team = Employee.objects.filter(visible_employees_q(viewer))
    unit_paths = set(team.order_by().values_list("unit__path", flat=True).distinct())
    ancestors: set[str] = set()
    for path in unit_paths:
        ids = [part for part in path.split("/") if part]
        ancestors.update("/" + "/".join(ids[: i + 1]) + "/" for i in range(len(ids)))
    if not ancestors:
        return []
    workplaces = (
        Workplace.objects.filter(is_active=True)
        .filter(Q(unit__path__in=ancestors) | Q(employees__in=team))
        .distinct()
        .order_by("name")
    )
    return [geofence_of(workplace) for workplace in workplaces]


@dataclass(frozen=True)
class FlexPlace:
    """Where someone of the team may work on a day by an approved
    flexible-work request: another office's geofence, or a circle."""

    employee_name: str
    label: str
    geofence: Geofence

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.employee_name,
            "label": self.label,
            "geofence": self.geofence.as_dict(),
        }


def team_flex_places(user: Any, *, day: dt.date) -> list[FlexPlace]:
    """The approved flexible-work places of ``day`` of everyone ``user`` may
    see, in one query."""
    from backend.flexwork.models import FlexDay, FlexRequest

    viewer = viewer_for(user)
    days = (
        FlexDay.objects.filter(
            visible_employees_q(viewer, prefix="employee__"),
            date=day,
            request__status=FlexRequest.Status.APPROVED,
        )
        .select_related("employee", "request__workplace")
        .order_by("employee__name", "request_id")
    )
    places = []
    for flex_day in days:
        request = flex_day.request
        if request.workplace is not None:
            fence = geofence_of(request.workplace)
            label = request.workplace.name
        elif request.latitude is not None and request.longitude is not None:
            label = request.address or str(request.get_location_type_display())
            fence = Geofence(
                id=0,
                name=label,
                latitude=request.latitude,
                longitude=request.longitude,
                radius_m=request.radius_m or 0,
                polygon=None,
            )
        else:
            continue
        places.append(
            FlexPlace(employee_name=flex_day.employee.name, label=label, geofence=fence)
        )
    return places
