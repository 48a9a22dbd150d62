"""The privacy notice: accepting it (shown at first login)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.privacy import consent_fields
from backend.accounts.services import consent_accept
from backend.lib.client_ip import client_ip
from mobile_api.serializers import (
    ErrorSerializer,
    PrivacyNoticeSerializer,
    Serializer,
)


class ConsentInputSerializer(Serializer):
    accept = serializers.BooleanField()

    def validate_accept(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Send accept: true to accept the notice.")
            )
        return value


class ConsentOutputSerializer(Serializer):
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class ConsentApi(APIView):
    @extend_schema(
        request=ConsentInputSerializer,
        responses={200: ConsentOutputSerializer, 400: ErrorSerializer},
        summary="Accept the current privacy notice",
    )
    def post(self, request: Request) -> Response:
        serializer = ConsentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        consent_accept(user=request.user, ip=client_ip(request))
        return Response(
            ConsentOutputSerializer(consent_fields(request.user)).data,
            status=status.HTTP_200_OK,
        )
