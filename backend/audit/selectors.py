"""Reads for the audit: the review queue, review history, pattern views.

Who may review: the admins of the employee's unit (or a unit above it) and
the auditors of the employee's instansi, superusers everywhere; only
*flagged* check-ins (those whose status is not ``verified``: a check-in
starts ``needs_review`` exactly when a flag at warning or above fired), and
never one's own. This is the rule of ``backend.organization.visibility``
narrowed to flagged items, in one place.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from backend.attendance.models import CheckIn
from backend.audit.models import CheckInReview
from backend.organization.models import Unit
from backend.organization.visibility import Viewer, viewer_for

FLAGGED_STATUSES = (
    CheckIn.Status.NEEDS_REVIEW,
    CheckIn.Status.ACCEPTED,
    CheckIn.Status.REJECTED,
)
PATTERN_DAYS = 30


def reviewable_q(viewer: Viewer) -> Q:
    """A filter on check-ins that ``viewer`` may review."""
    if viewer.user_id is None:
        return Q(pk__in=[])
    flagged = Q(status__in=FLAGGED_STATUSES)
    if viewer.is_superuser:
        return flagged
    scopes = [
        Q(employee__unit__path__startswith=path) for path in viewer.admin_unit_paths
    ]
    if viewer.auditor_instansi_ids:
        scopes.append(Q(employee__unit__instansi_id__in=viewer.auditor_instansi_ids))
    if not scopes:
        return Q(pk__in=[])
    scope = reduce(or_, scopes) & flagged
    if viewer.employee_id is not None:
        scope &= ~Q(employee_id=viewer.employee_id)
    return scope


def may_audit(user: Any) -> bool:
    viewer = viewer_for(user)
    return bool(
        viewer.is_superuser or viewer.admin_unit_paths or viewer.auditor_instansi_ids
    )


def can_review_checkin(user: Any, checkin: CheckIn) -> bool:
    viewer = viewer_for(user)
    if viewer.user_id is None or checkin.status not in FLAGGED_STATUSES:
        return False
    if viewer.is_superuser:
        return True
    if viewer.employee_id == checkin.employee_id:
        return False
    unit = checkin.employee.unit
    return any(unit.path.startswith(path) for path in viewer.admin_unit_paths) or (
        unit.instansi_id in viewer.auditor_instansi_ids
    )


def _scoped(user: Any) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(reviewable_q(viewer_for(user)))


def reviewable_checkin(user: Any, pk: int) -> CheckIn:
    """Check-in ``pk`` if ``user`` may review it; ``Http404`` otherwise."""
    checkin = (
        _scoped(user)
        .select_related("employee__unit", "workplace")
        .filter(pk=pk)
        .first()
    )
    if checkin is None:
        raise Http404
    return checkin


def audit_queue(
    *,
    user: Any,
    status: str | None = CheckIn.Status.NEEDS_REVIEW,
    unit_id: int | None = None,
    flag: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[CheckIn]:
    """Flagged check-ins in ``user``'s scope, riskiest first, then the
    longest waiting (``captured_at``)."""
    queryset = _scoped(user).select_related(
        "employee__unit", "employee__supervisor", "workplace"
    )
    if status:
        queryset = queryset.filter(status=status)
    if unit_id is not None:
        path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
        queryset = queryset.filter(employee__unit__path__startswith=path or "-")
    if flag:
        # flag_codes is ",code,code," so one code matches exactly.
        queryset = queryset.filter(flag_codes__contains=f",{flag},")
    if date_from:
        queryset = queryset.filter(local_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(local_date__lte=date_to)
    return queryset.order_by("-risk", "captured_at", "id")


@dataclass(frozen=True)
class Pattern:
    days: int
    checkins: int
    flagged: int
    rejected: int
    outside: int
    flexible: int
    top_flags: list[tuple[str, int]]


def recent_patterns(
    employee_ids: list[int], *, days: int = PATTERN_DAYS
) -> dict[int, Pattern]:
    """Each employee's last ``days`` days in numbers, in two queries for any
    number of employees (so a queue page costs no query per row)."""
    since = timezone.localdate() - dt.timedelta(days=days)
    rows = CheckIn.objects.filter(
        employee_id__in=employee_ids, local_date__gte=since
    ).order_by()
    counts = rows.values("employee_id").annotate(
        total=Count("id"),
        flagged=Count("id", filter=Q(status__in=FLAGGED_STATUSES)),
        rejected=Count("id", filter=Q(status=CheckIn.Status.REJECTED)),
        outside=Count("id", filter=Q(geofence=CheckIn.Geofence.OUTSIDE)),
        flexible=Count("id", filter=Q(mode=CheckIn.Mode.FLEXIBLE)),
    )
    flags: dict[int, Counter[str]] = defaultdict(Counter)
    for employee_id, codes in rows.exclude(flag_codes="").values_list(
        "employee_id", "flag_codes"
    ):
        flags[employee_id].update(code for code in codes.split(",") if code)
    return {
        row["employee_id"]: Pattern(
            days=days,
            checkins=row["total"],
            flagged=row["flagged"],
            rejected=row["rejected"],
            outside=row["outside"],
            flexible=row["flexible"],
            top_flags=flags[row["employee_id"]].most_common(3),
        )
        for row in counts
    }


def review_history(checkin: CheckIn) -> QuerySet[CheckInReview]:
    return CheckInReview.objects.filter(checkin=checkin).select_related(
        "reviewer__employee"
    )


# --- pattern views -------------------------------------------------------


def _pattern_base(
    user: Any,
    *,
    unit_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
) -> QuerySet[CheckIn]:
    viewer = viewer_for(user)
    queryset = CheckIn.objects.all()
    if not viewer.is_superuser:
        # Unit admins see their whole subtree; auditors only flagged items.
        scopes = [
            Q(employee__unit__path__startswith=path) for path in viewer.admin_unit_paths
        ]
        if viewer.auditor_instansi_ids:
            scopes.append(
                Q(
                    employee__unit__instansi_id__in=viewer.auditor_instansi_ids,
                    status__in=FLAGGED_STATUSES,
                )
            )
        queryset = queryset.filter(reduce(or_, scopes) if scopes else Q(pk__in=[]))
    if unit_id is not None:
        path = Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
        queryset = queryset.filter(employee__unit__path__startswith=path or "-")
    date_to = date_to or timezone.localdate()
    date_from = date_from or date_to - dt.timedelta(days=PATTERN_DAYS)
    return queryset.filter(local_date__gte=date_from, local_date__lte=date_to)


def _groups(
    base: QuerySet[CheckIn], keys: tuple[str, ...], *, across: str, limit: int
) -> list[dict[str, Any]]:
    """Values of ``keys`` shared by more than one ``across`` (employees or
    days), each with the check-ins and employees involved."""
    shared = (
        base.order_by()
        .values(*keys)
        .annotate(
            employees=Count("employee_id", distinct=True),
            days=Count("local_date", distinct=True),
            checkins=Count("id"),
        )
        .filter(**{f"{across}__gt": 1})
        .order_by("-employees", "-checkins")[:limit]
    )
    groups = list(shared)
    if not groups:
        return []
    match = reduce(or_, [Q(**{key: group[key] for key in keys}) for group in groups])
    members: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in (
        base.filter(match)
        .order_by("captured_at")
        .values(
            *keys,
            "id",
            "local_date",
            "status",
            "employee_id",
            "employee__nip",
            "employee__name",
            "employee__unit__name",
        )
    ):
        members[tuple(row[key] for key in keys)].append(
            {
                "checkin_id": row["id"],
                "date": row["local_date"],
                "status": row["status"],
                "employee": {
                    "id": row["employee_id"],
                    "nip": row["employee__nip"],
                    "name": row["employee__name"],
                    "unit": row["employee__unit__name"],
                },
            }
        )
    return [
        {
            "key": {key: group[key] for key in keys},
            "employees": group["employees"],
            "days": group["days"],
            "checkins": members[tuple(group[key] for key in keys)],
        }
        for group in groups
    ]


def shared_coordinates(user: Any, *, limit: int = 50, **filters: Any) -> list[Any]:
    """Exactly the same latitude/longitude from several employees."""
    base = _pattern_base(user, **filters)
    return _groups(base, ("latitude", "longitude"), across="employees", limit=limit)


def reused_photos(user: Any, *, limit: int = 50, **filters: Any) -> list[Any]:
    """The same photo file (SHA-256) on several check-ins, by one employee
    on several days or by several employees."""
    base = _pattern_base(user, **filters)
    across_people = _groups(base, ("photo_sha256",), across="employees", limit=limit)
    across_days = _groups(base, ("photo_sha256",), across="days", limit=limit)
    seen = {group["key"]["photo_sha256"] for group in across_people}
    return (
        across_people
        + [group for group in across_days if group["key"]["photo_sha256"] not in seen][
            : max(0, limit - len(across_people))
        ]
    )


def shared_devices(user: Any, *, limit: int = 50, **filters: Any) -> list[Any]:
    """One device id used by several employees."""
    base = _pattern_base(user, **filters).exclude(device_id="")
    return _groups(base, ("device_id",), across="employees", limit=limit)


def top_flagged(user: Any, *, limit: int = 20, **filters: Any) -> list[Any]:
    """Employees with the most flagged check-ins in the period, per unit."""
    base = _pattern_base(user, **filters).filter(status__in=FLAGGED_STATUSES)
    rows = (
        base.order_by()
        .values(
            "employee_id",
            "employee__nip",
            "employee__name",
            "employee__unit_id",
            "employee__unit__name",
        )
        .annotate(
            flagged=Count("id"),
            rejected=Count("id", filter=Q(status=CheckIn.Status.REJECTED)),
            risk=Coalesce(Count("id", filter=Q(risk__gte=10)), 0),
        )
        .order_by("employee__unit__name", "-flagged", "employee__name")
    )
    units: dict[int, dict[str, Any]] = {}
    for row in rows:
        unit = units.setdefault(
            row["employee__unit_id"],
            {
                "unit": {
                    "id": row["employee__unit_id"],
                    "name": row["employee__unit__name"],
                },
                "employees": [],
            },
        )
        if len(unit["employees"]) < limit:
            unit["employees"].append(
                {
                    "id": row["employee_id"],
                    "nip": row["employee__nip"],
                    "name": row["employee__name"],
                    "flagged": row["flagged"],
                    "rejected": row["rejected"],
                    "high_risk": row["risk"],
                }
            )
    return list(units.values())


PATTERNS = {
    "shared-coordinates": shared_coordinates,
    "reused-photos": reused_photos,
    "shared-devices": shared_devices,
    "top-flagged": top_flagged,
}
