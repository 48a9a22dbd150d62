from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from backend.attendance.days import (
    MAX_RANGE_DAYS,
    AttendanceDay,
    RangeRefused,
    attendance_days,
    check_range,
    compute_day,
    counting_checkins,
)
from backend.attendance.models import CheckIn, Holiday
from backend.attendance.schedules import DaySchedule
from tests.attendance.builders import (
    FRI,
    MON,
    SAT,
    THU,
    TUE,
    WED,
    WIB,
    WIT,
    WITA,
    at,
    schedule,
    workplace,
)
from tests.factories import CheckInFactory

# Well after the test week, so every day of it is over.
LATER = at(date(2025, 3, 1), "12:00")


def hours(
    day: date = MON,
    start: str = "07:30",
    end: str = "16:00",
    *,
    break_minutes: int = 60,
    grace_minutes: int = 0,
    zone: str = WIB,
) -> DaySchedule:
    return DaySchedule(
        date=day,
        start=at(day, start, zone),
        end=at(day, end, zone),
        break_minutes=break_minutes,
        grace_minutes=grace_minutes,
        timezone=zone,
    )


def checkin(
    kind: str,
    captured_at: datetime,
    *,
    status: str = CheckIn.Status.VERIFIED,
    received_at: datetime | None = None,
) -> CheckIn:
    """An unsaved check-in: compute_day is pure."""
    return CheckIn(
        kind=kind,
        captured_at=captured_at,
        received_at=received_at or captured_at,
        status=status,
        mode=CheckIn.Mode.OFFICE,
    )


def day_of(
    *checkins: CheckIn,
    schedule: DaySchedule | None = None,
    now: datetime = LATER,
    day: date = MON,
) -> AttendanceDay:
    return compute_day(
        day=day,
        schedule=schedule if schedule is not None else hours(day),
        checkins=checkins,
        now=now,
        timezone=WIB,
    )


def full_day(arrive: str, leave: str = "16:00", **schedule: Any) -> AttendanceDay:
    return day_of(
        checkin("in", at(MON, arrive)),
        checkin("out", at(MON, leave)),
        schedule=hours(**schedule),
    )


# --- The pure computation ----------------------------------------------------


def test_arriving_on_time_and_leaving_at_the_end_is_hadir() -> None:
    day = full_day("07:25")
    assert (day.status, day.codes) == ("H", ("H",))
    assert (day.minutes_late, day.minutes_early) == (0, 0)
    assert day.deduction_band is None and day.deduction_percent is None
    assert day.is_working_day
    assert day.first_in == at(MON, "07:25") and day.last_out == at(MON, "16:00")


def test_a_check_in_within_the_start_minute_is_on_time() -> None:
    day = day_of(
        checkin("in", at(MON, "07:30", second=59)), checkin("out", at(MON, "16:05"))
    )
    assert day.status == "H"


def test_arriving_within_the_grace_minutes_is_not_late() -> None:
    day = full_day("07:40", grace_minutes=10)
    assert day.status == "H"
    assert day.minutes_late == 0


def test_late_minutes_count_from_the_start_once_past_the_grace() -> None:
    day = full_day("07:46", grace_minutes=15)
    assert day.status == "TL"
    assert day.minutes_late == 16
    assert day.late_band == 1


@pytest.mark.parametrize(
    ("arrive", "minutes", "band", "percent"),
    [
        ("07:31", 1, 1, "0.5"),
        ("08:00", 30, 1, "0.5"),
        ("08:01", 31, 2, "1.0"),
        ("08:30", 60, 2, "1.0"),
        ("08:31", 61, 3, "1.5"),
        ("09:00", 90, 3, "1.5"),
        ("09:01", 91, 4, "2.0"),
    ],
)
def test_arriving_late_is_terlambat_with_its_deduction_band(
    arrive: str, minutes: int, band: int, percent: str
) -> None:
    day = full_day(arrive)
    assert (day.status, day.codes) == ("TL", ("TL",))
    assert day.minutes_late == minutes
    assert day.late_band == day.deduction_band == band
    assert day.deduction_percent == Decimal(percent)


def test_lateness_is_judged_on_the_capture_time_not_the_receipt() -> None:
    # Taken at 07:29 in a dead zone, uploaded at 08:10.
    day = day_of(
        checkin("in", at(MON, "07:29"), received_at=at(MON, "08:10")),
        checkin("out", at(MON, "16:00")),
    )
    assert day.status == "H"


