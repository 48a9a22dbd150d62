"""Flexible-work requests: ask, list, decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.attendance.models import Workplace
from backend.flexwork.models import FlexDecision, FlexRequest
from backend.flexwork.rules import FlexRuleRefused
from backend.flexwork.selectors import (
    flex_requests_of,
    team_flex_requests,
    visible_flex_request,
)
from backend.flexwork.services import flex_request_create, flex_request_decide
from backend.lib.client_ip import client_ip
from mobile_api.errors import error_body
from mobile_api.fields import FloatInput, IntegerInput
from mobile_api.serializers import ErrorSerializer, Serializer


class FlexRequestInputSerializer(Serializer):
    dates = serializers.ListField(
        child=serializers.DateField(), min_length=1, max_length=31
    )
    location_type = serializers.ChoiceField(choices=FlexRequest.LocationType.choices)
    reason = serializers.CharField(max_length=1000)
    workplace = IntegerInput(required=False, allow_null=True)
    latitude = FloatInput(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = FloatInput(
        required=False, allow_null=True, min_value=-180, max_value=180
    )
    radius_m = IntegerInput(required=False, allow_null=True)
    address = serializers.CharField(
        required=False, allow_blank=True, max_length=300, default=""
    )


class FlexRequestOutputSerializer(Serializer):
    id = serializers.IntegerField()
    employee = serializers.SerializerMethodField()
    status = serializers.CharField()
    location_type = serializers.CharField()
    workplace = serializers.SerializerMethodField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    radius_m = serializers.IntegerField(allow_null=True)
    address = serializers.CharField()
    reason = serializers.CharField()
    dates = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decisions = serializers.SerializerMethodField()

    def get_employee(self, request: FlexRequest) -> dict[str, Any]:
        return {
            "id": request.employee.pk,
            "nip": request.employee.nip,
            "name": request.employee.name,
        }

    def get_workplace(self, request: FlexRequest) -> dict[str, Any] | None:
        if request.workplace is None:
            return None
        return {"id": request.workplace.pk, "name": request.workplace.name}

    def get_dates(self, request: FlexRequest) -> list[str]:
        return sorted(day.date.isoformat() for day in request.days.all())

    def get_decisions(self, request: FlexRequest) -> list[dict[str, Any]]:
        return [
            {
                "decision": decision.decision,
                "comment": decision.comment,
                "by": decision.decided_by.get_username(),
                "at": decision.created_at.isoformat(),
            }
            for decision in request.decisions.all()
        ]


def _refused(refused: FlexRuleRefused) -> Response:
    return Response(
        error_body(refused.code, refused.message), status=status.HTTP_400_BAD_REQUEST
    )


class FlexFilterSerializer(Serializer):
    status = serializers.ChoiceField(choices=FlexRequest.Status.choices, required=False)


class FlexRequestListCreateApi(APIView):
    @extend_schema(
        request=FlexRequestInputSerializer,
        responses={201: FlexRequestOutputSerializer, 400: ErrorSerializer},
        summary="Ask for flexible work by location on some dates",
    )
    def post(self, request: Request) -> Response:
        employee = getattr(request.user, "employee", None)
        if employee is None:
            raise NotFound(_("This account has no employee record."))
        serializer = FlexRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        workplace = None
        if data.get("workplace") is not None:
            workplace = (
                Workplace.objects.select_related("unit")
                .filter(pk=data["workplace"])
                .first()
            )
            if workplace is None:
                raise serializers.ValidationError(
                    {"workplace": [_("No such workplace.")]}
                )
        try:
            created = flex_request_create(
                employee=employee,
                dates=data["dates"],
                location_type=data["location_type"],
                reason=data["reason"],
                workplace=workplace,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                radius_m=data.get("radius_m"),
                address=data["address"],
                ip=client_ip(request),
            )
        except FlexRuleRefused as refused:
            return _refused(refused)
        found = visible_flex_request(request.user, created.pk)
        return Response(
            FlexRequestOutputSerializer(found).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "scope", str, description="mine (default) or team (to decide)"
            ),
            FlexFilterSerializer,
        ],
        responses={200: FlexRequestOutputSerializer(many=True)},
        summary="The caller's requests, or their team's",
    )
    def get(self, request: Request) -> Response:
        filters = FlexFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data.get("status") or None
        if request.query_params.get("scope") == "team":
            queryset = team_flex_requests(request.user, status=wanted)
        else:
            employee = getattr(request.user, "employee", None)
            if employee is None:
                raise NotFound(_("This account has no employee record."))
            queryset = flex_requests_of(employee)
            if wanted:
                queryset = queryset.filter(status=wanted)
        return Response(FlexRequestOutputSerializer(queryset[:200], many=True).data)


class FlexDecisionInputSerializer(Serializer):
    decision = serializers.ChoiceField(choices=FlexDecision.Decision.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, default=""
    )


class FlexRequestDecisionApi(APIView):
    @extend_schema(
        request=FlexDecisionInputSerializer,
        responses={
            200: FlexRequestOutputSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="The supervisor approves or rejects a flexible-work request",
    )
    def post(self, request: Request, pk: int) -> Response:
        found = visible_flex_request(request.user, pk)
        if found is None:
            raise NotFound
        serializer = FlexDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            flex_request_decide(
                request=found,
                decider=request.user,
                decision=serializer.validated_data["decision"],
                comment=serializer.validated_data["comment"],
                ip=client_ip(request),
            )
        except FlexRuleRefused as refused:
            return _refused(refused)
        decided = visible_flex_request(request.user, pk)
        return Response(FlexRequestOutputSerializer(decided).data)
