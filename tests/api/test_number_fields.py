"""The API's input number fields (mobile_api/fields.py): numbers as people
write them, and nothing that only Python reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from rest_framework import serializers

from mobile_api.fields import DecimalInput, FloatInput, IntegerInput

FIELDS = {
    "integer": IntegerInput(),
    "float": FloatInput(),
    "decimal": DecimalInput(max_digits=12, decimal_places=2),
}


@pytest.mark.parametrize(
    ("kind", "text", "value"),
    [
        ("integer", "12", 12),
        ("integer", " -3 ", -3),
        ("integer", "12.0", 12),
        ("integer", 7, 7),
        ("float", "0.5079300", 0.50793),
        ("float", "-.5", -0.5),
        ("float", "5.", 5.0),
        ("float", "1e-3", 0.001),
        ("float", "+101.4", 101.4),
        ("float", 2.5, 2.5),
        ("decimal", "10.25", Decimal("10.25")),
        ("decimal", "3", Decimal("3")),
    ],
)
def test_numbers_as_people_write_them_are_read(
    kind: str, text: Any, value: Any
) -> None:
    assert FIELDS[kind].run_validation(text) == value


@pytest.mark.parametrize("kind", ["integer", "float", "decimal"])
@pytest.mark.parametrize(
    "text", ["1_0", "0_5", "\uff11\uff12", "\u0661\u0662", "1,5", "", "satu"]
)
def test_texts_only_python_reads_are_refused(kind: str, text: str) -> None:
    with pytest.raises(serializers.ValidationError) as refused:
        FIELDS[kind].run_validation(text)
    assert refused.value.detail[0].code in {"invalid", "required"}
