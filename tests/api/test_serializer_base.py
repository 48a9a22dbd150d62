"""The API's base serializer: each instance gets fields of its own, with
plain fields copied shallowly and everything else deep-copied as DRF does."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from mobile_api.serializers import MeSerializer, Serializer
from mobile_api.views.checkins import CheckInInputSerializer, CheckInOutputSerializer


def test_each_instance_gets_its_own_bound_fields() -> None:
    first, second = CheckInInputSerializer(), CheckInInputSerializer()
    for name, declared in CheckInInputSerializer._declared_fields.items():
        mine, theirs = first.fields[name], second.fields[name]
        assert type(mine) is type(declared)
        assert mine is not theirs
        assert mine is not declared
        assert mine.parent is first
        assert theirs.parent is second
        assert mine.field_name == name
        # The declared field itself is never bound.
        assert declared.parent is None
        assert declared.field_name is None


def test_the_copies_keep_their_settings_and_validate_apart() -> None:
    long_device = CheckInInputSerializer(data={"device_id": "x" * 129})
    assert not long_device.is_valid()
    assert "device_id" in long_device.errors
    assert "client_uuid" in long_device.errors
    fine_device = CheckInInputSerializer(data={"device_id": "x" * 128})
    assert not fine_device.is_valid()
    assert "device_id" not in fine_device.errors
    assert fine_device.fields["device_id"].max_length == 128
    assert fine_device.fields["latitude"].max_value == 90


def test_method_fields_are_named_on_the_copy_only() -> None:
    answer = CheckInOutputSerializer()
    assert answer.fields["photo_url"].method_name == "get_photo_url"
    assert answer.fields["flags"].method_name == "get_flags"
    assert CheckInOutputSerializer._declared_fields["photo_url"].method_name is None


def test_plain_fields_are_not_constructed_again(monkeypatch: Any) -> None:
    declared = CheckInInputSerializer()  # the class's fields exist already
    constructed: list[object] = []
    original = serializers.CharField.__init__

    def counting(self: serializers.CharField, **kwargs: Any) -> None:
        constructed.append(self)
        original(self, **kwargs)

    monkeypatch.setattr(serializers.CharField, "__init__", counting)
    fields = CheckInInputSerializer().fields
    assert constructed == []
    assert fields["note"].max_length == 500
    assert declared.fields["note"] is not fields["note"]


def test_nested_serializers_and_list_fields_are_deep_copied() -> None:
    first, second = MeSerializer(), MeSerializer()
    unit = first.fields["unit"]
    assert unit is not second.fields["unit"]
    assert unit is not MeSerializer._declared_fields["unit"]
    assert unit.fields["code"] is not second.fields["unit"].fields["code"]
    assert unit.fields["code"].parent is unit
    roles = first.fields["roles"]
    assert roles.child is not second.fields["roles"].child
    assert roles.child is not MeSerializer._declared_fields["roles"].child
    assert roles.child.parent is roles


def test_other_field_classes_are_constructed_again() -> None:
    built: list[Any] = []

    class CountedField(serializers.CharField):
        def __init__(self, **kwargs: Any) -> None:
            built.append(self)
            super().__init__(**kwargs)

    class Sample(Serializer):
        counted = CountedField(max_length=4)
        plain = serializers.CharField(max_length=4)

    built.clear()
    sample = Sample(data={"counted": "abcde", "plain": "abcde"})
    assert built == [sample.fields["counted"]]
    assert not sample.is_valid()
    assert set(sample.errors) == {"counted", "plain"}
