"""Check-ins: create (multipart, idempotent), list, detail, photos."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.attendance import evidence
from backend.attendance.flags import render_flags
from backend.attendance.models import CheckIn
from backend.attendance.selectors import checkins_of, visible_checkin
from backend.attendance.services import checkin_create
from backend.audit.services import photo_accessed
from backend.lib.client_ip import client_ip
from backend.lib.photos import PhotoRejected
from backend.lib.protected_files import protected_file_response
from backend.organization.visibility import is_subject
from mobile_api.fields import FloatInput
from mobile_api.pagination import NewestFirstPagination
from mobile_api.parsers import MultiPartParser
from mobile_api.requests import employee_of, too_large
from mobile_api.schema import paginated
from mobile_api.serializers import (
    ErrorSerializer,
    FlagSerializer,
    OffsetKeepingDateTimeField,
    Serializer,
    WorkplaceRefSerializer,
    flag_names,
)


class CheckInOutputSerializer(Serializer):
    id = serializers.IntegerField()
    client_uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    status = serializers.ChoiceField(choices=CheckIn.Status.choices)
    flags = serializers.SerializerMethodField()
    workplace = serializers.SerializerMethodField()
    distance_m = serializers.FloatField(allow_null=True)
    geofence = serializers.ChoiceField(choices=CheckIn.Geofence.choices)
    mode = serializers.ChoiceField(choices=CheckIn.Mode.choices)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    accuracy_m = serializers.FloatField()
    captured_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    photo_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, checkin: CheckIn) -> list[dict[str, str]]:
        # The check-in's own employee is not told whose photo, device or
        # position matched theirs; supervisors and auditors are, if they
        # may see every employee a flag names.
        request = self.context.get("request")
        subject = request is None or is_subject(request.user, checkin.employee_id)
        if subject:
            return render_flags(checkin.flags, for_subject=True)
        return render_flags(checkin.flags, names=flag_names(self))

    @extend_schema_field(WorkplaceRefSerializer(allow_null=True))
    def get_workplace(self, checkin: CheckIn) -> dict[str, Any] | None:
        if checkin.workplace is None:
            return None
        return {"id": checkin.workplace.pk, "name": checkin.workplace.name}

    def _url(self, name: str, checkin: CheckIn) -> str:
        from django.urls import reverse

        path = reverse(f"mobile_api:{name}", kwargs={"pk": checkin.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_photo_url(self, checkin: CheckIn) -> str:
        return self._url("checkin-photo", checkin)

    def get_thumbnail_url(self, checkin: CheckIn) -> str:
        return self._url("checkin-thumbnail", checkin)


class CheckInInputSerializer(Serializer):
    client_uuid = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=CheckIn.Kind.choices)
    latitude = FloatInput(min_value=-90, max_value=90)
    longitude = FloatInput(min_value=-180, max_value=180)
    accuracy_m = FloatInput(min_value=0, max_value=100_000)
    # With the phone's own offset (checkin_create reads EXIF times in it).
    captured_at = OffsetKeepingDateTimeField()
    photo = serializers.FileField(allow_empty_file=True)
    is_mock = serializers.BooleanField(required=False, allow_null=True, default=None)
    device_id = serializers.CharField(
        required=False, allow_blank=True, max_length=128, default=""
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, default=""
    )

    def validate_captured_at(self, value: Any) -> Any:
        raw = self.initial_data.get("captured_at", "")
        # An ISO time without an offset is ambiguous across WIB/WITA/WIT.
        if isinstance(raw, str) and not (
            raw.endswith("Z") or "+" in raw[10:] or "-" in raw[10:]
        ):
            raise serializers.ValidationError(
                _("Give the time with its UTC offset, e.g. 2026-11-27T07:24:00+07:00.")
            )
        return value


class DateRangeSerializer(Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields are declared here.
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(
                {"to": [_("The end date is before the start date.")]}
            )
        return attrs


class CheckInPagination(NewestFirstPagination):
    ordering = ("-captured_at", "-id")


class CheckInListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]
    # Named in the error body of a refused photo (mobile_api.errors).
    upload_fields = {PhotoRejected: "photo"}

    @extend_schema(
        request={"multipart/form-data": CheckInInputSerializer},
        responses={
            201: CheckInOutputSerializer,
            200: CheckInOutputSerializer,
            400: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
            415: ErrorSerializer,
            507: ErrorSerializer,
        },
        summary="Record a check-in (presensi masuk/pulang) with position and photo",
    )
    def post(self, request: Request) -> Response:
        employee = employee_of(request)
        refused = too_large(
            request, settings.PHOTO_MAX_BYTES, 64 * 1024, fields=("photo",)
        )
        if refused is not None:
            return refused
        serializer = CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Refused photos, conflicts and a full disk become their 4xx/507
        # answers in mobile_api.errors.
        result = checkin_create(
            employee=employee,
            client_uuid=data["client_uuid"],
            kind=data["kind"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            accuracy_m=data["accuracy_m"],
            captured_at=data["captured_at"],
            photo=data["photo"],
            is_mock=data["is_mock"],
            device_id=data["device_id"],
            note=data["note"],
            ip=client_ip(request),
        )
        body = CheckInOutputSerializer(result.checkin, context={"request": request})
        return Response(
            body.data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="checkins_list",
        parameters=[DateRangeSerializer, *CheckInPagination.schema_parameters()],
        responses={
            200: paginated(CheckInOutputSerializer, name="PaginatedCheckInList")
        },
        summary="The caller's own check-ins, newest first (cursor pagination)",
    )
    def get(self, request: Request) -> Response:
        employee = employee_of(request)
        filters = DateRangeSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset: QuerySet[CheckIn] = checkins_of(
            employee,
            date_from=filters.validated_data.get("from"),
            date_to=filters.validated_data.get("to"),
        )
        paginator = CheckInPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        body = CheckInOutputSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(body.data)


class CheckInDetailApi(APIView):
    @extend_schema(
        responses={200: CheckInOutputSerializer, 404: ErrorSerializer},
        summary="One check-in the caller may see",
    )
    def get(self, request: Request, pk: int) -> Response:
        checkin = visible_checkin(request.user, pk)
        return Response(
            CheckInOutputSerializer(checkin, context={"request": request}).data
        )


class _CheckInImageApi(APIView):
    variant = ""
    copy_variant: evidence.Variant = "thumb"

    @extend_schema(
        responses={
            (200, "image/jpeg"): bytes,
            404: ErrorSerializer,
            410: ErrorSerializer,
        }
    )
    def get(self, request: Request, pk: int) -> HttpResponseBase:
        checkin = visible_checkin(request.user, pk)
        try:
            response = self._file(checkin)
        except FileNotFoundError:
            # The retention purge deleted the display copy between its
            # lookup and its opening: what the purge leaves is served.
            response = self._file(checkin)
        photo_accessed(
            checkin=checkin,
            user=request.user,
            variant=self.variant,
            ip=client_ip(request),
        )
        return response

    def _file(self, checkin: CheckIn) -> HttpResponseBase:
        copy = evidence.checkin_photo_copy(checkin, self.copy_variant)
        return protected_file_response(
            copy.path,
            content_type="image/jpeg",
            cache_control="private, max-age=3600",
            headers={"X-Photo-Original-Purged": "true"} if copy.original_gone else None,
        )


class CheckInPhotoApi(_CheckInImageApi):
    """The photo (re-encoded, upright, without EXIF) for authorized viewers."""

    variant = "photo"
    copy_variant = "display"


class CheckInThumbnailApi(_CheckInImageApi):
    variant = "thumbnail"
