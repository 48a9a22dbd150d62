"""The supervisor dashboard (``/atasan/``): today's team counts, the live
feed, a map of today's check-ins inside the team's geofences, and the
queues of daily reports and flexible-work requests to decide.

Everything shown comes from domain selectors under the rules of
``backend.organization.visibility``; decisions go through the domain
services. A form posted by the page's script (``X-Requested-With: fetch``)
gets JSON back, a plain form post a redirect to the dashboard.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.selectors import SUPERVISOR
from backend.activity.selectors import latest_event_id, team_summary
from backend.attendance.flags import Names, names_for, render_flags
from backend.attendance.models import CheckIn
from backend.attendance.team_map import (
    MAP_MAX_CHECKINS,
    team_checkins,
    team_flex_places,
    team_geofences,
)
from backend.audit.selectors import may_audit
from backend.flexwork import selectors as flex_selectors
from backend.flexwork.models import FlexRequest
from backend.flexwork.rules import FlexRuleRefused
from backend.flexwork.services import can_decide, flex_request_decide
from backend.lib.client_ip import client_ip
from backend.organization.models import Employee
from backend.organization.visibility import viewer_for
from backend.performance import selectors as performance_selectors
from backend.performance.models import DailyReport
from backend.performance.services import report_review
from web.access import area_required

QUEUE_LIMIT = 50


def map_settings() -> dict[str, str]:
    """The tile server for the page's maps (empty URL: a blank map)."""
    return {
        "tile_url": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def checkin_point(checkin: CheckIn, names: Names) -> dict[str, Any]:
    """A check-in as the map and the list draw it (the feed's event data has
    the same fields); its flags name only the employees of ``names``."""
    employee = checkin.employee
    return {
        "checkin_id": checkin.pk,
        "name": employee.name,
        "nip": employee.nip,
        "unit": employee.unit.name,
        "kind": checkin.kind,
        "status": checkin.status,
        "mode": checkin.mode,
        "captured_at": timezone.localtime(checkin.captured_at).isoformat(),
        "position": {
            "latitude": checkin.latitude,
            "longitude": checkin.longitude,
            "accuracy_m": checkin.accuracy_m,
        },
        "geofence": checkin.geofence,
        "workplace": (
            {"id": checkin.workplace.pk, "name": checkin.workplace.name}
            if checkin.workplace
            else None
        ),
        "flags": render_flags(checkin.flags, names=names),
    }


def desk_text() -> dict[str, str]:
    """Words the page's script shows, in the request's language."""
    text = {
        "feed.live": _("Live"),
        "feed.connecting": _("Connecting to the live feed…"),
        "feed.offline": _("Connection lost; reconnecting…"),
        "feed.login": _("Your session has ended: log in again."),
        "feed.truncated": _(
            "Some events were missed while offline; reload the page for the "
            "full picture."
        ),
        "event.checkin.created": _("%(name)s: %(kind)s at %(time)s, %(status)s"),
        "event.checkin.flagged": _("%(name)s: check-in flagged for review"),
        "event.checkin.reviewed": _("%(actor)s reviewed a check-in: %(status)s"),
        "event.report.submitted": _("%(name)s submitted a daily report"),
        "event.report.reviewed": _("%(actor)s reviewed a daily report: %(status)s"),
        "event.flex.requested": _("%(name)s requested flexible work"),
        "event.flex.decided": _("%(actor)s decided a flexible-work request"),
        "event.other": _("%(name)s: %(type)s"),
        "map.workplace": _("Workplace"),
        "map.flexible": _("Flexible work"),
        "map.reported": _("Reported position"),
        "map.exif": _("Photo EXIF position"),
        "map.accuracy": _("accuracy %(accuracy)s m"),
        "map.tiles_failed": _(
            "Map tiles could not be loaded: positions and geofences are drawn "
            "on a blank map."
        ),
        "form.failed": _("That did not work; try again."),
    }
    for value, label in CheckIn.Status.choices:
        text[f"status.{value}"] = str(label)
    for value, label in CheckIn.Kind.choices:
        text[f"kind.{value}"] = str(label)
    for value, label in CheckIn.Geofence.choices:
        text[f"geofence.{value}"] = str(label)
    for value, label in DailyReport.Status.choices:
        text.setdefault(f"status.{value}", str(label))
    return {key: str(value) for key, value in text.items()}


def _reviewer(request: HttpRequest) -> Employee | None:
    viewer = viewer_for(request.user)
    if viewer.employee_id is None:
        return None
    return Employee.objects.select_related("unit").get(pk=viewer.employee_id)


@require_GET
@area_required(SUPERVISOR)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Read before the page's data: the socket resumes after it, so nothing
    # that happens while the page loads is missed (the script drops repeats).
    feed_after = latest_event_id()
    summary = team_summary(user)
    checkins = list(team_checkins(user, day=summary.date)[: MAP_MAX_CHECKINS + 1])
    more = len(checkins) > MAP_MAX_CHECKINS
    checkins = checkins[:MAP_MAX_CHECKINS]
    reviewer = _reviewer(request)
    reports = (
        list(
            performance_selectors.reports_to_review(
                reviewer, status=DailyReport.Status.SUBMITTED
            )[:QUEUE_LIMIT]
        )
        if reviewer is not None
        else []
    )
    flex_requests = [
        flex_request
        for flex_request in flex_selectors.team_flex_requests(
            user, status=FlexRequest.Status.PENDING
        ).order_by("created_at", "id")[:QUEUE_LIMIT]
        if can_decide(user, flex_request)
    ]
    names = names_for(user, (checkin.flags for checkin in checkins))
    map_data = {
        **map_settings(),
        "geofences": [fence.as_dict() for fence in team_geofences(user)],
        "flex_places": [
            place.as_dict() for place in team_flex_places(user, day=summary.date)
        ],
        "checkins": [checkin_point(checkin, names) for checkin in checkins],
    }
    return render(
        request,
        "web/supervisor/dashboard.html",
        {
            "summary": summary,
            "feed_after": feed_after,
            "checkins": checkins,
            "more_checkins": more,
            "map_max": MAP_MAX_CHECKINS,
            "map_data": map_data,
            "reports": reports,
            "flex_requests": flex_requests,
            "is_reviewer": reviewer is not None,
            "text": desk_text(),
            # Unit admins audit and export too; the menu names only the
            # auditor area, so the dashboard links their desks.
            "may_audit": may_audit(user),
            "may_export": performance_selectors.recap_units(user).exists(),
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _refused(
    request: HttpRequest, message: str, *, status: int = 400, field: str = ""
) -> HttpResponse:
    if _wants_json(request):
        body: dict[str, Any] = {"code": "invalid", "message": message, "fields": {}}
        if field:
            body["fields"] = {field: [message]}
        return JsonResponse(body, status=status)
    messages.error(request, message)
    return HttpResponseRedirect(reverse("web:supervisor-dashboard"))


def _done(request: HttpRequest, message: str, **data: Any) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": message, **data})
    messages.success(request, message)
    return HttpResponseRedirect(reverse("web:supervisor-dashboard"))


def _validation_message(error: ValidationError) -> tuple[str, str]:
    """The first message of a service's ValidationError and its field."""
    if hasattr(error, "message_dict"):
        for field, problems in error.message_dict.items():
            return str(problems[0]), field if field != "__all__" else ""
    return str(error.messages[0]), ""


@require_POST
@area_required(SUPERVISOR)
def report_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted daily report, or return it with a comment."""
    reviewer = _reviewer(request)
    if reviewer is None:
        raise PermissionDenied
    report = performance_selectors.visible_report(request.user, pk)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "return"):
        return _refused(request, _("Choose approve or return."), field="decision")
    try:
        report = report_review(
            report=report,
            reviewer=reviewer,
            decision=decision,
            comment=request.POST.get("comment", "")[:2000],
        )
    except ValidationError as error:
        message, field = _validation_message(error)
        return _refused(request, message, field=field)
    done = (
        _("Report of %(name)s approved.")
        if report.status == DailyReport.Status.APPROVED
        else _("Report of %(name)s returned.")
    )
    return _done(
        request, done % {"name": report.employee.name}, id=pk, status=report.status
    )


@require_POST
@area_required(SUPERVISOR)
def flex_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a flexible-work request (deciding again revises)."""
    flex_request = flex_selectors.visible_flex_request(request.user, pk)
    if flex_request is None:
        raise Http404
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        return _refused(request, _("Choose approve or reject."), field="decision")
    comment = request.POST.get("comment", "")[:1000]
    try:
        flex_request = flex_request_decide(
            request=flex_request,
            decider=request.user,
            decision=decision,
            comment=comment,
            ip=client_ip(request),
        )
    except FlexRuleRefused as refusal:
        return _refused(request, refusal.message, status=400)
    except ValidationError as error:
        message, field = _validation_message(error)
        return _refused(request, message, field=field)
    done = (
        _("Flexible work of %(name)s approved.")
        if flex_request.status == FlexRequest.Status.APPROVED
        else _("Flexible work of %(name)s rejected.")
    )
    return _done(
        request,
        done % {"name": flex_request.employee.name},
        id=pk,
        status=flex_request.status,
    )
