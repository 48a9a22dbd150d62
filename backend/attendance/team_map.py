"""Reads for a supervisor's map: one day's check-ins of the people a viewer
may see, and the workplaces whose geofences frame them.

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
