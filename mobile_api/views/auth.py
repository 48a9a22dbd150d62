"""Login, logout and "who am I" for the phone app."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts.privacy import consent_fields
from backend.accounts.services import LoginRefused, token_login, token_logout
from backend.attendance.selectors import workplaces_for
from backend.organization.selectors import employee_profile
from backend.organization.visibility import roles_of
from mobile_api.authentication import CachedTokenAuthentication
from mobile_api.serializers import (
    AdminMeSerializer,
    ErrorSerializer,
    LoginInputSerializer,
    LoginOutputSerializer,
    MeSerializer,
)


class LoginApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=LoginInputSerializer,
        responses={
            200: LoginOutputSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Exchange a NIP (or username) and password for an API token",
    )
    def post(self, request: Request) -> Response:
        serializer = LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = token_login(
                username=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
                request=request._request,
            )
        except LoginRefused as refused:
            if refused.code == "locked":
                raise Throttled(
                    wait=refused.retry_after, detail=refused.message, code="locked"
                ) from None
            raise AuthenticationFailed(refused.message, code=refused.code) from None
        employee = getattr(result.user, "employee", None)
        body = {
            "token": result.token,
            "expiry": result.expiry,
            "employee": employee_profile(employee) if employee else None,
            **consent_fields(result.user),
        }
        return Response(LoginOutputSerializer(body).data, status=status.HTTP_200_OK)

    def get_authenticate_header(self, request: Request) -> str:
        return "Token"


class LogoutApi(APIView):
    # A token, never the session: the token in the header is what is revoked.
    authentication_classes = [CachedTokenAuthentication]

    @extend_schema(
        request=None,
        responses={204: None, 401: ErrorSerializer},
        summary="Revoke the token this request is made with",
    )
    def post(self, request: Request) -> Response:
        token_logout(auth_token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(
        responses={200: MeSerializer, 401: ErrorSerializer},
        summary="The caller: NIP, unit, supervisor, roles, workplaces",
    )
    def get(self, request: Request) -> Response:
        employee = getattr(request.user, "employee", None)
        if employee is None:
            return Response(
                AdminMeSerializer(
                    {
                        "username": request.user.get_username(),
                        "roles": roles_of(request.user),
                        **consent_fields(request.user),
                    }
                ).data
            )
        me = {
            **employee_profile(employee),
            "username": request.user.get_username(),
            "roles": roles_of(request.user),
            "workplaces": workplaces_for(employee),
            **consent_fields(request.user),
        }
        return Response(MeSerializer(me).data)
