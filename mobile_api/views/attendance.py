"""The caller's daily attendance (presensi) over a date range."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.attendance.days import (
    FWA,
    MAX_RANGE_DAYS,
    PSW,
    TK,
    TL,
    H,
    RangeRefused,
    attendance_days,
    check_range,
)
from mobile_api.serializers import ErrorSerializer, Serializer, WorkplaceRefSerializer


class AttendanceQuerySerializer(Serializer):
    """``from`` / ``to``; by default the current month up to today.

    ``context["today"]`` is the caller's local date.
    """

    to = serializers.DateField(
        required=False, help_text="Last date (YYYY-MM-DD); default today."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be a class attribute.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False,
            help_text=(
                "First date (YYYY-MM-DD); default the first day of the month of "
                f"`to`. At most {MAX_RANGE_DAYS} days in all."
            ),
        )
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        date_to = attrs.get("to") or self.context["today"]
        date_from = attrs.get("from") or date_to.replace(day=1)
        try:
            check_range(date_from, date_to)
        except RangeRefused as exc:
            # The ends the caller gave that are outside the calendar; else
            # the end the caller gave (with only "from", "to" is today).
            given = [end for end in exc.outside if end in attrs]
            fields = given or ["to" if "to" in attrs else "from"]
            raise serializers.ValidationError(
                {field: [str(exc)] for field in fields}
            ) from None
        return {"from": date_from, "to": date_to}


class ZonedDateTimeField(serializers.DateTimeField):
    """Keeps a time in its own zone (the workplace's) instead of converting
    it to the server's, so 07:30 WIT reads 07:30+09:00."""

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_aware(value):
            return value
        return super().enforce_timezone(value)


class DayScheduleSerializer(Serializer):
    start = ZonedDateTimeField()
    end = ZonedDateTimeField()
    break_minutes = serializers.IntegerField()
    grace_minutes = serializers.IntegerField()


class NoteSerializer(Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class AttendanceDaySerializer(Serializer):
    date = serializers.DateField()
    status = serializers.ChoiceField(
        choices=[H, TL, PSW, TK],
        allow_null=True,
        help_text="Primary code (TK > TL > PSW > H); null for days to come, "
        "today before it is settled, and days off.",
    )
    codes = serializers.ListField(
        child=serializers.ChoiceField(choices=[H, TL, PSW, TK, FWA]),
        help_text="Every code that applies; FWA (flexible work) with the day's "
        "own when its first check-in was at a flexible location.",
    )
    is_working_day = serializers.BooleanField()
    timezone = serializers.CharField(help_text="Zone of every time of the day.")
    schedule = DayScheduleSerializer(allow_null=True)
    first_in = ZonedDateTimeField(allow_null=True)
    last_out = ZonedDateTimeField(allow_null=True)
    minutes_late = serializers.IntegerField(allow_null=True)
    minutes_early = serializers.IntegerField(allow_null=True)
    worked_minutes = serializers.IntegerField(allow_null=True)
    late_band = serializers.IntegerField(allow_null=True)
    early_band = serializers.IntegerField(allow_null=True)
    deduction_band = serializers.IntegerField(
        allow_null=True, help_text="The higher of the late and early bands (1-4)."
    )
    deduction_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    workplace = WorkplaceRefSerializer(allow_null=True)
    mode = serializers.CharField(allow_null=True)
    notes = NoteSerializer(many=True)


class AttendanceOutputSerializer(Serializer):
    to = serializers.DateField()
    days = AttendanceDaySerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class AttendanceApi(APIView):
    @extend_schema(
        parameters=[AttendanceQuerySerializer],
        responses={
            200: AttendanceOutputSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
        summary="The caller's attendance per day (H, TL, PSW, TK) for a range",
    )
    def get(self, request: Request) -> Response:
        employee = getattr(request.user, "employee", None)
        if employee is None:
            raise PermissionDenied(
                _("This account has no employee record, so no attendance."),
                code="no_employee",
            )
        now = timezone.now()
        today = now.astimezone(ZoneInfo(employee.unit.instansi.timezone)).date()
        query = AttendanceQuerySerializer(
            data=request.query_params, context={"today": today}
        )
        query.is_valid(raise_exception=True)
        date_from, date_to = query.validated_data["from"], query.validated_data["to"]
        days = attendance_days(
            employee=employee, date_from=date_from, date_to=date_to, now=now
        )
        return Response(
            AttendanceOutputSerializer(
                {"from": date_from, "to": date_to, "days": days}
            ).data
        )
