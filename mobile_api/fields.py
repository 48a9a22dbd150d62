"""Number fields for input, reading numbers only as people write them.

DRF converts a text with Python's ``int``, ``float`` and ``Decimal``, which
also read digit groups with underscores ("0_5" is 5) and the digits of
other scripts (the full-width U+FF10-U+FF19 read as 0-9). A phone or a
form that sends such a text did not mean that number: these fields answer
it as any other malformed number, with the field's own message. JSON
numbers, which the JSON parser has already read, pass as before.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework import serializers

# ASCII digits only (re.ASCII), an optional sign, point and exponent.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# DRF's IntegerField also takes a whole number with a zero fraction: "12.0".
_INTEGER_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?", re.ASCII)


def _written_plainly(pattern: re.Pattern[str], data: Any) -> bool:
    return not isinstance(data, str) or pattern.fullmatch(data.strip()) is not None


class IntegerInput(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if not _written_plainly(_INTEGER_TEXT, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class FloatInput(serializers.FloatField):
    def to_internal_value(self, data: Any) -> float:
        if not _written_plainly(_DECIMAL_TEXT, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalInput(serializers.DecimalField):
    def to_internal_value(self, data: Any) -> Any:
        if not _written_plainly(_DECIMAL_TEXT, data):
            self.fail("invalid")
        return super().to_internal_value(data)
