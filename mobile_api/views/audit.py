"""The audit of flagged check-ins: queue, decision, history, patterns."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.attendance.flags import KINDS, render_flags
from backend.attendance.models import CheckIn
from backend.attendance.selectors import visible_checkin
from backend.audit import selectors
from backend.audit.models import CheckInReview
from backend.audit.services import checkin_review
from backend.lib.client_ip import client_ip
from mobile_api.pagination import NumberedPagination
from mobile_api.schema import paginated
from mobile_api.serializers import (
    ErrorSerializer,
    FlagSerializer,
    Serializer,
    flag_names,
)


class AuditQueueFilterSerializer(Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields are declared here.
        return {
            "status": serializers.ChoiceField(
                choices=[*selectors.FLAGGED_STATUSES, "all"],
                required=False,
                default=CheckIn.Status.NEEDS_REVIEW,
            ),
            "unit": serializers.IntegerField(required=False),
            "flag": serializers.ChoiceField(choices=sorted(KINDS), required=False),
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
        }


class PatternOutputSerializer(Serializer):
    days = serializers.IntegerField()
    checkins = serializers.IntegerField()
    flagged = serializers.IntegerField()
    rejected = serializers.IntegerField()
    outside = serializers.IntegerField()
    flexible = serializers.IntegerField()
    top_flags = serializers.SerializerMethodField()

    def get_top_flags(self, pattern: selectors.Pattern) -> list[dict[str, Any]]:
        return [{"code": code, "count": count} for code, count in pattern.top_flags]


class AuditItemOutputSerializer(Serializer):
    id = serializers.IntegerField()
    employee = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    status = serializers.ChoiceField(choices=CheckIn.Status.choices)
    risk = serializers.IntegerField()
    flags = serializers.SerializerMethodField()
    captured_at = serializers.DateTimeField()
    local_date = serializers.DateField()
    mode = serializers.ChoiceField(choices=CheckIn.Mode.choices)
    geofence = serializers.ChoiceField(choices=CheckIn.Geofence.choices)
    position = serializers.SerializerMethodField()
    workplace = serializers.SerializerMethodField()
    distance_m = serializers.FloatField(allow_null=True)
    thumbnail_url = serializers.SerializerMethodField()
    pattern = serializers.SerializerMethodField()

    def get_employee(self, checkin: CheckIn) -> dict[str, Any]:
        employee = checkin.employee
        return {
            "id": employee.pk,
            "nip": employee.nip,
            "name": employee.name,
            "unit": {"id": employee.unit.pk, "name": employee.unit.name},
        }

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, checkin: CheckIn) -> list[dict[str, str]]:
        return render_flags(checkin.flags, names=flag_names(self))

    def get_position(self, checkin: CheckIn) -> dict[str, float]:
        return {
            "latitude": checkin.latitude,
            "longitude": checkin.longitude,
            "accuracy_m": checkin.accuracy_m,
        }

    def get_workplace(self, checkin: CheckIn) -> dict[str, Any] | None:
        workplace = checkin.workplace
        if workplace is None:
            return None
        return {
            "id": workplace.pk,
            "name": workplace.name,
            "latitude": float(workplace.latitude),
            "longitude": float(workplace.longitude),
            "radius_m": workplace.radius_m,
            "polygon": workplace.polygon,
        }

    def get_thumbnail_url(self, checkin: CheckIn) -> str:
        path = reverse("mobile_api:checkin-thumbnail", kwargs={"pk": checkin.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_pattern(self, checkin: CheckIn) -> dict[str, Any] | None:
        pattern = self.context.get("patterns", {}).get(checkin.employee_id)
        return PatternOutputSerializer(pattern).data if pattern else None


def _require_auditor(request: Request) -> None:
    if not selectors.may_audit(request.user):
        raise PermissionDenied(_("Only auditors and unit admins audit check-ins."))


class AuditQueueApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                description="needs_review (default), accepted, rejected or all",
            ),
            OpenApiParameter("unit", int, description="a unit id (with its sub-units)"),
            OpenApiParameter("flag", str, description="one flag code"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="first date"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last date"),
            *NumberedPagination.schema_parameters(),
        ],
        responses={
            200: paginated(
                AuditItemOutputSerializer, name="PaginatedAuditItemList", count=True
            ),
            403: ErrorSerializer,
        },
        summary="Flagged check-ins in the caller's scope, riskiest first",
    )
    def get(self, request: Request) -> Response:
        _require_auditor(request)
        filters = AuditQueueFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.audit_queue(
            user=request.user,
            status=None if data["status"] == "all" else data["status"],
            unit_id=data.get("unit"),
            flag=data.get("flag"),
            date_from=data.get("from"),
            date_to=data.get("to"),
        )
        paginator = NumberedPagination()
        page = paginator.paginate_queryset(queryset, request, view=self) or []
        patterns = selectors.recent_patterns(
            sorted({checkin.employee_id for checkin in page})
        )
        body = AuditItemOutputSerializer(
            page, many=True, context={"request": request, "patterns": patterns}
        )
        return paginator.get_paginated_response(body.data)


class CheckInReviewInputSerializer(Serializer):
    verdict = serializers.ChoiceField(choices=CheckInReview.Verdict.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, default=""
    )


class CheckInReviewOutputSerializer(Serializer):
    id = serializers.IntegerField()
    verdict = serializers.CharField()
    note = serializers.CharField()
    status_before = serializers.CharField()
    status_after = serializers.CharField()
    created_at = serializers.DateTimeField()
    reviewer = serializers.SerializerMethodField()

    def get_reviewer(self, review: CheckInReview) -> dict[str, str]:
        user = review.reviewer
        employee = getattr(user, "employee", None)
        if employee is not None:
            return {"name": employee.name, "nip": employee.nip}
        return {"name": user.get_full_name() or user.get_username(), "nip": ""}


class CheckInDecisionApi(APIView):
    @extend_schema(
        request=CheckInReviewInputSerializer,
        responses={
            201: CheckInReviewOutputSerializer,
            400: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Accept or reject a flagged check-in (again: revise; history kept)",
    )
    def post(self, request: Request, pk: int) -> Response:
        checkin = selectors.reviewable_checkin(request.user, pk)
        serializer = CheckInReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = checkin_review(
            checkin=checkin,
            reviewer=request.user,
            verdict=serializer.validated_data["verdict"],
            note=serializer.validated_data["note"],
            ip=client_ip(request),
        )
        return Response(
            CheckInReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED
        )


class CheckInReviewsApi(APIView):
    @extend_schema(
        responses={200: CheckInReviewOutputSerializer(many=True), 404: ErrorSerializer},
        summary="The review history of a check-in (for whoever may see it)",
    )
    def get(self, request: Request, pk: int) -> Response:
        checkin = visible_checkin(request.user, pk)
        reviews = selectors.review_history(checkin)
        return Response(CheckInReviewOutputSerializer(reviews, many=True).data)


class PatternFilterSerializer(Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "unit": serializers.IntegerField(required=False),
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "limit": serializers.IntegerField(
                required=False, min_value=1, max_value=200, default=50
            ),
        }


class PatternGroupsOutputSerializer(Serializer):
    pattern = serializers.CharField()
    results = serializers.ListField(child=serializers.JSONField())


class AuditPatternApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int),
            OpenApiParameter("from", str, description="default: 30 days before to"),
            OpenApiParameter("to", str, description="default: today"),
            OpenApiParameter("limit", int),
        ],
        responses={200: PatternGroupsOutputSerializer},
        summary=(
            "Patterns: shared-coordinates, reused-photos, shared-devices, top-flagged"
        ),
    )
    def get(self, request: Request, kind: str) -> Response:
        _require_auditor(request)
        pattern = selectors.PATTERNS.get(kind)
        if pattern is None:
            raise NotFound(_("Unknown pattern."))
        filters = PatternFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        groups = pattern(
            request.user,
            limit=data["limit"],
            unit_id=data.get("unit"),
            date_from=data.get("from"),
            date_to=data.get("to"),
        )
        return Response({"pattern": kind, "results": groups})
