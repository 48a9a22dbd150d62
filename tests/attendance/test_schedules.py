from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from backend.attendance.models import Holiday, RamadanPeriod, WorkSchedule
from backend.attendance.schedules import (
    DEFAULT_SCHEDULE,
    RAMADAN,
    REGULAR,
    ScheduleBook,
    day_schedule,
)
from backend.organization.models import Employee
from tests.attendance.builders import (
    FRI,
    MON,
    SAT,
    SUN,
    WIB,
    WIT,
    WITA,
    at,
    schedule,
    workplace,
)
from tests.factories import EmployeeFactory, UnitFactory

RAMADAN_MON = date(2025, 3, 3)
RAMADAN_FRI = date(2025, 3, 7)


@pytest.fixture
def ramadan(db: Any) -> RamadanPeriod:
    return RamadanPeriod.objects.create(start=date(2025, 3, 1), end=date(2025, 3, 30))


def net_hours(variant: str) -> float:
    week = DEFAULT_SCHEDULE[variant]
    minutes = sum(
        (datetime.combine(MON, h.end) - datetime.combine(MON, h.start)).seconds / 60
        - h.break_minutes
        for h in week.days.values()
    )
    return minutes / 60


def test_the_default_weeks_are_37_5_and_32_5_hours() -> None:
    assert net_hours(REGULAR) == 37.5
    assert net_hours(RAMADAN) == 32.5
    assert {h.start for h in DEFAULT_SCHEDULE[RAMADAN].days.values()} == {time(8)}


def test_it_uses_the_national_default_without_any_schedule(org: Any) -> None:
    monday = day_schedule(employee=org.alice, day=MON)
    assert monday is not None
    assert (monday.start, monday.end) == (at(MON, "07:30"), at(MON, "16:00"))
    assert (monday.break_minutes, monday.grace_minutes) == (60, 0)
    assert monday.timezone == WIB

    friday = day_schedule(employee=org.alice, day=FRI)
    assert friday is not None
    assert (friday.start, friday.end) == (at(FRI, "07:30"), at(FRI, "16:30"))
    assert friday.break_minutes == 90


def test_weekends_are_days_off_under_the_default(org: Any) -> None:
    assert day_schedule(employee=org.alice, day=SAT) is None
    assert day_schedule(employee=org.alice, day=SUN) is None


def test_a_unit_schedule_overrides_the_default(org: Any) -> None:
    schedule(unit=org.mutasi, grace_minutes=10)
    monday = day_schedule(employee=org.alice, day=MON)
    assert monday is not None
    assert monday.start == at(MON, "08:00")
    assert monday.grace_minutes == 10
    # Dinas Kesehatan is not under Bidang Mutasi: still the default.
    other = day_schedule(employee=org.charlie, day=MON)
    assert other is not None and other.start == at(MON, "07:30")


def test_a_schedule_of_a_unit_above_applies_to_its_sub_units(org: Any) -> None:
    schedule(unit=org.bkd, days={0: ("07:00", "15:00", 60)})
    monday = day_schedule(employee=org.alice, day=MON)
    assert monday is not None and monday.start == at(MON, "07:00")


def test_the_nearest_unit_above_wins_over_higher_ones(org: Any) -> None:
    seksi = UnitFactory(
        instansi=org.riau, code="BKD-MUT-1", kind="subbidang", parent=org.mutasi
    )
    staff = EmployeeFactory(unit=seksi)
    schedule(unit=org.bkd, days={0: ("07:00", "15:00", 60)})
    schedule(unit=org.mutasi, days={0: ("09:00", "17:00", 60)})
    monday = day_schedule(employee=staff, day=MON)
    assert monday is not None and monday.start == at(MON, "09:00")


def test_a_workplace_schedule_overrides_the_unit_schedule(org: Any) -> None:
    office = workplace(org.bkd)
    schedule(unit=org.mutasi)
    schedule(workplace=office, days={0: ("06:30", "14:30", 30)})
    at_office = day_schedule(employee=org.alice, day=MON, workplace=office)
    assert at_office is not None
    assert (at_office.start, at_office.break_minutes) == (at(MON, "06:30"), 30)
    elsewhere = day_schedule(employee=org.alice, day=MON)
    assert elsewhere is not None and elsewhere.start == at(MON, "08:00")


def test_a_workplace_without_a_schedule_falls_back_to_the_unit(org: Any) -> None:
    office = workplace(org.bkd)
    schedule(unit=org.mutasi)
    monday = day_schedule(employee=org.alice, day=MON, workplace=office)
    assert monday is not None and monday.start == at(MON, "08:00")


