"""The rule helpers behind the flexible-work refusals."""

from __future__ import annotations

import datetime as dt

from backend.flexwork.rules import add_months, unit_cap


def test_placement_months_end_on_the_same_day_or_the_months_last() -> None:
    assert add_months(dt.date(2025, 6, 1), 12) == dt.date(2026, 6, 1)
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


def test_the_unit_share_rounds_down_but_lets_one_person_out() -> None:
    assert unit_cap(10, 25) == 2
    assert unit_cap(2, 30) == 1
    assert unit_cap(10, 0) == 0
