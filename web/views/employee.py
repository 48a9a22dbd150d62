"""The employee's pages: today, check-in, daily report, history, flexible
work. Mobile-first; the check-in page talks to the API from JavaScript.

Times are shown in the zone of the employee's instansi (WIB/WITA/WIT).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from backend.accounts.selectors import EMPLOYEE, landing_area, web_areas
from backend.attendance.today import today_of
from backend.organization.models import Employee
from web.access import area_required
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
    kind = "out" if request.GET.get("kind") == "out" else "in"
    return _render(
        request,
        employee,
        "web/employee/checkin.html",
        {
            "today": today_of(employee),
            "kind": kind,
            "poor_accuracy_m": settings.FLAG_POOR_ACCURACY_M,
        },
    )
