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


def test_a_second_lookup_only_probes_the_assignments(org: Any, cached: None) -> None:
    _office(org)
    assert [w.name for w, _f in fenced_workplaces(org.alice)] == ["Kantor BKD"]
    with CaptureQueriesContext(connection) as queries:
        assert len(fenced_workplaces(org.alice)) == 1
    [probe] = [q["sql"] for q in queries.captured_queries]
    assert Workplace.employees.through._meta.db_table in probe


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


def _workplace_reads(queries: CaptureQueriesContext) -> list[str]:
    table = Workplace._meta.db_table
    return [
        q["sql"]
        for q in queries.captured_queries
        if f'"{table}"' in q["sql"] or f" {table} " in q["sql"]
    ]


def test_colleagues_of_a_unit_share_the_cached_workplaces(
    org: Any, cached: None
) -> None:
    # Bob and Alice are both in Mutasi, under BKD: the first check-in of the
    # unit pays the query, the rest only probe their own assignments.
    _office(org)
    assert [w.name for w, _f in fenced_workplaces(org.bob)] == ["Kantor BKD"]
    with CaptureQueriesContext(connection) as queries:
        assert [w.name for w, _f in fenced_workplaces(org.alice)] == ["Kantor BKD"]
    assert len(queries) == 1
    assert _workplace_reads(queries) == []


def test_an_assignment_elsewhere_joins_the_unit_workplaces_by_name(
    org: Any, cached: None
) -> None:
    _office(org)
    elsewhere = Workplace.objects.create(
        name="Puskesmas", unit=org.dinkes, latitude="0.4", longitude="101.3"
    )
    also_bkd = _office(org, "Aula BKD")
    elsewhere.employees.add(org.alice)
    also_bkd.employees.add(org.alice)  # already hers through the unit
    names = [w.name for w, _f in fenced_workplaces(org.alice)]
    assert names == ["Aula BKD", "Kantor BKD", "Puskesmas"]
    assert [w.name for w, _f in fenced_workplaces(org.bob)] == [
        "Aula BKD",
        "Kantor BKD",
    ]


def test_an_inactive_workplace_counts_neither_by_unit_nor_by_assignment(
    org: Any, cached: None
) -> None:
    _office(org, "Kantor Lama").employees.add(org.alice)
    Workplace.objects.update(is_active=False)
    forget_workplaces()  # update() sends no signal
    assert fenced_workplaces(org.alice) == []
    elsewhere = Workplace.objects.create(
        name="Puskesmas",
        unit=org.dinkes,
        latitude="0.4",
        longitude="101.3",
        is_active=False,
    )
    elsewhere.employees.add(org.alice)
    assert fenced_workplaces(org.alice) == []


def test_without_the_cache_the_same_workplaces(org: Any, settings: Any) -> None:
    settings.WORKPLACE_CACHE_SECONDS = 0
    _office(org)
    Workplace.objects.create(
        name="Puskesmas", unit=org.dinkes, latitude="0.4", longitude="101.3"
    ).employees.add(org.alice)
    names = [w.name for w, _f in fenced_workplaces(org.alice)]
    assert names == ["Kantor BKD", "Puskesmas"]
