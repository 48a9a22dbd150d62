"""Plans (SKP): the caller's current plan, drafting, submitting, agreeing,
and feedback on RHK rows."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.organization.models import Employee
from backend.performance import selectors, services
from backend.performance.models import Indicator, Rhk, Skp
from mobile_api.fields import DecimalInput, IntegerInput
from mobile_api.requests import employee_of
from mobile_api.serializers import ErrorSerializer, Serializer
from mobile_api.views.reports import (
    CommentInputSerializer,
    CommentOutputSerializer,
    PersonRefSerializer,
    comments_response,
)


class IndicatorSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    aspect = serializers.ChoiceField(choices=Indicator.Aspect.choices)
    text = serializers.CharField(max_length=500)
    target = DecimalInput(max_digits=14, decimal_places=2, coerce_to_string=False)
    unit = serializers.CharField(max_length=60)


class ActionPlanSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    month = IntegerInput(min_value=1, max_value=12)
    text = serializers.CharField(max_length=500)
    target = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class RhkOutputSerializer(Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    parent_rhk = serializers.SerializerMethodField(
        help_text="The rater's RHK this one supports (diintervensi)."
    )
    indicators = IndicatorSerializer(many=True)
    action_plans = ActionPlanSerializer(many=True)

    def get_parent_rhk(self, rhk: Rhk) -> dict[str, Any] | None:
        if rhk.parent is None:
            return None
        return {"id": rhk.parent.pk, "text": rhk.parent.text}


class SkpOutputSerializer(Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    employee = PersonRefSerializer()
    rater = PersonRefSerializer()
    status = serializers.CharField()
    return_comment = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    agreed_at = serializers.DateTimeField(allow_null=True)
    rhks = RhkOutputSerializer(many=True)


class RhkInputSerializer(Serializer):
    kind = serializers.ChoiceField(choices=Rhk.Kind.choices, default=Rhk.Kind.UTAMA)
    text = serializers.CharField(max_length=2000)
    parent_rhk = IntegerInput(required=False, allow_null=True, default=None)
    indicators = IndicatorSerializer(many=True, required=False, default=list)
    action_plans = ActionPlanSerializer(many=True, required=False, default=list)


class SkpInputSerializer(Serializer):
    year = IntegerInput(min_value=2000, max_value=2100)
    rater = IntegerInput(
        required=False,
        allow_null=True,
        default=None,
        help_text="Employee id of the rater; default the direct supervisor.",
    )
    rhks = RhkInputSerializer(many=True)


def _skp_body(request: Request, skp: Skp) -> dict[str, Any]:
    fresh = selectors.skp_queryset().get(pk=skp.pk)
    return dict(SkpOutputSerializer(fresh, context={"request": request}).data)


class PlanCurrentApi(APIView):
    @extend_schema(
        responses={200: SkpOutputSerializer, 404: ErrorSerializer},
        summary="The caller's SKP for the current year",
    )
    def get(self, request: Request) -> Response:
        employee = employee_of(request)
        year = timezone.now().astimezone(ZoneInfo(employee.unit.instansi.timezone)).year
        skp = selectors.skp_for(employee, year)
        if skp is None:
            raise NotFound(_("There is no SKP for %(year)d yet.") % {"year": year})
        return Response(SkpOutputSerializer(skp, context={"request": request}).data)


class PlanCreateApi(APIView):
    @extend_schema(
        request=SkpInputSerializer,
        responses={201: SkpOutputSerializer, 400: ErrorSerializer},
        summary="Draft the caller's SKP with its RHK, indicators and rencana aksi",
    )
    def post(self, request: Request) -> Response:
        employee = employee_of(request)
        serializer = SkpInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rater = None
        if data["rater"] is not None:
            rater = Employee.objects.filter(pk=data["rater"]).first()
            if rater is None:
                raise serializers.ValidationError({"rater": [_("Unknown employee.")]})
        rhks = []
        for row in data["rhks"]:
            parent = None
            row = dict(row)
            parent_id = row.pop("parent_rhk")
            if parent_id is not None:
                parent = Rhk.objects.select_related("skp").filter(pk=parent_id).first()
                if parent is None:
                    raise serializers.ValidationError(
                        {"rhks": [_("Unknown parent RHK.")]}
                    )
            rhks.append({**row, "parent": parent})
        skp = services.skp_create(
            employee=employee, year=data["year"], rater=rater, rhks=rhks
        )
        return Response(_skp_body(request, skp), status=status.HTTP_201_CREATED)


class PlanDetailApi(APIView):
    @extend_schema(
        responses={200: SkpOutputSerializer, 404: ErrorSerializer},
        summary="One SKP the caller may see",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(_skp_body(request, selectors.visible_skp(request.user, pk)))


class PlanSubmitApi(APIView):
    @extend_schema(
        request=None,
        responses={200: SkpOutputSerializer, 400: ErrorSerializer},
        summary="Send the caller's draft or returned SKP to the rater",
    )
    def post(self, request: Request, pk: int) -> Response:
        employee = employee_of(request)
        skp = selectors.visible_skp(request.user, pk)
        return Response(_skp_body(request, services.skp_submit(skp=skp, by=employee)))


class PlanReviewInputSerializer(Serializer):
    decision = serializers.ChoiceField(
        choices=[("agree", "agree"), ("return", "return")]
    )
    comment = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


class PlanReviewApi(APIView):
    @extend_schema(
        request=PlanReviewInputSerializer,
        responses={
            200: SkpOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
        summary="The rater agrees to a submitted SKP or returns it with a comment",
    )
    def post(self, request: Request, pk: int) -> Response:
        reviewer = employee_of(request)
        skp = selectors.visible_skp(request.user, pk)
        serializer = PlanReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        skp = services.skp_review(
            skp=skp, reviewer=reviewer, **serializer.validated_data
        )
        return Response(_skp_body(request, skp))


class RhkCommentsApi(APIView):
    @extend_schema(
        responses={200: CommentOutputSerializer(many=True)},
        summary="Feedback (umpan balik) on an RHK",
    )
    def get(self, request: Request, pk: int) -> Response:
        return comments_response(request, rhk=selectors.visible_rhk(request.user, pk))

    @extend_schema(
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer, 404: ErrorSerializer},
        summary="Add feedback (umpan balik) to an RHK",
    )
    def post(self, request: Request, pk: int) -> Response:
        return comments_response(request, rhk=selectors.visible_rhk(request.user, pk))
