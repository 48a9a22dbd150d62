"""Plain input/output serializers for the phone app's organisation calls."""

from __future__ import annotations

from rest_framework import serializers

from mobile_api.schema import FieldErrorsField


class UnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    nip = serializers.CharField()
    name = serializers.CharField()


class WorkplaceBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    radius_m = serializers.IntegerField()
    polygon = serializers.JSONField(allow_null=True)
    timezone = serializers.CharField()


class EmployeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    jabatan = serializers.CharField()
    golongan = serializers.CharField()
    unit = UnitSerializer()
    supervisor = PersonSerializer(allow_null=True)


class PrivacyNoticeSerializer(serializers.Serializer):
    version = serializers.CharField()
    text = serializers.CharField()


class MeSerializer(EmployeeSerializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    workplaces = WorkplaceBriefSerializer(many=True)
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class AdminMeSerializer(serializers.Serializer):
    """``/me`` for an account without an employee record (BKD admins)."""

    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class LoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="NIP or username")
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class LoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    employee = EmployeeSerializer(allow_null=True)
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class ErrorSerializer(serializers.Serializer):
    """The one error shape (documentation only; see ``mobile_api.errors``)."""

    code = serializers.CharField()
    message = serializers.CharField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" is the attribute where a Serializer keeps its own fields,
        # so the error's "fields" member cannot be declared as a class
        # attribute.
        declared = super().get_fields()
        declared["fields"] = FieldErrorsField(
            required=False,
            help_text="Messages per input field, for validation errors.",
        )
        return declared