def test_only_the_first_check_in_decides_lateness() -> None:
    day = day_of(
        checkin("in", at(MON, "08:05")),
        checkin("in", at(MON, "07:20")),
        checkin("out", at(MON, "16:00")),
    )
    assert day.status == "H" and day.first_in == at(MON, "07:20")


def test_leaving_early_is_pulang_sebelum_waktunya() -> None:
    day = full_day("07:30", "15:00")
    assert (day.status, day.codes) == ("PSW", ("PSW",))
    assert day.minutes_early == 60
    assert day.early_band == day.deduction_band == 2
    assert day.deduction_percent == Decimal("1.0")


def test_the_last_check_out_counts() -> None:
    day = day_of(
        checkin("in", at(MON, "07:30")),
        checkin("out", at(MON, "12:00")),
        checkin("out", at(MON, "16:10")),
    )
    assert day.status == "H" and day.last_out == at(MON, "16:10")


def test_late_and_early_is_terlambat_with_both_codes_and_both_deductions() -> None:
    day = full_day("08:01", "15:00")
    assert day.status == "TL"
    assert day.codes == ("TL", "PSW")
    assert (day.late_band, day.early_band, day.deduction_band) == (2, 2, 2)
    assert day.deduction_percent == Decimal("2.0")


def test_no_check_out_on_a_finished_day_is_psw_in_the_highest_band() -> None:
    day = day_of(checkin("in", at(MON, "07:20")))
    assert (day.status, day.codes) == ("PSW", ("PSW",))
    assert day.minutes_early is None and day.last_out is None
    assert day.early_band == 4
    assert day.deduction_percent == Decimal("2.0")
    assert [note.code for note in day.notes] == ["no_check_out"]
    assert day.worked_minutes is None


def test_no_check_out_today_before_the_end_is_not_yet_psw() -> None:
    day = day_of(checkin("in", at(MON, "07:20")), now=at(MON, "15:59"))
    assert (day.status, day.codes) == ("H", ("H",))
    assert day.early_band is None and day.notes == ()


def test_no_check_in_on_a_finished_working_day_is_tanpa_keterangan() -> None:
    day = day_of()
    assert (day.status, day.codes) == ("TK", ("TK",))
    assert day.first_in is None
    assert day.deduction_band is None
    assert [note.code for note in day.notes] == ["no_check_in"]


def test_today_without_a_check_in_becomes_tk_only_after_the_end() -> None:
    assert day_of(now=at(MON, "06:00")).status is None
    assert day_of(now=at(MON, "15:59")).status is None
    assert day_of(now=at(MON, "16:00")).status == "TK"


def test_a_check_out_without_a_check_in_is_tk_with_a_note() -> None:
    day = day_of(checkin("out", at(MON, "16:00")))
    assert day.status == "TK"
    assert [note.code for note in day.notes] == [
        "check_out_without_check_in",
        "no_check_in",
    ]


def test_days_to_come_have_no_status() -> None:
    day = day_of(now=at(MON - timedelta(days=1), "12:00"))
    assert day.status is None and day.codes == ()
    assert day.is_working_day and day.schedule is not None


def test_a_check_in_awaiting_review_counts_with_a_note() -> None:
    day = day_of(
        checkin("in", at(MON, "07:30"), status=CheckIn.Status.NEEDS_REVIEW),
        checkin("out", at(MON, "16:00")),
    )
    assert day.status == "H"
    assert [note.code for note in day.notes] == ["pending_review"]


def test_worked_minutes_leave_out_the_break_the_stay_covers() -> None:
    assert full_day("07:30", "16:00").worked_minutes == 8 * 60 + 30 - 60
    # The break is taken to sit mid-day (11:15-12:15 for 07:30-16:00).
    assert full_day("07:30", "11:00").worked_minutes == 3 * 60 + 30
    assert full_day("07:30", "11:45").worked_minutes == 4 * 60 + 15 - 30
    assert full_day("12:15", "16:00").worked_minutes == 3 * 60 + 45


