"""The phone app's base serializer, and the plain input/output serializers
of its organisation calls."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from backend.attendance.flags import CRITICAL, INFO, KINDS, WARNING, Names, names_for
from mobile_api.fields import DecimalInput, FloatInput, IntegerInput
from mobile_api.schema import FieldErrorsField


class OffsetKeepingDateTimeField(serializers.DateTimeField):
    """A date-time kept with the UTC offset it was sent with.

    DRF's ``DateTimeField`` moves an aware value into the current time
    zone, losing the offset the phone sent: the offset of the phone's wall
    clock, which its camera's EXIF time without an offset also reads.
    """

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_aware(value):
            try:
                value.astimezone(dt.UTC)
            except OverflowError:
                self.fail("overflow")
            return value
        return super().enforce_timezone(value)


# Field classes whose constructor builds nothing that ``bind`` or a request
# changes: a shallow copy of one is a field of its own. Exact classes only;
# a subclass may keep state of its own and is deep-copied.
_SHALLOW_COPY_FIELDS = frozenset(
    {
        serializers.BooleanField,
        serializers.CharField,
        serializers.ChoiceField,
        serializers.DateField,
        serializers.DateTimeField,
        serializers.DecimalField,
        serializers.FileField,
        serializers.FloatField,
        serializers.IntegerField,
        serializers.JSONField,
        serializers.SerializerMethodField,
        serializers.UUIDField,
        # A check before DRF's conversion; no state of their own.
        DecimalInput,
        FloatInput,
        IntegerInput,
        OffsetKeepingDateTimeField,
    }
)


def _fresh_field(field: serializers.Field) -> serializers.Field:
    kind = type(field)
    if kind not in _SHALLOW_COPY_FIELDS:
        return copy.deepcopy(field)
    # What copy.copy does, without its reduce protocol: 1 microsecond a
    # field against its 4-6.
    fresh: serializers.Field = object.__new__(kind)
    fresh.__dict__.update(field.__dict__)
    return fresh


class Serializer(serializers.Serializer):
    # DRF's ``Serializer``, with its declared fields copied for each
    # instance without running their constructors again. (A comment, not a
    # docstring: the schema shows a serializer's docstring, or its nearest
    # base class's, as the serializer's description.)
    #
    # DRF deep-copies every declared field for every serializer instance: each
    # field's ``__init__`` runs again and builds its validators anew, about
    # 20 microseconds a field, half a millisecond for a check-in's input and
    # answer. A field's own state for an instance is what ``bind`` sets on it
    # (its name, parent, source and label), and the constructor's validators,
    # error messages and choices are only read afterwards; so for the plain
    # field classes above a shallow copy, which ``bind`` then names, is
    # enough. Nested serializers, list and dict fields (they hold and bind
    # fields of their own) and any other class are still deep-copied.

    def get_fields(self) -> dict[str, Any]:
        return {
            name: _fresh_field(field) for name, field in self._declared_fields.items()
        }


def flag_names(serializer: serializers.Field) -> Names:
    """Whose names the request's user may read in the flags of the check-ins
    being serialized: worked out once for the whole page (one query), kept
    on the root serializer."""
    root = serializer.root
    names: Names | None = getattr(root, "_flag_names", None)
    if names is None:
        request = serializer.context.get("request")
        instance = root.instance
        checkins = instance if isinstance(instance, list | tuple) else [instance]
        names = names_for(
            request.user if request is not None else None,
            (getattr(checkin, "flags", None) or [] for checkin in checkins),
        )
        root._flag_names = names  # type: ignore[attr-defined]
    return names


class WorkplaceRefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FlagSerializer(Serializer):
    """A verification flag as shown: its code, severity and explanation in
    the reader's language."""

    code = serializers.ChoiceField(choices=sorted(KINDS))
    severity = serializers.ChoiceField(choices=[INFO, WARNING, CRITICAL])
    message = serializers.CharField()


class UnitSerializer(Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PersonSerializer(Serializer):
    nip = serializers.CharField()
    name = serializers.CharField()


class WorkplaceBriefSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    radius_m = serializers.IntegerField()
    polygon = serializers.JSONField(allow_null=True)
    timezone = serializers.CharField()


class EmployeeSerializer(Serializer):
    id = serializers.IntegerField()
    nip = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    jabatan = serializers.CharField()
    golongan = serializers.CharField()
    unit = UnitSerializer()
    supervisor = PersonSerializer(allow_null=True)


class PrivacyNoticeSerializer(Serializer):
    version = serializers.CharField()
    text = serializers.CharField()


class MeSerializer(EmployeeSerializer):
    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    workplaces = WorkplaceBriefSerializer(many=True)
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class AdminMeSerializer(Serializer):
    """``/me`` for an account without an employee record (BKD admins)."""

    username = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class LoginInputSerializer(Serializer):
    username = serializers.CharField(max_length=150, help_text="NIP or username")
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class LoginOutputSerializer(Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    employee = EmployeeSerializer(allow_null=True)
    consent_required = serializers.BooleanField()
    privacy_notice = PrivacyNoticeSerializer()


class ErrorSerializer(Serializer):
    """The body of every error answer: a code, a message and, for invalid
    input, the messages per field."""

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
