"""Evaluations: the rater records ratings per period; everyone who may see
the employee reads it beside the period's recap; the unit view; the export."""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.organization.models import Unit
from backend.performance import export, selectors, services
from backend.performance.models import Evaluation, Indicator
from backend.performance.periods import Period, parse_period
from backend.performance.predikat import Predikat, Rating
from backend.performance.recap import period_recap
from mobile_api.fields import DecimalInput, IntegerInput
from mobile_api.requests import employee_of
from mobile_api.serializers import ErrorSerializer, Serializer
from mobile_api.views.reports import PersonRefSerializer

BERAKHLAK = (
    "berorientasi_pelayanan",
    "akuntabel",
    "kompeten",
    "harmonis",
    "loyal",
    "adaptif",
    "kolaboratif",
    "ekspektasi_khusus",
)


def _period(text: str, field: str = "period") -> Period:
    try:
        return parse_period(text)
    except ValueError as exc:
        raise serializers.ValidationError({field: [str(exc)]}) from None


class RealisationInputSerializer(Serializer):
    indicator = IntegerInput()
    realisation = DecimalInput(max_digits=14, decimal_places=2)
    note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class EvaluationInputSerializer(Serializer):
    rating_hasil_kerja = serializers.ChoiceField(choices=Rating.choices)
    rating_perilaku_kerja = serializers.ChoiceField(choices=Rating.choices)
    realisations = RealisationInputSerializer(many=True, required=False, default=list)
    perilaku_notes = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        default=dict,
        help_text="Notes per BerAKHLAK value: " + ", ".join(BERAKHLAK),
    )
    predikat_override = serializers.ChoiceField(
        choices=Predikat.choices, required=False, allow_null=True, default=None
    )
    override_reason = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )

    def validate_perilaku_notes(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(BERAKHLAK))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown values: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return value


class EvaluationOutputSerializer(Serializer):
    period = serializers.CharField()
    rater = PersonRefSerializer()
    rating_hasil_kerja = serializers.CharField()
    rating_perilaku_kerja = serializers.CharField()
    perilaku_notes = serializers.DictField()
    predikat_matrix = serializers.CharField()
    predikat = serializers.CharField()
    predikat_label = serializers.CharField()
    override_reason = serializers.CharField()
    realisations = serializers.ListField(child=serializers.DictField())
    overrides = serializers.ListField(child=serializers.DictField())
    recorded_at = serializers.DateTimeField()


class EvaluationPageSerializer(Serializer):
    employee = PersonRefSerializer()
    evaluation = EvaluationOutputSerializer(allow_null=True)
    recap = serializers.JSONField(help_text="The period recap; see docs/kinerja.md")


class TeamReportCountsSerializer(Serializer):
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    returned = serializers.IntegerField()


class TeamMemberSerializer(Serializer):
    employee = PersonRefSerializer()
    unit = serializers.CharField()
    evaluated = serializers.BooleanField()
    predikat = serializers.CharField(allow_null=True)
    reports = TeamReportCountsSerializer()


class TeamEvaluationsSerializer(Serializer):
    period = serializers.CharField()
    employees = TeamMemberSerializer(many=True)


def _evaluation_body(evaluation: Evaluation | None, period: Period) -> Any:
    if evaluation is None:
        return None
    return EvaluationOutputSerializer(
        {
            "period": period.code,
            "rater": evaluation.rater,
            "rating_hasil_kerja": evaluation.rating_hasil_kerja,
            "rating_perilaku_kerja": evaluation.rating_perilaku_kerja,
            "perilaku_notes": evaluation.perilaku_notes,
            "predikat_matrix": evaluation.predikat_matrix,
            "predikat": evaluation.predikat,
            "predikat_label": evaluation.get_predikat_display(),
            "override_reason": evaluation.override_reason,
            "realisations": [
                {
                    "indicator": item.indicator_id,
                    "aspect": item.indicator.aspect,
                    "target": item.indicator.target,
                    "unit": item.indicator.unit,
                    "realisation": item.realisation,
                    "note": item.note,
                }
                for item in evaluation.realisations.all()
            ],
            "overrides": [
                {
                    "by": item.changed_by.get_username(),
                    "at": item.at.isoformat(),
                    "previous": item.previous,
                    "matrix": item.matrix,
                    "new": item.new,
                    "reason": item.reason,
                }
                for item in evaluation.overrides.all()
            ],
            "recorded_at": evaluation.recorded_at,
        }
    ).data


