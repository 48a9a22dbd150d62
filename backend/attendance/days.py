"""Daily attendance: what one day's check-ins mean against its schedule.

Rules (DOMAIN.md, "Working hours and attendance"):

- Only :func:`counting_checkins` count: everything but rejected check-ins.
  Check-ins still awaiting review count, with a note.
- Times are compared at minute precision, as the HH:MM the employee sees:
  a check-in at 07:30:59 is at 07:30.
- **TL** (terlambat): the first check-in (by ``captured_at``, the phone's
  capture time, not when the server received it) is later than start +
  grace. ``minutes_late`` is then counted from the scheduled start, not
  from the end of the grace period; within the grace it is 0.
- **PSW** (pulang sebelum waktunya): the last check-out is before the end
  (``minutes_early`` from it to the end). A finished working day with a
  check-in but no check-out is PSW too, with a note, ``minutes_early``
  None and the highest deduction band: nothing shows when the employee left.
- **TK** (tanpa keterangan): no check-in on a working day that is over
  (today counts once its end has passed). A check-out alone does not count.
- ``status`` is the primary code, by precedence TK > TL > PSW > H;
  ``codes`` lists every code that applies (a late arrival who also left
  early has ``status`` "TL" and ``codes`` ["TL", "PSW"]; an on-time full day
  has ["H"]). A day whose first check-in is in flexible mode adds **FWA**
  (flexible work) to its codes: ["H", "FWA"], ["TL", "FWA"]. Days still
  to come, today before it is settled, and days off have ``status`` None.
- Deduction bands for late / early minutes: 1-30, 31-60, 61-90, >90 minutes
  give bands 1..4; the percentages come from the ``ATTENDANCE_DEDUCTION_BANDS``
  setting (default 0.5, 1, 1.5, 2 %). TL and PSW bands add up in
  ``deduction_percent``; ``deduction_band`` is the higher of the two. TK
  deductions are left to the allowance rules.
- ``worked_minutes``: first check-in to last check-out, minus the part of
  the break they span. The break has no fixed time in the schedule, so it
  is taken to sit in the middle of the scheduled day. On a day off nothing
  is subtracted.
- A check-in on a day off (weekend, holiday) is shown with its times and a
  note, and ``status`` None: there was no duty to attend.
- The schedule of a day is the one of the workplace of its first check-in
  (see :mod:`backend.attendance.schedules`). A day without one (no
  check-in, or a flexible one away from every workplace) is judged by the
  employee's usual workplace, the only one they have, in its time zone;
  with none or several, by the unit's schedule in the instansi's zone.
- A check-out after midnight ends the day before (overtime): a check-out
  that comes before the next day's first check-in and less than
  :data:`OVERNIGHT_HOURS` after the day's first check-in counts for that
  day, not as a check-out without check-in on the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from backend.attendance.models import CheckIn, Workplace
from backend.attendance.schedules import DaySchedule, ScheduleBook
from backend.attendance.selectors import workplaces_for
from backend.organization.models import Employee

MAX_RANGE_DAYS = 93
# Days outside these are refused: there is no attendance to compute (the
# zones' historical offsets and date arithmetic near year 9999 break first).
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)

H = "H"
TL = "TL"
PSW = "PSW"
TK = "TK"
# Flexible work: a day begun at an approved flexible location, or away from
# every workplace (backend.attendance.services.place_for_day).
FWA = "FWA"

# Upper limits (minutes) of bands 1-3; anything above the last is band 4.
BAND_LIMITS = (30, 60, 90)
DEFAULT_DEDUCTION_BANDS = (0.5, 1.0, 1.5, 2.0)
NO_CHECK_OUT_BAND = len(BAND_LIMITS) + 1

# A check-out this long after a day's first check-in, or longer, is not
# that day's even when it comes before the next day's first check-in.
OVERNIGHT_HOURS = 24

# Rejected by a reviewer (backend.audit.services.checkin_review).
NOT_COUNTING_STATUSES = (CheckIn.Status.REJECTED,)


def counting_checkins() -> QuerySet[CheckIn]:
    """Check-ins that count toward attendance (the one place for this rule).

    Rejected ones do not; ones awaiting review do until they are rejected.
    """
    return CheckIn.objects.exclude(status__in=NOT_COUNTING_STATUSES)


@dataclass(frozen=True)
class Note:
    code: str
    message: str


@dataclass(frozen=True)
class WorkplaceRef:
    id: int
    name: str


@dataclass(frozen=True)
class AttendanceDay:
    date: date
    is_working_day: bool
    schedule: DaySchedule | None
    # The zone of every time of the day (the workplace's, else the instansi's).
    timezone: str
    status: str | None = None
    codes: tuple[str, ...] = ()
    first_in: datetime | None = None
    last_out: datetime | None = None
    minutes_late: int | None = None
    minutes_early: int | None = None
    worked_minutes: int | None = None
    late_band: int | None = None
    early_band: int | None = None
    deduction_band: int | None = None
    deduction_percent: Decimal | None = None
    workplace: WorkplaceRef | None = None
    mode: str | None = None
    notes: tuple[Note, ...] = ()


def deduction_band(minutes: int | None) -> int | None:
    """Band 1..4 for minutes late or early; None for none."""
    if not minutes or minutes <= 0:
        return None
    for band, limit in enumerate(BAND_LIMITS, start=1):
        if minutes <= limit:
            return band
    return len(BAND_LIMITS) + 1


def deduction_percentages() -> tuple[Decimal, ...]:
    """The allowance cut (%) of bands 1..4, from ``ATTENDANCE_DEDUCTION_BANDS``."""
    raw = getattr(settings, "ATTENDANCE_DEDUCTION_BANDS", DEFAULT_DEDUCTION_BANDS)
    expected = len(BAND_LIMITS) + 1
    try:
        values = tuple(Decimal(str(value)) for value in raw)
    except (TypeError, InvalidOperation):
        values = ()
    if len(values) != expected or any(
        not value.is_finite() or value < 0 for value in values
    ):
        raise ImproperlyConfigured(
            f"ATTENDANCE_DEDUCTION_BANDS: expected {expected} non-negative "
            f"percentages, got {raw!r}."
        )
    return values


class RangeRefused(ValueError):
    """An unusable date range, with a user-facing message. ``outside``
    names the ends ("from", "to") that lie outside the calendar, if any."""

    def __init__(self, message: str, outside: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.outside = outside


def check_range(date_from: date, date_to: date) -> None:
    """Raise :class:`RangeRefused` for an unusable range."""
    if date_from > date_to:
        raise RangeRefused(_("The start date must not be after the end date."))
    outside = tuple(
        end
        for end, day in (("from", date_from), ("to", date_to))
        if not EARLIEST_DATE <= day <= LATEST_DATE
    )
    if outside:
        raise RangeRefused(
            _("Dates must be between %(first)s and %(last)s.")
            % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()},
            outside,
        )
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise RangeRefused(
            _("A range covers at most %(days)d days.") % {"days": MAX_RANGE_DAYS}
        )


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _worked_minutes(
    first_in: datetime, last_out: datetime, schedule: DaySchedule | None
) -> int:
    worked = _minutes(last_out - first_in)
    if schedule is not None and schedule.break_minutes:
        middle = schedule.start + (schedule.end - schedule.start) / 2
        half = timedelta(minutes=schedule.break_minutes) / 2
        overlap = min(last_out, middle + half) - max(first_in, middle - half)
        worked -= max(0, _minutes(overlap))
    return max(0, worked)


def compute_day(
    *,
    day: date,
    schedule: DaySchedule | None,
    checkins: Sequence[CheckIn],
    now: datetime,
    timezone: str,
) -> AttendanceDay:
    """The attendance of one day (pure: no queries).

    ``checkins`` are the counting check-ins of ``day`` (any order, with
    ``workplace`` loaded); ``schedule`` is the day's schedule (None on a day
    off); ``timezone`` is the zone to use when neither the schedule nor the
    first check-in's workplace gives one.
    """
    ins = sorted(
        (c for c in checkins if c.kind == CheckIn.Kind.IN),
        key=lambda c: c.captured_at,
    )
    first = ins[0] if ins else None
    if schedule is not None:
        zone_name = schedule.timezone
    elif first is not None and first.workplace is not None:
        zone_name = first.workplace.timezone
    else:
        zone_name = timezone
    zone = ZoneInfo(zone_name)
    local_today = now.astimezone(zone).date()
    base = AttendanceDay(
        date=day,
        is_working_day=schedule is not None,
        schedule=schedule,
        timezone=zone_name,
    )
    if day > local_today:
        return base

    notes: list[Note] = []
    if any(c.status == CheckIn.Status.NEEDS_REVIEW for c in checkins):
        notes.append(
            Note("pending_review", _("A check-in of this day is awaiting review."))
        )
    first_in = first.captured_at.astimezone(zone) if first else None
    outs = sorted(
        c.captured_at.astimezone(zone)
        for c in checkins
        if c.kind == CheckIn.Kind.OUT
        and (first_in is None or c.captured_at >= first_in)
    )
    last_out = outs[-1] if outs else None
    worked = (
        _worked_minutes(_minute(first_in), _minute(last_out), schedule)
        if first_in and last_out
        else None
    )
    common: dict[str, Any] = {
        "first_in": first_in,
        "last_out": last_out,
        "worked_minutes": worked,
        "workplace": (
            WorkplaceRef(first.workplace.pk, first.workplace.name)
            if first and first.workplace
            else None
        ),
        "mode": first.mode if first else None,
    }

    if schedule is None:
        if first_in or last_out:
            notes.append(
                Note("day_off_check_in", _("Checked in on a day off (no duty)."))
            )
        return replace(base, notes=tuple(notes), **common)

    day_over = now >= schedule.end
    if first_in is None:
        if outs:
            notes.append(
                Note(
                    "check_out_without_check_in",
                    _("A check-out without a check-in does not count as attendance."),
                )
            )
        if not day_over:
            return replace(base, notes=tuple(notes), **common)
        notes.append(Note("no_check_in", _("No check-in on this working day.")))
        return replace(base, status=TK, codes=(TK,), notes=tuple(notes), **common)

    codes: list[str] = []
    minutes_late = max(0, _minutes(_minute(first_in) - schedule.start))
    if minutes_late > schedule.grace_minutes:
        codes.append(TL)
    else:
        minutes_late = 0
    late_band = deduction_band(minutes_late)

    minutes_early: int | None = None
    early_band: int | None = None
    if last_out is not None:
        minutes_early = max(0, _minutes(schedule.end - _minute(last_out)))
        early_band = deduction_band(minutes_early)
        if minutes_early:
            codes.append(PSW)
    elif day_over:
        codes.append(PSW)
        early_band = NO_CHECK_OUT_BAND
        notes.append(
            Note(
                "no_check_out",
                _("No check-out: counted as leaving early (pulang sebelum waktunya)."),
            )
        )

    percentages = deduction_percentages()
    bands = [band for band in (late_band, early_band) if band]
    codes = codes or [H]
    status = codes[0]
    if first is not None and first.mode == CheckIn.Mode.FLEXIBLE:
        codes.append(FWA)
    return replace(
        base,
        status=status,
        codes=tuple(codes),
        minutes_late=minutes_late,
        minutes_early=minutes_early,
        late_band=late_band,
        early_band=early_band,
        deduction_band=max(bands) if bands else None,
        deduction_percent=(
            sum((percentages[band - 1] for band in bands), Decimal(0))
            if bands
            else None
        ),
        notes=tuple(notes),
        **common,
    )


def attendance_days(
    *,
    employee: Employee,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
) -> list[AttendanceDay]:
    """The employee's attendance for each date of ``date_from``..``date_to``.

    One query for the check-ins and one :class:`ScheduleBook` load, however
    long the range (at most :data:`MAX_RANGE_DAYS` days; ValueError beyond,
    or when ``date_from`` is after ``date_to``). ``now`` (aware; default the
    current time) decides which days are over.
    """
    check_range(date_from, date_to)
    now = now or dj_timezone.now()
    if dj_timezone.is_naive(now):
        raise ValueError("now must be an aware datetime.")
    # The days either side too: their check-outs after midnight.
    by_day = _overnight_check_outs_moved(
        _by_local_date(
            counting_checkins()
            .filter(
                employee=employee,
                local_date__range=(
                    date_from - timedelta(days=1),
                    date_to + timedelta(days=1),
                ),
            )
            .select_related("workplace")
            .order_by("captured_at", "pk")
        )
    )
    book = ScheduleBook.load([employee.unit.instansi_id], date_from, date_to)
    fallback_zone = employee.unit.instansi.timezone
    # Looked up once, and only for a day without a workplace of its own.
    usual = cache(partial(usual_workplace, employee))

    days = []
    day = date_from
    while day <= date_to:
        checkins = by_day.get(day, [])
        first_in = next((c for c in checkins if c.kind == CheckIn.Kind.IN), None)
        workplace = (
            first_in.workplace
            if first_in is not None and first_in.workplace is not None
            else usual()
        )
        schedule = book.day_schedule(employee=employee, day=day, workplace=workplace)
        days.append(
            compute_day(
                day=day,
                schedule=schedule,
                checkins=checkins,
                now=now,
                timezone=workplace.timezone if workplace else fallback_zone,
            )
        )
        day += timedelta(days=1)
    return days


def _by_local_date(checkins: Iterable[CheckIn]) -> dict[date, list[CheckIn]]:
    by_day: dict[date, list[CheckIn]] = defaultdict(list)
    for checkin in checkins:
        by_day[checkin.local_date].append(checkin)
    return by_day


def ends_day_before(
    check_out: datetime, *, day_first_in: datetime, next_first_in: datetime | None
) -> bool:
    """Whether a check-out after midnight ends the day before (overtime):
    it comes before the next day's first check-in (``next_first_in``) and
    less than :data:`OVERNIGHT_HOURS` after the day's first check-in."""
    return check_out < day_first_in + timedelta(hours=OVERNIGHT_HOURS) and (
        next_first_in is None or check_out < next_first_in
    )


def _overnight_check_outs_moved(
    by_day: dict[date, list[CheckIn]],
) -> dict[date, list[CheckIn]]:
    """Each day's check-outs after midnight moved back to the day they end
    (``by_day`` in order of ``captured_at``; changed in place)."""
    for day in sorted(by_day):
        first_in = next((c for c in by_day[day] if c.kind == CheckIn.Kind.IN), None)
        after = by_day.get(day + timedelta(days=1))
        if first_in is None or not after:
            continue
        next_first_in = next(
            (c.captured_at for c in after if c.kind == CheckIn.Kind.IN), None
        )
        carried = []
        for checkin in after:
            if checkin.kind == CheckIn.Kind.IN or not ends_day_before(
                checkin.captured_at,
                day_first_in=first_in.captured_at,
                next_first_in=next_first_in,
            ):
                break
            carried.append(checkin)
        if carried:
            by_day[day] = [*by_day[day], *carried]
            del after[: len(carried)]
    return by_day


def usual_workplace(employee: Employee) -> Workplace | None:
    """The workplace whose schedule and zone a day without one of its own
    is judged by: the employee's only workplace, if they have exactly one."""
    found = list(workplaces_for(employee)[:2])
    return found[0] if len(found) == 1 else None
