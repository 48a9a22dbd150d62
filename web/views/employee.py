"""The employee's pages: today, check-in, daily report, history, flexible
work. Mobile-first; the check-in page talks to the API from JavaScript.

Times are shown in the zone of the employee's instansi (WIB/WITA/WIT).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backend.accounts.selectors import EMPLOYEE, landing_area, web_areas
from backend.attendance.days import attendance_days
from backend.attendance.flags import render_flags
from backend.attendance.selectors import checkins_of
from backend.attendance.today import local_today, today_of
from backend.flexwork.rules import FlexRuleRefused
from backend.flexwork.selectors import flex_requests_of
from backend.flexwork.services import flex_request_create
from backend.lib.client_ip import client_ip
from backend.lib.durable_files import StorageFull
from backend.lib.refusals import ReplayConflict, UploadRejected
from backend.organization.models import Employee
from backend.performance import selectors as perf_selectors
from backend.performance import services as perf_services
from backend.performance.models import WorkMode
from web.access import area_required
from web.forms import FlexRequestForm, ReportForm
from web.views.auth import area_start_url


def _employee(request: HttpRequest) -> Employee:
    # area_required("employee") has checked that the user has one.
    return Employee.objects.select_related("unit__instansi", "supervisor").get(
        user__pk=int(request.user.pk or 0)
    )


def _render(
    request: HttpRequest,
    employee: Employee,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    with timezone.override(ZoneInfo(employee.unit.instansi.timezone)):
        return render(
            request,
            template,
            {"employee": employee, **context},
            status=status,
        )


def home(request: HttpRequest) -> HttpResponse:
    """The employee's today; anyone else goes to where their work starts."""
    if request.user.is_authenticated and EMPLOYEE not in web_areas(request.user):
        return HttpResponseRedirect(area_start_url(landing_area(request.user)))
    return _home(request)


@area_required(EMPLOYEE)
def _home(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    return _render(
        request, employee, "web/employee/home.html", {"today": today_of(employee)}
    )


@area_required(EMPLOYEE)
def checkin(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    today = today_of(employee)
    # Once checked in, the next one is most likely the check-out.
    default = "out" if today.checked_in else "in"
    kind = request.GET.get("kind")
    if kind not in ("in", "out"):
        kind = default
    return _render(
        request,
        employee,
        "web/employee/checkin.html",
        {
            "today": today,
            "kind": kind,
            "poor_accuracy_m": settings.FLAG_POOR_ACCURACY_M,
        },
    )


# --- daily reports ---------------------------------------------------------


def _form_errors_from(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form's fields (or on top);
    ``aliases`` names the form field for a service field."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            field = (aliases or {}).get(field, field)
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@area_required(EMPLOYEE)
def reports(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    rows = perf_selectors.reports_of(employee).order_by("-date", "-id")[:60]
    return _render(request, employee, "web/employee/reports.html", {"reports": rows})


@area_required(EMPLOYEE)
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, employee=employee)
        if form.is_valid():
            data = form.cleaned_data
            evidence = perf_services.EvidenceUploads(
                photos=[
                    perf_services.PhotoUpload(file=upload, name=upload.name, **meta)
                    for upload, meta in zip(
                        data["photos"], data["photos_meta"], strict=True
                    )
                ],
                documents=list(data["documents"]),
                links=list(data["links"]),
            )
            try:
                perf_services.report_create(
                    employee=employee,
                    client_uuid=data["client_uuid"],
                    date=data["date"],
                    rhk=data["rhk"],
                    action_plan=data["action_plan"],
                    description=data["description"],
                    output_quantity=data["output_quantity"],
                    output_unit=data["output_unit"],
                    start_time=data["start_time"],
                    end_time=data["end_time"],
                    work_mode=data["work_mode"],
                    place_name=data["place_name"],
                    evidence=evidence,
                )
            except ValidationError as error:
                _form_errors_from(form, error)
            except UploadRejected as refused:
                form.add_error(None, refused.message)
                status = refused.status
            except ReplayConflict as conflict:
                form.add_error(None, str(conflict))
                status = 409
            except StorageFull:
                form.add_error(
                    None, _("The server's storage is full. Try again later.")
                )
                status = 507
            else:
                messages.success(request, _("Your report was sent to your supervisor."))
                return HttpResponseRedirect(reverse("web:reports"))
        if status == 200:
            status = 400
    else:
        today = local_today(employee)
        form = ReportForm(
            employee=employee,
            initial={
                "client_uuid": uuid.uuid4(),
                "date": today,
                "work_mode": WorkMode.OFFICE,
            },
        )
    return _render(
        request,
        employee,
        "web/employee/report_form.html",
        {"form": form},
        status=status,
    )


# --- history -----------------------------------------------------------------

HISTORY_DAYS = 31


@area_required(EMPLOYEE)
def history(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    today = local_today(employee)
    start = today - timedelta(days=HISTORY_DAYS - 1)
    days = attendance_days(employee=employee, date_from=start, date_to=today)
    checkins = checkins_of(employee, date_from=start, date_to=today).order_by(
        "-captured_at", "-pk"
    )
    rows = [
        {"checkin": checkin, "flags": render_flags(checkin.flags, for_subject=True)}
        for checkin in checkins
    ]
    return _render(
        request,
        employee,
        "web/employee/history.html",
        {"days": list(reversed(days)), "checkins": rows, "start": start, "end": today},
    )


# --- flexible work -----------------------------------------------------------


@area_required(EMPLOYEE)
def flex(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    requests = flex_requests_of(employee).order_by("-created_at")[:50]
    return _render(request, employee, "web/employee/flex.html", {"requests": requests})


@area_required(EMPLOYEE)
@require_http_methods(["GET", "POST"])
def flex_new(request: HttpRequest) -> HttpResponse:
    employee = _employee(request)
    if request.method == "POST":
        form = FlexRequestForm(request.POST, employee=employee)
        if form.is_valid():
            data = form.cleaned_data
            try:
                flex_request_create(
                    employee=employee,
                    dates=data["dates"],
                    location_type=data["location_type"],
                    reason=data["reason"],
                    workplace=data["workplace"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    radius_m=data["radius_m"],
                    address=data["address"] or "",
                    ip=client_ip(request),
                )
            except ValidationError as error:
                _form_errors_from(form, error, {"dates": "date_from"})
            except FlexRuleRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("Your request was sent for a decision."))
                return HttpResponseRedirect(reverse("web:flex"))
        status = 400
    else:
        today = local_today(employee)
        form = FlexRequestForm(
            employee=employee, initial={"date_from": today, "date_to": today}
        )
        status = 200
    return _render(
        request, employee, "web/employee/flex_form.html", {"form": form}, status=status
    )