class EvaluationApi(APIView):
    """``/evaluations/{employee id}/{period}/``: period is 2026-10, 2026-Q3
    or 2026."""

    @extend_schema(
        responses={200: EvaluationPageSerializer, 404: ErrorSerializer},
        summary="An employee's evaluation for a period, beside the period recap",
    )
    def get(self, request: Request, employee_id: int, period: str) -> Response:
        employee = selectors.visible_employee(request.user, employee_id)
        parsed = _period(period)
        evaluation = selectors.evaluation_for(employee, parsed)
        return Response(
            {
                "employee": PersonRefSerializer(employee).data,
                "evaluation": _evaluation_body(evaluation, parsed),
                "recap": period_recap(employee, parsed).as_dict(),
            }
        )

    @extend_schema(
        request=EvaluationInputSerializer,
        responses={
            200: EvaluationPageSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
        summary="The rater records ratings, realisations and (optionally) an override",
    )
    def put(self, request: Request, employee_id: int, period: str) -> Response:
        rater = employee_of(request)
        employee = selectors.visible_employee(request.user, employee_id)
        parsed = _period(period)
        serializer = EvaluationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        indicators = Indicator.objects.in_bulk(
            [item["indicator"] for item in data["realisations"]]
        )
        if len(indicators) != len({i["indicator"] for i in data["realisations"]}):
            raise serializers.ValidationError(
                {"realisations": [_("An indicator is not on this SKP.")]}
            )
        services.evaluation_record(
            rater=rater,
            employee=employee,
            period=parsed,
            rating_hasil_kerja=data["rating_hasil_kerja"],
            rating_perilaku_kerja=data["rating_perilaku_kerja"],
            realisations=[
                {**item, "indicator": indicators[item["indicator"]]}
                for item in data["realisations"]
            ],
            perilaku_notes=data["perilaku_notes"],
            predikat_override=data["predikat_override"],
            override_reason=data["override_reason"],
        )
        return self.get(request, employee_id, period)


class TeamEvaluationsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True, description="2026-10"),
            OpenApiParameter("unit", str, description="unit code (subtree)"),
        ],
        responses={200: TeamEvaluationsSerializer},
        summary="Unit view: everyone the caller may see, with their status",
    )
    def get(self, request: Request) -> Response:
        parsed = _period(request.query_params.get("period", ""))
        unit_path = None
        code = request.query_params.get("unit")
        if code:
            unit = _unit(request, code)
            unit_path = unit.path
        rows = [
            {
                "employee": PersonRefSerializer(member.employee).data,
                "unit": member.employee.unit.code,
                "evaluated": member.evaluation is not None,
                "predikat": member.evaluation.predikat if member.evaluation else None,
                "reports": member.reports,
            }
            for member in selectors.team_evaluations(
                request.user, parsed, unit_path=unit_path
            )
        ]
        return Response({"period": parsed.code, "employees": rows})


def _unit(request: Request, code: str) -> Unit:
    units = Unit.objects.filter(code=code)
    instansi = request.query_params.get("instansi")
    if instansi:
        units = units.filter(instansi__code=instansi)
    unit = units.first()
    if unit is None:
        raise NotFound(_("No unit with this code."))
    return unit


class KinerjaExportApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True),
            OpenApiParameter("unit", str, required=True),
            OpenApiParameter("file_format", str, enum=list(export.FORMATS)),
        ],
        responses={(200, "text/csv"): bytes, 403: ErrorSerializer},
        summary="The per-employee kinerja recap of a unit (unit admins, auditors)",
    )
    def get(self, request: Request) -> Any:
        parsed = _period(request.query_params.get("period", ""))
        fmt = request.query_params.get("file_format", "csv")
        if fmt not in export.FORMATS:
            raise serializers.ValidationError(
                {"file_format": [_("Choose csv, xlsx or json.")]}
            )
        unit = _unit(request, request.query_params.get("unit", ""))
        if not selectors.may_export_recap(request.user, unit):
            raise PermissionDenied(
                _("Only the unit's admins and auditors may export its recap.")
            )
        filename = f"kinerja-{unit.code}-{parsed.code}.{fmt}"
        rows = export.recap_rows(unit, parsed)
        if fmt == "xlsx":
            # openpyxl writes a zip: it needs a seekable file, not a stream.
            handle = tempfile.TemporaryFile()  # noqa: SIM115
            export.write_xlsx(rows, handle)
            handle.seek(0)
            return FileResponse(
                handle,
                as_attachment=True,
                filename=filename,
                content_type=(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                ),
            )
        chunks = (
            export.csv_chunks(rows)
            if fmt == "csv"
            else export.json_chunks(rows, unit=unit, period=parsed)
        )
        response = StreamingHttpResponse(
            chunks,
            content_type=(
                "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
            ),
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