def test_a_weekday_without_a_row_is_a_day_off(org: Any) -> None:
    schedule(
        unit=org.mutasi,
        days={d: ("07:30", "14:00", 0) for d in (0, 1, 2, 3, 5)},
    )
    assert day_schedule(employee=org.alice, day=FRI) is None
    saturday = day_schedule(employee=org.alice, day=SAT)
    assert saturday is not None and saturday.end == at(SAT, "14:00")


def test_the_default_ramadan_week_applies_in_ramadan(org: Any, ramadan: Any) -> None:
    monday = day_schedule(employee=org.alice, day=RAMADAN_MON)
    assert monday is not None
    assert (monday.start, monday.end) == (
        at(RAMADAN_MON, "08:00"),
        at(RAMADAN_MON, "15:00"),
    )
    friday = day_schedule(employee=org.alice, day=RAMADAN_FRI)
    assert friday is not None and friday.end == at(RAMADAN_FRI, "15:30")
    # Before Ramadan, the regular week again.
    before = day_schedule(employee=org.alice, day=date(2025, 2, 28))
    assert before is not None and before.start == at(date(2025, 2, 28), "07:30")


def test_the_ramadan_variant_of_the_chosen_level_applies_in_ramadan(
    org: Any, ramadan: Any
) -> None:
    schedule(unit=org.mutasi)
    schedule(
        unit=org.mutasi,
        variant=WorkSchedule.Variant.RAMADAN,
        days={0: ("08:30", "14:30", 30)},
    )
    monday = day_schedule(employee=org.alice, day=RAMADAN_MON)
    assert monday is not None and monday.start == at(RAMADAN_MON, "08:30")
    assert day_schedule(employee=org.alice, day=RAMADAN_FRI) is None
    regular = day_schedule(employee=org.alice, day=MON)
    assert regular is not None and regular.start == at(MON, "08:00")


def test_a_level_without_a_ramadan_variant_keeps_its_regular_hours(
    org: Any, ramadan: Any
) -> None:
    # Bidang Mutasi's own week wins, even over BKD's Ramadan variant and the
    # national Ramadan week.
    schedule(unit=org.mutasi, days={0: ("09:00", "17:00", 60)})
    schedule(
        unit=org.bkd,
        variant=WorkSchedule.Variant.RAMADAN,
        days={0: ("08:30", "14:30", 30)},
    )
    monday = day_schedule(employee=org.alice, day=RAMADAN_MON)
    assert monday is not None and monday.start == at(RAMADAN_MON, "09:00")


def test_a_ramadan_only_schedule_is_passed_over_outside_ramadan(
    org: Any, ramadan: Any
) -> None:
    schedule(unit=org.bkd, days={0: ("07:00", "15:00", 60)})
    schedule(
        unit=org.mutasi,
        variant=WorkSchedule.Variant.RAMADAN,
        days={0: ("08:30", "14:30", 30)},
    )
    regular = day_schedule(employee=org.alice, day=MON)
    assert regular is not None and regular.start == at(MON, "07:00")
    fasting = day_schedule(employee=org.alice, day=RAMADAN_MON)
    assert fasting is not None and fasting.start == at(RAMADAN_MON, "08:30")


def test_a_national_holiday_is_a_day_off_for_everyone(org: Any) -> None:
    Holiday.objects.create(date=MON, name="Isra Mikraj")
    schedule(unit=org.mutasi)
    assert day_schedule(employee=org.alice, day=MON) is None
    assert day_schedule(employee=org.kampar_staff, day=MON) is None


def test_an_instansi_holiday_is_a_day_off_only_in_that_instansi(org: Any) -> None:
    Holiday.objects.create(date=MON, name="Cuti bersama", instansi=org.riau)
    assert day_schedule(employee=org.alice, day=MON) is None
    assert day_schedule(employee=org.charlie, day=MON) is None
    assert day_schedule(employee=org.kampar_staff, day=MON) is not None


@pytest.mark.parametrize(
    ("zone", "start_utc"),
    [
        (WIB, datetime(2025, 2, 3, 0, 30, tzinfo=UTC)),
        (WITA, datetime(2025, 2, 2, 23, 30, tzinfo=UTC)),
        (WIT, datetime(2025, 2, 2, 22, 30, tzinfo=UTC)),
    ],
)
def test_hours_are_local_to_the_instansi_zone(
    org: Any, zone: str, start_utc: datetime
) -> None:
    org.riau.timezone = zone
    org.riau.save()
    alice = Employee.objects.select_related("unit__instansi").get(pk=org.alice.pk)
    monday = day_schedule(employee=alice, day=MON)
    assert monday is not None
    assert monday.timezone == zone
    assert monday.start == at(MON, "07:30", zone) == start_utc
    assert monday.start.astimezone(UTC) == start_utc


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_the_workplace_zone_wins_over_the_argument_and_the_instansi(
    org: Any, zone: str
) -> None:
    office = workplace(org.bkd, zone=zone)
    monday = day_schedule(employee=org.alice, day=MON, workplace=office, timezone=WIB)
    assert monday is not None
    assert monday.timezone == zone
    assert monday.start.utcoffset() == at(MON, "07:30", zone).utcoffset()


