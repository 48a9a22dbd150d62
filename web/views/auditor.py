"""The auditor desk (``/audit/``): the queue of flagged check-ins with its
filters, each with its photo (through the authorized thumbnail and photo
views of the API), a map of the reported position, the workplace geofence
and the photo's EXIF position, the flags explained and the employee's recent
pattern; accept or reject with a note. And the recap page of a unit and
period with the CSV/XLSX download of the kinerja export.

Who may use it: auditors (their instansi) and unit admins (their subtree),
the rule of ``backend.audit.selectors``. Decisions go through
``backend.audit.services.checkin_review``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.accounts.selectors import AUDITOR, SUPERVISOR, web_areas
from backend.attendance.flags import KINDS, names_for, render_flags
from backend.attendance.models import CheckIn
from backend.attendance.team_map import geofence_of
from backend.audit import selectors
from backend.audit.desk import audit_units
from backend.audit.models import CheckInReview
from backend.audit.services import checkin_review
from backend.lib.client_ip import client_ip
from backend.organization.models import Unit
from backend.performance.export import recap_rows, unit_employees
from backend.performance.periods import parse_period
from backend.performance.selectors import recap_units
from web.access import area_required
from web.views.supervisor import desk_text, map_settings

PAGE_SIZE = 50
RECAP_PREVIEW_ROWS = 25

View = Callable[..., HttpResponse]


def desk_required(view: View) -> View:
    """Login and consent as every page (``web.access``), then the audit
    rule: auditors, unit admins and superusers. Unit admins reach the web
    app through the supervisor area, so their area is checked for them."""

    def audit_only(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_audit(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        area = AUDITOR if AUDITOR in web_areas(request.user) else SUPERVISOR
        return area_required(area)(audit_only)(request, *args, **kwargs)

    return wrapped


STATUS_CHOICES = [
    (CheckIn.Status.NEEDS_REVIEW, gettext_lazy("Awaiting review")),
    (CheckIn.Status.ACCEPTED, gettext_lazy("Accepted")),
    (CheckIn.Status.REJECTED, gettext_lazy("Rejected")),
    ("all", gettext_lazy("All")),
]


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=STATUS_CHOICES, required=False
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All units"),
    )
    flag = forms.ChoiceField(label=gettext_lazy("Flag"), required=False)
    date_from = forms.DateField(label=gettext_lazy("From"), required=False)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
        unit_field.queryset = audit_units(user)
        flag_field = self.fields["flag"]
        assert isinstance(flag_field, forms.ChoiceField)  # noqa: S101
        flag_field.choices = [("", _("All flags")), *[(c, c) for c in sorted(KINDS)]]
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must not be before the start."))
        return data


def case_data(checkin: CheckIn) -> dict[str, Any]:
    """What the desk's map draws for one check-in."""
    exif = checkin.exif or {}
    return {
        "id": checkin.pk,
        "status": checkin.status,
        "position": {
            "latitude": checkin.latitude,
            "longitude": checkin.longitude,
            "accuracy_m": checkin.accuracy_m,
        },
        "workplace": (
            geofence_of(checkin.workplace).as_dict() if checkin.workplace else None
        ),
        "exif": (
            {"latitude": exif["latitude"], "longitude": exif["longitude"]}
            if exif.get("latitude") is not None and exif.get("longitude") is not None
            else None
        ),
    }


@require_GET
@desk_required
def desk(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
    status = filters.get("status") or CheckIn.Status.NEEDS_REVIEW
    unit = filters.get("unit")
    queue = selectors.audit_queue(
        user=request.user,
        status=None if status == "all" else status,
        unit_id=unit.pk if unit else None,
        flag=filters.get("flag") or None,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    checkins = list(page.object_list)
    patterns = selectors.recent_patterns(
        sorted({checkin.employee_id for checkin in checkins})
    )
    names = names_for(request.user, (checkin.flags for checkin in checkins))
    items = [
        {
            "checkin": checkin,
            "flags": render_flags(checkin.flags, names=names),
            "pattern": patterns.get(checkin.employee_id),
            "case": json.dumps(case_data(checkin)),
            "thumbnail_url": reverse(
                "mobile_api:checkin-thumbnail", kwargs={"pk": checkin.pk}
            ),
            "photo_url": reverse("mobile_api:checkin-photo", kwargs={"pk": checkin.pk}),
        }
        for checkin in checkins
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/auditor/desk.html",
        {
            "form": form,
            "page": page,
            "items": items,
            "filter_query": query.urlencode(),
            "map": map_settings(),
            "text": desk_text(),
            "may_export": recap_units(request.user).exists(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("web:auditor-desk")
    return HttpResponseRedirect(target)


@require_POST
@desk_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject a flagged check-in with a note (reject needs one)."""
    checkin = selectors.reviewable_checkin(request.user, pk)
    verdict = request.POST.get("verdict", "")
    note = request.POST.get("note", "")[:1000]
    problem: tuple[str, str] | None = None
    if verdict not in CheckInReview.Verdict.values:
        problem = ("verdict", _("Choose accept or reject."))
    else:
        try:
            checkin_review(
                checkin=checkin,
                reviewer=request.user,
                verdict=verdict,
                note=note,
                ip=client_ip(request),
            )
        except ValidationError as error:
            field, problems = next(iter(error.message_dict.items()))
            problem = (field, str(problems[0]))
    if problem is not None:
        field, message = problem
        if _wants_json(request):
            return JsonResponse(
                {"code": "invalid", "message": message, "fields": {field: [message]}},
                status=400,
            )
        messages.error(request, message)
        return _back(request)
    label = str(CheckIn.Status(checkin.status).label)
    done = _("Check-in of %(name)s: %(status)s.") % {
        "name": checkin.employee.name,
        "status": label,
    }
    if _wants_json(request):
        return JsonResponse(
            {"message": done, "id": pk, "status": checkin.status, "label": label}
        )
    messages.success(request, done)
    return _back(request)


class RecapForm(forms.Form):
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=Unit.objects.none()
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=7,
        help_text=gettext_lazy("2026-10 (month), 2026-Q3 (triwulan) or 2026 (year)"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
        unit_field.queryset = recap_units(user)

    def clean_period(self) -> Any:
        try:
            return parse_period(self.cleaned_data["period"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


@require_GET
@desk_required
def recap(request: HttpRequest) -> HttpResponse:
    """A unit's kinerja recap for a period: a preview of the first rows and
    the download of the whole export (CSV, XLSX) from the export API."""
    may_export = recap_units(request.user).exists()
    today = timezone.localdate()
    initial = {"period": f"{today:%Y-%m}"}
    form = RecapForm(request.GET or None, user=request.user, initial=initial)
    context: dict[str, Any] = {"form": form, "may_export": may_export}
    if may_export and form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"]
        period = form.cleaned_data["period"]
        base = reverse("mobile_api:export-kinerja")
        params = {
            "unit": unit.code,
            "instansi": unit.instansi.code,
            "period": period.code,
        }
        context.update(
            unit=unit,
            period=period,
            rows=list(islice(recap_rows(unit, period), RECAP_PREVIEW_ROWS)),
            employee_count=unit_employees(unit).count(),
            preview_rows=RECAP_PREVIEW_ROWS,
            downloads=[
                (label, f"{base}?{urlencode({**params, 'file_format': fmt})}")
                for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX"))
            ],
        )
    status = 400 if form.is_bound and not form.is_valid() and may_export else 200
    return render(request, "web/auditor/recap.html", context, status=status)
