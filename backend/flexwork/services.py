"""Writes for flexible work: asking and deciding."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.activity.models import ActivityEvent
from backend.activity.services import event_record
from backend.attendance.models import Workplace
from backend.audit.services import audit_record
from backend.flexwork import rules
from backend.flexwork.models import FlexDay, FlexDecision, FlexRequest
from backend.flexwork.selectors import policy_for
from backend.organization.models import Employee, Unit
from backend.organization.visibility import viewer_for

MAX_DAYS_PER_REQUEST = 31


def _snapshot(request: FlexRequest) -> dict[str, Any]:
    return {
        "status": request.status,
        "location_type": request.location_type,
        "workplace_id": request.workplace_id,
        "latitude": request.latitude,
        "longitude": request.longitude,
        "radius_m": request.radius_m,
        "dates": sorted(day.date.isoformat() for day in request.days.all()),
    }


def _clean_dates(employee: Employee, dates: list[dt.date]) -> list[dt.date]:
    unique = sorted(set(dates))
    if not unique:
        raise ValidationError({"dates": _("Give at least one date.")})
    if len(unique) > MAX_DAYS_PER_REQUEST:
        raise ValidationError(
            {
                "dates": _("At most %(max)d dates in one request.")
                % {"max": MAX_DAYS_PER_REQUEST}
            }
        )
    today = timezone.now().astimezone(ZoneInfo(employee.unit.instansi.timezone)).date()
    if unique[0] < today:
        raise ValidationError(
            {"dates": _("Flexible work cannot be asked for past days.")}
        )
    return unique


def flex_request_create(
    *,
    employee: Employee,
    dates: list[dt.date],
    location_type: str,
    reason: str,
    workplace: Workplace | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: int | None = None,
    address: str = "",
    ip: str | None = None,
) -> FlexRequest:
    """Ask for flexible work on ``dates`` at one place.

    ``other_office`` needs ``workplace`` (an active workplace of the same
    instansi); ``home`` uses the registered domisili with the policy's home
    radius; ``other`` needs position, radius (up to the policy's limit) and
    address. Raises ``ValidationError`` for bad input and
    ``rules.FlexRuleRefused`` when a rule of the instansi refuses.
    """
    dates = _clean_dates(employee, dates)
    policy = policy_for(employee.unit.instansi_id)
    request = FlexRequest(
        employee=employee, location_type=location_type, reason=reason.strip()
    )
    if location_type == FlexRequest.LocationType.OTHER_OFFICE:
        if (
            workplace is None
            or not workplace.is_active
            or workplace.unit.instansi_id != employee.unit.instansi_id
        ):
            raise ValidationError(
                {"workplace": _("Choose an active office of your instansi.")}
            )
        request.workplace = workplace
    elif location_type == FlexRequest.LocationType.HOME:
        if employee.domisili_latitude is None or employee.domisili_longitude is None:
            raise ValidationError(
                {
                    "location_type": _(
                        "No home position (domisili) is registered for you; ask "
                        "your unit admin to record it."
                    )
                }
            )
        request.latitude = float(employee.domisili_latitude)
        request.longitude = float(employee.domisili_longitude)
        request.radius_m = policy.home_radius_m
        request.address = employee.domisili_address
    elif location_type == FlexRequest.LocationType.OTHER:
        missing = {
            name: _("Required for another place.")
            for name, value in (
                ("latitude", latitude),
                ("longitude", longitude),
                ("radius_m", radius_m),
                ("address", address.strip()),
            )
            if value in (None, "")
        }
        if missing:
            raise ValidationError(missing)
        assert radius_m is not None  # noqa: S101  # checked just above
        if not 5 <= radius_m <= policy.max_radius_m:
            raise ValidationError(
                {
                    "radius_m": _("The radius must be between 5 and %(max)d m.")
                    % {"max": policy.max_radius_m}
                }
            )
        request.latitude, request.longitude = latitude, longitude
        request.radius_m, request.address = radius_m, address.strip()
    else:
        raise ValidationError({"location_type": _("Unknown location type.")})
    request.full_clean()
    with transaction.atomic():
        # One employee sending two requests at once must not get past the
        # days-per-week rule twice: their requests are judged one at a time.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        rules.check(employee=employee, dates=dates, policy=policy)
        request.save()
        FlexDay.objects.bulk_create(
            [FlexDay(request=request, employee=employee, date=day) for day in dates]
        )
        audit_record(
            actor=employee,
            action="flex.requested",
            target=request,
            after=_snapshot(request),
            ip=ip,
        )
        _flex_requested_event(request)
    return request


def can_decide(user: Any, request: FlexRequest) -> bool:
    """The employee's supervisors up the chain decide (and superusers)."""
    viewer = viewer_for(user)
    if viewer.is_superuser:
        return viewer.employee_id != request.employee_id
    return bool(
        viewer.subordinate_prefix
        and request.employee.chain.startswith(viewer.subordinate_prefix)
    )


def flex_request_decide(
    *,
    request: FlexRequest,
    decider: Any,
    decision: str,
    comment: str = "",
    ip: str | None = None,
) -> FlexRequest:
    """Approve or reject a request; deciding again revises (history kept).

    Approving re-checks every rule against the approved requests of the
    moment. Raises ``PermissionDenied`` for anyone but a supervisor of the
    employee, ``rules.FlexRuleRefused`` when a rule refuses approval.
    """
    if decision not in FlexDecision.Decision.values:
        raise ValidationError({"decision": _("Give approve or reject.")})
    with transaction.atomic():
        locked = (
            FlexRequest.objects.select_for_update(of=("self",))
            .select_related("employee__unit", "workplace")
            .get(pk=request.pk)
        )
        if not can_decide(decider, locked):
            raise PermissionDenied
        before = _snapshot(locked)
        if decision == FlexDecision.Decision.APPROVE:
            # Approvals in one unit are judged one at a time, so two
            # supervisors approving at once cannot exceed the unit's share.
            Unit.objects.select_for_update().filter(pk=locked.employee.unit_id).first()
            rules.check(
                employee=locked.employee,
                dates=[day.date for day in locked.days.all()],
                policy=policy_for(locked.employee.unit.instansi_id),
                approving=locked,
            )
            locked.status = FlexRequest.Status.APPROVED
        else:
            locked.status = FlexRequest.Status.REJECTED
        now = timezone.now()
        locked.decided_at = now
        locked.save(update_fields=["status", "decided_at"])
        entry = FlexDecision(
            request=locked,
            decided_by=decider,
            decision=decision,
            comment=comment.strip(),
            created_at=now,
        )
        entry.full_clean()
        entry.save()
        audit_record(
            actor=decider,
            action="flex.decided",
            target=locked,
            before=before,
            after={**_snapshot(locked), "decision": decision, "comment": comment},
            ip=ip,
        )
        _flex_decided_event(locked, decider)
    return locked


# --- feed events ---------------------------------------------------------
# Recorded in the transaction of the change they report (see
# backend.activity.services).


def _flex_event_data(request: FlexRequest) -> dict[str, Any]:
    return {
        "request_id": request.pk,
        "status": request.status,
        "location_type": request.location_type,
        "address": request.address,
        "latitude": request.latitude,
        "longitude": request.longitude,
        "radius_m": request.radius_m,
        "workplace": (
            {"id": request.workplace_id, "name": request.workplace.name}
            if request.workplace_id and request.workplace
            else None
        ),
        "dates": sorted(day.date.isoformat() for day in request.days.all()),
    }


def _flex_requested_event(request: FlexRequest) -> None:
    event_record(
        type=ActivityEvent.Type.FLEX_REQUESTED,
        actor=request.employee,
        data=_flex_event_data(request),
    )


def _flex_decided_event(request: FlexRequest, decider: Any) -> None:
    decider_employee = getattr(decider, "employee", None)
    event_record(
        type=ActivityEvent.Type.FLEX_DECIDED,
        actor=decider_employee if decider_employee is not None else decider,
        about=request.employee,
        data=_flex_event_data(request),
    )