def test_deduction_percentages_follow_the_setting(settings: Any) -> None:
    settings.ATTENDANCE_DEDUCTION_BANDS = [1, 2, 3, 5]
    assert full_day("09:01").deduction_percent == Decimal(5)
    assert full_day("07:45", "15:00").deduction_percent == Decimal(1 + 2)


@pytest.mark.parametrize("bands", [[1, 2, 3], ["x", 1, 2, 3], [1, 2, 3, -1], None])
def test_a_bad_deduction_setting_fails_loudly(settings: Any, bands: Any) -> None:
    settings.ATTENDANCE_DEDUCTION_BANDS = bands
    with pytest.raises(ImproperlyConfigured, match="ATTENDANCE_DEDUCTION_BANDS"):
        full_day("08:00")


def test_times_are_given_in_the_schedule_zone() -> None:
    # 07:30 WIT is 05:30 WIB: stored in any zone, shown in the workplace's.
    day = compute_day(
        day=MON,
        schedule=hours(zone=WIT),
        checkins=[checkin("in", at(MON, "05:30", WIB))],
        now=LATER,
        timezone=WIB,
    )
    assert day.status == "PSW"  # on time, no check-out
    assert day.first_in is not None
    assert day.first_in.utcoffset() == timedelta(hours=9)
    assert day.first_in.hour == 7 and day.timezone == WIT


# --- attendance_days: check-ins and schedules from the database ---------------


def days_of(employee: Any, first: date = MON, last: date = FRI) -> dict[date, Any]:
    return {
        day.date: day
        for day in attendance_days(
            employee=employee, date_from=first, date_to=last, now=LATER
        )
    }


def test_it_computes_every_day_of_a_range(org: Any) -> None:
    CheckInFactory(employee=org.alice, captured_at=at(MON, "07:25"))
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(MON, "16:05"))
    CheckInFactory(employee=org.alice, captured_at=at(TUE, "08:01"))
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(TUE, "16:00"))
    CheckInFactory(employee=org.alice, captured_at=at(WED, "07:30"))
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(WED, "14:00"))
    CheckInFactory(employee=org.alice, captured_at=at(THU, "07:30"))

    days = days_of(org.alice, MON, MON + timedelta(days=6))
    assert [days[d].status for d in sorted(days)] == [
        "H", "TL", "PSW", "PSW", "TK", None, None,
    ]  # fmt: skip
    assert days[SAT].is_working_day is False


def test_rejected_check_ins_do_not_count(org: Any) -> None:
    CheckInFactory(employee=org.alice, captured_at=at(MON, "07:25"), status="rejected")
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(MON, "16:05"))
    assert not counting_checkins().filter(status="rejected").exists()
    day = days_of(org.alice, MON, MON)[MON]
    assert day.status == "TK"
    assert day.first_in is None


def test_only_the_employees_own_check_ins_count(org: Any) -> None:
    CheckInFactory(employee=org.bob, captured_at=at(MON, "07:25"))
    assert days_of(org.alice, MON, MON)[MON].status == "TK"


def test_a_check_in_on_a_holiday_is_shown_without_a_status(org: Any) -> None:
    Holiday.objects.create(date=MON, name="Isra Mikraj")
    CheckInFactory(employee=org.alice, captured_at=at(MON, "08:00"))
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(MON, "12:00"))
    day = days_of(org.alice, MON, MON)[MON]
    assert day.is_working_day is False and day.schedule is None
    assert day.status is None and day.codes == ()
    assert day.first_in == at(MON, "08:00") and day.worked_minutes == 240
    assert [note.code for note in day.notes] == ["day_off_check_in"]


def test_an_instansi_holiday_without_check_ins_is_not_tk(org: Any) -> None:
    Holiday.objects.create(date=MON, name="Cuti bersama", instansi=org.riau)
    assert days_of(org.alice, MON, MON)[MON].status is None
    assert days_of(org.kampar_staff, MON, MON)[MON].status == "TK"


def test_the_workplace_of_the_first_check_in_picks_the_schedule(org: Any) -> None:
    office = workplace(org.bkd, name="Kantor BKD")
    schedule(workplace=office, days={0: ("08:00", "15:00", 60)})
    CheckInFactory(
        employee=org.alice,
        workplace=office,
        mode="flexible",
        captured_at=at(MON, "07:50"),
    )
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(MON, "15:00"))
    day = days_of(org.alice, MON, MON)[MON]
    assert day.status == "H"  # 07:50 is late for 07:30, not for 08:00
    assert day.workplace is not None and day.workplace.name == "Kantor BKD"
    assert day.mode == "flexible"
    assert day.codes == ("H", "FWA")


