"""The per-process cache of an employee's workplaces and fences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.attendance.models import Workplace
from backend.attendance.services import fenced_workplaces, forget_workplaces


@pytest.fixture
def cached(settings: Any) -> Iterator[None]:
    settings.WORKPLACE_CACHE_SECONDS = 60
    forget_workplaces()
    yield
    forget_workplaces()


def _office(org: Any, name: str = "Kantor BKD") -> Workplace:
    return Workplace.objects.create(
        name=name, unit=org.bkd, latitude="0.5", longitude="101.4", radius_m=80
    )


def test_a_second_lookup_costs_no_query(org: Any, cached: None) -> None:
    _office(org)
    assert [w.name for w, _f in fenced_workplaces(org.alice)] == ["Kantor BKD"]
    with CaptureQueriesContext(connection) as queries:
        assert len(fenced_workplaces(org.alice)) == 1
    assert len(queries) == 0


def test_saving_a_workplace_applies_at_once(org: Any, cached: None) -> None:
    office = _office(org)
    fenced_workplaces(org.alice)
    office.radius_m = 500
    office.save()
    [(workplace, fence)] = fenced_workplaces(org.alice)
    assert workplace.radius_m == 500
    assert fence.radius_m == 500


def test_a_new_or_deleted_workplace_applies_at_once(org: Any, cached: None) -> None:
    office = _office(org)
    fenced_workplaces(org.alice)
    _office(org, "Kantor Cabang")
    assert len(fenced_workplaces(org.alice)) == 2
    office.delete()
    assert [w.name for w, _f in fenced_workplaces(org.alice)] == ["Kantor Cabang"]


def test_an_assignment_applies_at_once(org: Any, cached: None) -> None:
    elsewhere = Workplace.objects.create(
        name="Puskesmas", unit=org.dinkes, latitude="0.4", longitude="101.3"
    )
    assert fenced_workplaces(org.alice) == []
    elsewhere.employees.add(org.alice)
    assert [w.name for w, _f in fenced_workplaces(org.alice)] == ["Puskesmas"]


def test_a_move_to_another_unit_misses_the_cache(org: Any, cached: None) -> None:
    _office(org)
    assert len(fenced_workplaces(org.alice)) == 1
    org.alice.unit = org.dinkes
    assert fenced_workplaces(org.alice) == []
