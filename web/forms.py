"""Forms of the employee pages. They parse and check the shape of input;
the rules (whose RHK, which dates, which places) stay in the services."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from backend.attendance.models import Workplace
from backend.flexwork.models import FlexRequest
from backend.organization.models import Employee
from backend.performance.models import ActionPlan, Rhk, WorkMode

MAX_FLEX_RANGE_DAYS = 31


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (``<input type=file multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class ReportForm(forms.Form):
    # Made when the form is shown: sending the same page twice (a double tap,
    # a retry after a lost answer) stores one report.
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    rhk = forms.ModelChoiceField(
        label=_("RHK (rencana hasil kerja)"), queryset=Rhk.objects.none()
    )
    action_plan = forms.ModelChoiceField(
        label=_("Rencana aksi"), queryset=ActionPlan.objects.none(), required=False
    )
    description = forms.CharField(
        label=_("What did you do?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    output_quantity = forms.DecimalField(
        label=_("Output quantity"), max_digits=12, decimal_places=2, min_value=0
    )
    output_unit = forms.CharField(
        label=_("Output unit"),
        max_length=60,
        help_text=_("e.g. documents, letters, visits"),
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())
    work_mode = forms.ChoiceField(label=_("Where"), choices=WorkMode.choices)
    place_name = forms.CharField(label=_("Place"), max_length=200, required=False)
    photos = MultipleFileField(
        label=_("Evidence photos"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": "image/jpeg,image/png,image/heic",
                "capture": "environment",
            }
        ),
    )
    # Filled by report.js: one {latitude, longitude, accuracy_m, captured_at}
    # per photo, as the API takes it.
    photos_meta = forms.CharField(widget=forms.HiddenInput, required=False)
    documents = MultipleFileField(
        label=_("Documents (PDF)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf"}),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One address per line."),
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rhks = Rhk.objects.filter(skp__employee=employee).select_related("skp")
        self.fields["rhk"].queryset = rhks.order_by("-skp__year", "position", "pk")  # type: ignore[attr-defined]
        self.fields["rhk"].label_from_instance = (  # type: ignore[attr-defined]
            lambda rhk: f"{rhk.skp.year} · {rhk.text[:90]}"
        )
        self.fields["action_plan"].queryset = ActionPlan.objects.filter(  # type: ignore[attr-defined]
            rhk__skp__employee=employee
        ).order_by("month", "pk")
        self.fields["action_plan"].label_from_instance = (  # type: ignore[attr-defined]
            lambda plan: f"{plan.month:02d} · {plan.text[:90]}"
        )
        self.has_rhk = rhks.exists()

    def clean_links(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines()]
        links = [line for line in lines if line]
        check = URLValidator(schemes=["http", "https"])
        for link in links:
            check(link)
            if len(link) > 500:
                raise ValidationError(_("An address is longer than 500 characters."))
        return links

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        photos = data.get("photos") or []
        meta: list[dict[str, Any]] = []
        if photos:
            try:
                raw = json.loads(data.get("photos_meta") or "[]")
            except ValueError:
                raw = None
            if not isinstance(raw, list) or len(raw) != len(photos):
                self.add_error(
                    "photos",
                    _(
                        "Each evidence photo needs the position where it was "
                        "taken: allow location access and choose the photos again."
                    ),
                )
            else:
                for item in raw:
                    try:
                        captured = dt.datetime.fromisoformat(
                            str(item["captured_at"]).replace("Z", "+00:00")
                        )
                        if captured.tzinfo is None:
                            raise ValueError
                        meta.append(
                            {
                                "latitude": float(item["latitude"]),
                                "longitude": float(item["longitude"]),
                                "accuracy_m": float(item["accuracy_m"]),
                                "captured_at": captured,
                            }
                        )
                    except (KeyError, TypeError, ValueError):
                        self.add_error("photos", _("A photo's position is unreadable."))
                        break
        data["photos_meta"] = meta
        return data


class FlexRequestForm(forms.Form):
    date_from = forms.DateField(label=_("First day"), widget=DateInput())
    date_to = forms.DateField(label=_("Last day"), widget=DateInput())
    weekdays_only = forms.BooleanField(
        label=_("Monday to Friday only"), required=False, initial=True
    )
    location_type = forms.ChoiceField(
        label=_("Where"),
        choices=FlexRequest.LocationType.choices,
        widget=forms.RadioSelect,
    )
    workplace = forms.ModelChoiceField(
        label=_("Office"), queryset=Workplace.objects.none(), required=False
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    radius_m = forms.IntegerField(label=_("Radius (m)"), required=False, min_value=5)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, employee: Employee, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["workplace"].queryset = (  # type: ignore[attr-defined]
            Workplace.objects.filter(
                is_active=True, unit__instansi_id=employee.unit.instansi_id
            ).order_by("name")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("The last day is before the first."))
            elif (end - start).days >= MAX_FLEX_RANGE_DAYS:
                self.add_error(
                    "date_to",
                    _("Ask for at most %(days)d days at once.")
                    % {"days": MAX_FLEX_RANGE_DAYS},
                )
            else:
                days = [
                    start + dt.timedelta(days=n) for n in range((end - start).days + 1)
                ]
                if data.get("weekdays_only"):
                    days = [day for day in days if day.weekday() < 5]
                if not days:
                    self.add_error("date_from", _("No weekday in this range."))
                data["dates"] = days
        return data
