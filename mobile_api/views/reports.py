"""Daily reports (laporan kinerja harian): create with evidence (multipart,
idempotent), list, submit, review, feedback, evidence downloads."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.attendance.flags import names_for
from backend.audit.services import evidence_accessed
from backend.lib.client_ip import client_ip
from backend.lib.photos import PhotoRejected
from backend.lib.protected_files import protected_file_response
from backend.organization.visibility import is_subject
from backend.performance import selectors, services, signals, uploads
from backend.performance.models import (
    ActionPlan,
    DailyReport,
    ReportEvidence,
    ReportReview,
    Rhk,
    WorkMode,
)
from mobile_api.fields import DecimalInput, FloatInput, IntegerInput
from mobile_api.pagination import NewestFirstPagination
from mobile_api.parsers import MultiPartParser
from mobile_api.requests import employee_of, too_large
from mobile_api.schema import paginated
from mobile_api.serializers import ErrorSerializer, Serializer


def _absolute(request: Request | None, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


class PersonRefSerializer(Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()


def _signals(
    context: Mapping[str, Any], flags: list[dict[str, Any]], employee_id: int
) -> list[dict[str, str]]:
    """``flags`` put into words for the reader: the report's own employee,
    or anyone who may not see an employee a flag names, is not told who."""
    if _is_subject(context, employee_id):
        return signals.render(flags, for_subject=True)
    request = context["request"]
    return signals.render(flags, names=names_for(request.user, [flags]))


def _is_subject(context: Mapping[str, Any], employee_id: int) -> bool:
    """Whether the reader is the report's own employee, who is not told
    whose evidence matched theirs (supervisors and auditors are)."""
    request = context.get("request")
    return request is None or is_subject(request.user, employee_id)


class EvidenceOutputSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    link = serializers.CharField(source="url")
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    accuracy_m = serializers.FloatField(allow_null=True)
    captured_at = serializers.DateTimeField(allow_null=True)
    exif = serializers.SerializerMethodField()
    flags = serializers.SerializerMethodField()

    def _url(self, name: str, item: ReportEvidence) -> str | None:
        path = reverse(
            f"mobile_api:{name}", kwargs={"pk": item.report_id, "eid": item.pk}
        )
        return _absolute(self.context.get("request"), path)

    def get_download_url(self, item: ReportEvidence) -> str | None:
        if item.kind == ReportEvidence.Kind.LINK:
            return None
        return self._url("report-evidence", item)

    def get_thumbnail_url(self, item: ReportEvidence) -> str | None:
        if item.kind != ReportEvidence.Kind.PHOTO:
            return None
        return self._url("report-evidence-thumbnail", item)

    def get_exif(self, item: ReportEvidence) -> dict[str, Any]:
        exif = item.exif or {}
        return {
            "latitude": exif.get("latitude"),
            "longitude": exif.get("longitude"),
            "taken_at": exif.get("taken_at"),
        }

    def get_flags(self, item: ReportEvidence) -> list[dict[str, str]]:
        return _signals(self.context, item.flags, item.report.employee_id)


class ReportOutputSerializer(Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    employee = PersonRefSerializer()
    date = serializers.DateField()
    rhk = serializers.SerializerMethodField()
    action_plan = serializers.SerializerMethodField()
    description = serializers.CharField()
    output_quantity = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=False
    )
    output_unit = serializers.CharField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    work_mode = serializers.CharField()
    place_name = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = PersonRefSerializer(allow_null=True)
    review_comment = serializers.CharField()
    signals = serializers.SerializerMethodField()
    support = serializers.SerializerMethodField(
        help_text="'weak' when any signal or evidence photo carries a warning."
    )
    evidence = EvidenceOutputSerializer(many=True)

    def get_rhk(self, report: DailyReport) -> dict[str, Any]:
        return {"id": report.rhk_id, "kind": report.rhk.kind, "text": report.rhk.text}

    def get_action_plan(self, report: DailyReport) -> dict[str, Any] | None:
        plan = report.action_plan
        if plan is None:
            return None
        return {"id": plan.pk, "month": plan.month, "text": plan.text}

    def get_signals(self, report: DailyReport) -> list[dict[str, str]]:
        return _signals(self.context, report.signals, report.employee_id)

    def get_support(self, report: DailyReport) -> str:
        return "weak" if selectors.report_is_flagged(report) else "supported"


class PhotoMetaSerializer(Serializer):
    latitude = FloatInput(min_value=-90, max_value=90)
    longitude = FloatInput(min_value=-180, max_value=180)
    accuracy_m = FloatInput(min_value=0, max_value=100_000)
    captured_at = serializers.DateTimeField()


def _has_offset(raw: Any) -> bool:
    return isinstance(raw, str) and (
        raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]
    )


class ReportInputSerializer(Serializer):
    client_uuid = serializers.UUIDField()
    date = serializers.DateField()
    rhk = IntegerInput(help_text="id of an RHK of the caller's SKP")
    action_plan = IntegerInput(required=False, allow_null=True)
    description = serializers.CharField(max_length=4000)
    output_quantity = DecimalInput(max_digits=12, decimal_places=2, min_value=0)
    output_unit = serializers.CharField(max_length=60)
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    work_mode = serializers.ChoiceField(choices=WorkMode.choices)
    place_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    latitude = FloatInput(
        min_value=-90, max_value=90, required=False, allow_null=True, default=None
    )
    longitude = FloatInput(
        min_value=-180, max_value=180, required=False, allow_null=True, default=None
    )
    submit = serializers.BooleanField(required=False, default=True)
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
    )
    photos_meta = serializers.CharField(
        required=False,
        default="[]",
        help_text='JSON list, one per photo in order: [{"latitude", "longitude", '
        '"accuracy_m", "captured_at"}]',
    )
    documents = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        default=list,
    )
    links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, default=list
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            raw_meta = json.loads(attrs["photos_meta"])
        except (ValueError, RecursionError):
            raise serializers.ValidationError(
                {"photos_meta": [_("Not valid JSON.")]}
            ) from None
        if not isinstance(raw_meta, list) or len(raw_meta) != len(attrs["photos"]):
            raise serializers.ValidationError(
                {"photos_meta": [_("Give one position and time for each photo.")]}
            )
        meta = PhotoMetaSerializer(data=raw_meta, many=True)
        if not meta.is_valid():
            raise serializers.ValidationError({"photos_meta": meta.errors})
        if not all(
            isinstance(item, dict) and _has_offset(item.get("captured_at"))
            for item in raw_meta
        ):
            raise serializers.ValidationError(
                {
                    "photos_meta": [
                        _(
                            "Give each captured_at with its UTC offset, e.g. "
                            "2026-11-27T07:24:00+07:00."
                        )
                    ]
                }
            )
        attrs["photos_meta"] = meta.validated_data
        if (attrs["latitude"] is None) != (attrs["longitude"] is None):
            raise serializers.ValidationError(
                {"latitude": [_("Give both latitude and longitude, or neither.")]}
            )
        return attrs


class ReportFilterSerializer(Serializer):
    status = serializers.ChoiceField(choices=DailyReport.Status.choices, required=False)


class ReportPagination(NewestFirstPagination):
    ordering = ("-date", "-id")


class ReportListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    # Named in the error body of refused evidence (mobile_api.errors).
    upload_fields = {PhotoRejected: "photos", uploads.EvidenceRejected: "documents"}

    @extend_schema(
        request={"multipart/form-data": ReportInputSerializer},
        responses={
            201: ReportOutputSerializer,
            200: ReportOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
            507: ErrorSerializer,
        },
        summary="Send a daily report (laporan kinerja harian) with evidence",
    )
    def post(self, request: Request) -> Response:
        employee = employee_of(request)
        refused = too_large(
            request,
            settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES,
            256 * 1024,
            fields=("photos", "documents"),
        )
        if refused is not None:
            return refused
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Lookups only: whether the RHK and rencana aksi are the caller's to
        # report on is the service's rule.
        rhk = Rhk.objects.select_related("skp").filter(pk=data["rhk"]).first()
        if rhk is None:
            raise serializers.ValidationError(
                {"rhk": [_("This RHK is not on your SKP.")]}
            )
        action_plan = None
        if data.get("action_plan"):
            action_plan = ActionPlan.objects.filter(pk=data["action_plan"]).first()
            if action_plan is None:
                raise serializers.ValidationError(
                    {"action_plan": [_("This rencana aksi belongs to another RHK.")]}
                )
        evidence = services.EvidenceUploads(
            photos=[
                services.PhotoUpload(file=upload, name=upload.name or "", **meta)
                for upload, meta in zip(
                    data["photos"], data["photos_meta"], strict=True
                )
            ],
            documents=list(data["documents"]),
            links=list(data["links"]),
        )
        # Refused evidence, conflicts and a full disk become their 4xx/507
        # answers in mobile_api.errors.
        result = services.report_create(
            employee=employee,
            client_uuid=data["client_uuid"],
            date=data["date"],
            rhk=rhk,
            action_plan=action_plan,
            description=data["description"],
            output_quantity=data["output_quantity"],
            output_unit=data["output_unit"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            work_mode=data["work_mode"],
            place_name=data["place_name"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            evidence=evidence,
            submit=data["submit"],
        )
        report = selectors.report_queryset().get(pk=result.report.pk)
        body = ReportOutputSerializer(report, context={"request": request})
        return Response(
            body.data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="reports_list",
        parameters=[ReportFilterSerializer, *ReportPagination.schema_parameters()],
        responses={200: paginated(ReportOutputSerializer, name="PaginatedReportList")},
        summary="The caller's own reports, newest first (cursor pagination)",
    )
    def get(self, request: Request) -> Response:
        employee = employee_of(request)
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.reports_of(
            employee, status=filters.validated_data.get("status")
        )
        return _page(self, request, queryset)


def _page(view: APIView, request: Request, queryset: QuerySet[DailyReport]) -> Any:
    paginator = ReportPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    body = ReportOutputSerializer(page, many=True, context={"request": request})
    return paginator.get_paginated_response(body.data)


class TeamReportListApi(APIView):
    @extend_schema(
        parameters=[ReportFilterSerializer, *ReportPagination.schema_parameters()],
        responses={200: paginated(ReportOutputSerializer, name="PaginatedReportList")},
        summary="Reports of the people the caller rates, e.g. ?status=submitted",
    )
    def get(self, request: Request) -> Response:
        reviewer = employee_of(request)
        filters = ReportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.reports_to_review(
            reviewer, status=filters.validated_data.get("status")
        )
        return _page(self, request, queryset)


class ReportDetailApi(APIView):
    @extend_schema(
        responses={200: ReportOutputSerializer, 404: ErrorSerializer},
        summary="One report the caller may see",
    )
    def get(self, request: Request, pk: int) -> Response:
        report = selectors.visible_report(request.user, pk)
        return Response(
            ReportOutputSerializer(report, context={"request": request}).data
        )


class ReportSubmitInputSerializer(Serializer):
    description = serializers.CharField(max_length=4000, required=False)
    output_quantity = DecimalInput(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    output_unit = serializers.CharField(max_length=60, required=False)


class ReportSubmitApi(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=ReportSubmitInputSerializer,
        responses={200: ReportOutputSerializer, 400: ErrorSerializer},
        summary="Submit a draft, or resubmit a returned report (with corrections)",
    )
    def post(self, request: Request, pk: int) -> Response:
        employee = employee_of(request)
        report = selectors.visible_report(request.user, pk)
        serializer = ReportSubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_submit(report=report, by=employee, **serializer.validated_data)
        report = selectors.report_queryset().get(pk=pk)
        return Response(
            ReportOutputSerializer(report, context={"request": request}).data
        )


class ReviewInputSerializer(Serializer):
    decision = serializers.ChoiceField(choices=ReportReview.Decision.choices)
    comment = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


class ReportReviewApi(APIView):
    @extend_schema(
        request=ReviewInputSerializer,
        responses={
            200: ReportOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Approve or return (with a comment) a submitted report",
    )
    def post(self, request: Request, pk: int) -> Response:
        reviewer = employee_of(request)
        report = selectors.visible_report(request.user, pk)
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report_review(
            report=report,
            reviewer=reviewer,
            decision=serializer.validated_data["decision"],
            comment=serializer.validated_data["comment"],
        )
        report = selectors.report_queryset().get(pk=pk)
        return Response(
            ReportOutputSerializer(report, context={"request": request}).data
        )


class CommentOutputSerializer(Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author_name")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentInputSerializer(Serializer):
    text = serializers.CharField(max_length=4000)


def comments_response(request: Request, **target: Any) -> Response:
    if request.method == "POST":
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            author=request.user, text=serializer.validated_data["text"], **target
        )
        return Response(
            CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED
        )
    return Response(
        CommentOutputSerializer(selectors.comments_on(**target), many=True).data
    )


class ReportCommentsApi(APIView):
    @extend_schema(
        responses={200: CommentOutputSerializer(many=True)},
        summary="Feedback (umpan balik) on a report",
    )
    def get(self, request: Request, pk: int) -> Response:
        return comments_response(
            request, report=selectors.visible_report(request.user, pk)
        )

    @extend_schema(
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer, 404: ErrorSerializer},
        summary="Add feedback (umpan balik) to a report",
    )
    def post(self, request: Request, pk: int) -> Response:
        return comments_response(
            request, report=selectors.visible_report(request.user, pk)
        )


def _evidence_of(request: Request, pk: int, eid: int) -> ReportEvidence:
    report = selectors.visible_report(request.user, pk)
    item = get_object_or_404(report.evidence.all(), pk=eid)
    if item.kind == ReportEvidence.Kind.LINK:
        raise NotFound
    return item


class ReportEvidenceApi(APIView):
    """A photo as a re-encoded copy; a PDF as a download, never inline."""

    @extend_schema(
        responses={
            (200, "image/jpeg"): bytes,
            (200, "application/pdf"): bytes,
            404: ErrorSerializer,
            410: ErrorSerializer,
        },
        summary="Download one evidence file of a report the caller may see",
    )
    def get(self, request: Request, pk: int, eid: int) -> HttpResponseBase:
        item = _evidence_of(request, pk, eid)
        if item.kind == ReportEvidence.Kind.PHOTO:
            return _image(request, item, "photo")
        response = protected_file_response(
            uploads.document_file(item),
            content_type=uploads.PDF_MIME,
            cache_control="private, no-store",
            as_attachment=True,
            filename=f"bukti-{item.report_id}-{item.pk}.pdf",
            headers={"Content-Security-Policy": "sandbox"},
        )
        evidence_accessed(
            evidence=item, user=request.user, variant="document", ip=client_ip(request)
        )
        return response


class ReportEvidenceThumbnailApi(APIView):
    @extend_schema(
        responses={
            (200, "image/jpeg"): bytes,
            404: ErrorSerializer,
            410: ErrorSerializer,
        }
    )
    def get(self, request: Request, pk: int, eid: int) -> HttpResponseBase:
        item = _evidence_of(request, pk, eid)
        if item.kind != ReportEvidence.Kind.PHOTO:
            raise NotFound
        return _image(request, item, "thumbnail")


def _image(request: Request, item: ReportEvidence, variant: str) -> HttpResponseBase:
    copy = uploads.photo_copy(item, "thumb" if variant == "thumbnail" else "display")
    response = protected_file_response(
        copy.path,
        content_type="image/jpeg",
        cache_control="private, max-age=3600",
        headers={"X-Photo-Original-Purged": "true"} if copy.original_gone else None,
    )
    evidence_accessed(
        evidence=item, user=request.user, variant=variant, ip=client_ip(request)
    )
    return response