@pytest.mark.parametrize(
    ("mode", "arrival", "status", "codes"),
    [
        ("flexible", "07:25", "H", ("H", "FWA")),
        ("flexible", "07:45", "TL", ("TL", "FWA")),
        ("office", "07:25", "H", ("H",)),
    ],
)
def test_a_day_begun_at_a_flexible_location_is_flexible_work(
    org: Any, mode: str, arrival: str, status: str, codes: tuple[str, ...]
) -> None:
    CheckInFactory(employee=org.alice, mode=mode, captured_at=at(MON, arrival))
    CheckInFactory(
        employee=org.alice, mode=mode, kind="out", captured_at=at(MON, "16:05")
    )
    day = days_of(org.alice, MON, MON)[MON]
    assert (day.status, day.codes) == (status, codes)


def test_a_unit_schedule_decides_days_without_a_workplace(org: Any) -> None:
    schedule(unit=org.mutasi, grace_minutes=5)
    CheckInFactory(employee=org.alice, captured_at=at(MON, "08:05"))
    CheckInFactory(employee=org.alice, kind="out", captured_at=at(MON, "16:00"))
    assert days_of(org.alice, MON, MON)[MON].status == "H"


@pytest.mark.parametrize("zone", [WIB, WITA, WIT])
def test_lateness_is_judged_in_the_workplace_zone(org: Any, zone: str) -> None:
    office = workplace(org.bkd, zone=zone)
    CheckInFactory(
        employee=org.alice, workplace=office, captured_at=at(MON, "07:35", zone)
    )
    CheckInFactory(
        employee=org.alice,
        workplace=office,
        kind="out",
        captured_at=at(MON, "16:00", zone),
    )
    day = days_of(org.alice, MON, MON)[MON]
    assert (day.status, day.minutes_late) == ("TL", 5)
    assert day.timezone == zone
    assert day.first_in is not None and day.first_in.hour == 7


@pytest.mark.parametrize(
    ("zone", "settled"), [(WIB, False), (WITA, False), (WIT, True)]
)
def test_today_is_settled_by_the_local_clock(
    org: Any, zone: str, settled: bool
) -> None:
    # 14:30 WIB is 15:30 WITA and 16:30 WIT: only in WIT is the day over.
    org.riau.timezone = zone
    org.riau.save()
    [day] = attendance_days(
        employee=org.alice, date_from=MON, date_to=MON, now=at(MON, "14:30", WIB)
    )
    assert day.status == ("TK" if settled else None)


def test_it_runs_the_same_queries_for_a_day_and_for_three_months(org: Any) -> None:
    for offset in range(0, 90, 3):
        CheckInFactory(
            employee=org.alice, captured_at=at(MON + timedelta(days=offset), "07:31")
        )

    def count(last: date) -> int:
        with CaptureQueriesContext(connection) as queries:
            attendance_days(employee=org.alice, date_from=MON, date_to=last, now=LATER)
        return len(queries)

    assert count(MON) == count(MON + timedelta(days=MAX_RANGE_DAYS - 1))


@time_machine.travel(at(WED, "10:00"), tick=False)
def test_it_defaults_now_to_the_current_time(org: Any) -> None:
    days = attendance_days(employee=org.alice, date_from=MON, date_to=FRI)
    assert [day.status for day in days] == ["TK", "TK", None, None, None]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (TUE, MON, "must not be after"),
        (MON, MON + timedelta(days=MAX_RANGE_DAYS), "at most 93 days"),
    ],
)
def test_it_refuses_an_unusable_range(
    org: Any, first: date, last: date, message: str
) -> None:
    with translation.override("en"), pytest.raises(ValueError, match=message):
        attendance_days(employee=org.alice, date_from=first, date_to=last)


def test_it_accepts_a_range_of_exactly_93_days(org: Any) -> None:
    last = MON + timedelta(days=MAX_RANGE_DAYS - 1)
    assert len(attendance_days(employee=org.alice, date_from=MON, date_to=last)) == 93


# --- the day a check-in belongs to, and a day without one -------------------