def test_the_zone_argument_wins_over_the_instansi(org: Any) -> None:
    monday = day_schedule(employee=org.alice, day=MON, timezone=WIT)
    assert monday is not None
    assert monday.timezone == WIT
    assert monday.start.utcoffset() == timedelta(hours=9)


def test_a_book_answers_a_month_for_many_employees_from_memory(
    org: Any, django_assert_num_queries: Any
) -> None:
    office = workplace(org.bkd)
    schedule(unit=org.mutasi)
    schedule(workplace=office, days={0: ("06:30", "14:30", 30)})
    Holiday.objects.create(date=MON, name="Libur")
    RamadanPeriod.objects.create(start=date(2025, 3, 1), end=date(2025, 3, 30))
    staff = list(
        Employee.objects.select_related("unit__instansi").filter(
            unit__instansi=org.riau
        )
    )
    first, last = date(2025, 2, 1), date(2025, 3, 3)

    with django_assert_num_queries(5):
        book = ScheduleBook.load([org.riau.pk], first, last)
    with django_assert_num_queries(0):
        for employee in staff:
            day = first
            while day <= last:
                book.day_schedule(employee=employee, day=day)
                book.day_schedule(employee=employee, day=day, workplace=office)
                day += timedelta(days=1)
    assert book.day_schedule(employee=staff[0], day=MON) is None


def test_a_book_fetches_a_workplace_of_another_instansi_once(
    org: Any, django_assert_num_queries: Any
) -> None:
    kampar_office = workplace(org.kampar_opd, name="Kantor Kampar")
    schedule(workplace=kampar_office, days={0: ("10:00", "15:00", 0)})
    book = ScheduleBook.load([org.riau.pk], MON, FRI)
    alice = Employee.objects.select_related("unit__instansi").get(pk=org.alice.pk)
    with django_assert_num_queries(2):  # its schedules and their days
        monday = book.day_schedule(employee=alice, day=MON, workplace=kampar_office)
        friday = book.day_schedule(employee=alice, day=FRI, workplace=kampar_office)
    assert monday is not None and monday.start == at(MON, "10:00")
    assert friday is None


def test_a_book_refuses_dates_it_did_not_load(org: Any) -> None:
    book = ScheduleBook.load([org.riau.pk], MON, FRI)
    with pytest.raises(ValueError, match="outside the loaded range"):
        book.day_schedule(employee=org.alice, day=SAT)


def test_the_check_in_path_reuses_a_days_schedules_for_a_while(
    org: Any, settings: Any, django_assert_num_queries: Any, monkeypatch: Any
) -> None:
    import datetime as _dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backend.attendance import schedules

    settings.SCHEDULE_CACHE_SECONDS = 60
    schedules._BOOKS.clear()
    clock = [1000.0]
    monkeypatch.setattr(schedules, "monotonic", lambda: clock[0])
    day = _dt.date(2026, 11, 25)
    first = schedules.day_schedule(employee=org.alice, day=day)
    with django_assert_num_queries(0):
        again = schedules.day_schedule(employee=org.alice, day=day)
    assert again == first
    clock[0] += 61
    with CaptureQueriesContext(connection) as reread:
        schedules.day_schedule(employee=org.alice, day=day)
    assert len(reread.captured_queries) > 0
    schedules._BOOKS.clear()


@pytest.fixture
def books_cached(settings: Any) -> Iterator[None]:
    from backend.attendance.schedules import forget_schedules

    settings.SCHEDULE_CACHE_SECONDS = 60
    forget_schedules()
    yield
    forget_schedules()


def test_a_new_holiday_applies_at_once_though_books_are_cached(
    org: Any, books_cached: None
) -> None:
    day = date(2026, 11, 25)  # a Wednesday
    assert day_schedule(employee=org.alice, day=day) is not None
    holiday = Holiday.objects.create(date=day, name="Cuti bersama", instansi=org.riau)
    assert day_schedule(employee=org.alice, day=day) is None
    holiday.delete()
    assert day_schedule(employee=org.alice, day=day) is not None


def test_changed_hours_apply_at_once_though_books_are_cached(
    org: Any, books_cached: None
) -> None:
    day = date(2026, 11, 25)
    before = day_schedule(employee=org.alice, day=day)
    assert before is not None
    schedule(unit=org.bkd, days={2: ("08:00", "15:00", 30)})
    after = day_schedule(employee=org.alice, day=day)
    assert after is not None and after.start != before.start