def test_a_check_out_after_midnight_ends_the_day_before(org: Any) -> None:
    office = workplace(org.bkd)
    for kind, moment in (
        ("in", at(MON, "07:25")),
        ("out", at(TUE, "00:30")),  # overtime past midnight
        ("in", at(TUE, "07:25")),
        ("out", at(TUE, "16:05")),
    ):
        CheckInFactory(
            employee=org.alice, workplace=office, kind=kind, captured_at=moment
        )
    days = days_of(org.alice, MON, TUE)
    monday, tuesday = days[MON], days[TUE]
    assert (monday.status, monday.codes) == ("H", ("H",))
    assert monday.last_out == at(TUE, "00:30")
    assert monday.deduction_band is None
    assert monday.worked_minutes == 17 * 60 + 5 - 60
    assert not monday.notes
    assert (tuesday.status, tuesday.last_out) == ("H", at(TUE, "16:05"))
    assert not tuesday.notes


def test_a_check_out_a_day_later_stays_on_its_own_day(org: Any) -> None:
    office = workplace(org.bkd)
    CheckInFactory(employee=org.alice, workplace=office, captured_at=at(MON, "07:25"))
    CheckInFactory(
        employee=org.alice, workplace=office, kind="out", captured_at=at(TUE, "08:00")
    )
    days = days_of(org.alice, MON, TUE)
    # Over 24 hours after Monday's check-in: not Monday's check-out.
    assert days[MON].codes == ("PSW",)
    assert days[MON].last_out is None
    assert days[TUE].status == "TK"
    assert "check_out_without_check_in" in {note.code for note in days[TUE].notes}


def test_a_range_starting_after_an_overnight_day_leaves_its_check_out_out(
    org: Any,
) -> None:
    office = workplace(org.bkd)
    CheckInFactory(employee=org.alice, workplace=office, captured_at=at(MON, "07:25"))
    CheckInFactory(
        employee=org.alice, workplace=office, kind="out", captured_at=at(TUE, "00:30")
    )
    [tuesday] = days_of(org.alice, TUE, TUE).values()
    assert tuesday.status == "TK"
    assert not {note.code for note in tuesday.notes} & {"check_out_without_check_in"}


def test_a_day_without_check_in_follows_the_only_workplaces_schedule(
    org: Any,
) -> None:
    # The office works Monday to Thursday and Saturday; the unit Monday to Friday.
    office = workplace(org.bkd)
    schedule(
        workplace=office,
        days={day: ("07:30", "16:00", 60) for day in (0, 1, 2, 3, 5)},
    )
    days = days_of(org.alice, MON, SAT)
    assert days[FRI].status is None and not days[FRI].is_working_day
    assert days[SAT].status == "TK"


def test_a_day_without_check_in_is_in_the_only_workplaces_zone(org: Any) -> None:
    office = workplace(org.bkd, zone=WIT)
    CheckInFactory(
        employee=org.alice, workplace=office, captured_at=at(MON, "07:25", WIT)
    )
    days = days_of(org.alice, MON, TUE)
    assert days[MON].timezone == days[TUE].timezone == WIT
    assert days[TUE].schedule is not None
    assert days[TUE].schedule.start == at(TUE, "07:30", WIT)


def test_with_several_workplaces_a_day_without_check_in_is_the_units(
    org: Any,
) -> None:
    workplace(org.bkd, zone=WIT)
    workplace(org.bkd, name="Kantor Cabang", zone=WITA)
    [tuesday] = days_of(org.alice, TUE, TUE).values()
    assert tuesday.timezone == org.alice.unit.instansi.timezone


@pytest.mark.parametrize(
    ("first", "last", "outside"),
    [
        (date(1999, 12, 31), date(2000, 1, 2), ("from",)),
        (date(2099, 12, 30), date(2100, 1, 1), ("to",)),
        (date(1999, 12, 1), date(1999, 12, 5), ("from", "to")),
        (MON, MON + timedelta(days=MAX_RANGE_DAYS), ()),
    ],
)
def test_a_refused_range_names_the_ends_outside_the_calendar(
    first: date, last: date, outside: tuple[str, ...]
) -> None:
    with pytest.raises(RangeRefused) as refused:
        check_range(first, last)
    assert refused.value.outside == outside
