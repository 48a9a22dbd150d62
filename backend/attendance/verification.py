"""The verification signals of a check-in, each an explained flag.

Signals are evidence for a human reviewer, never proof (see DOMAIN.md,
"Fraud patterns"): every rule below returns flags with the facts that made
it fire, and the thresholds are settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings

from backend.attendance import checkin_reads
from backend.attendance.days import ends_day_before
from backend.attendance.flags import make_flag
from backend.attendance.models import CheckIn, Workplace
from backend.attendance.schedules import DaySchedule
from backend.lib.geo import FenceResult, Point, distance_m
from backend.lib.photos import PhotoFacts, hamming_distance
from backend.organization.models import Employee


@dataclass(frozen=True)
class Submission:
    """What the phone sent, validated."""

    employee: Employee
    kind: str
    position: Point
    accuracy_m: float
    captured_at: dt.datetime
    received_at: dt.datetime
    is_mock: bool | None
    device_id: str
    # The zone (UTC offset) the phone sent ``captured_at`` in: its wall clock.
    phone_zone: dt.tzinfo | None = None


class ApprovedPlace(NamedTuple):
    """An approved flexible-work location of the day that did not place the
    position: its name and the distance to it (centre), for the flag."""

    name: str
    distance_m: float


@dataclass(frozen=True)
class Placement:
    """Where the server placed the check-in."""

    workplace: Workplace | None
    fence: FenceResult | None
    timezone: str
    local_date: dt.date
    schedule: DaySchedule | None
    # "flexible" when an approved flexible-work location placed it; the
    # name of that place (or of the workplace) for the flags' messages.
    mode: str = "office"
    place_name: str = ""
    # The nearest approved flexible-work location of the day, when the day
    # has some and none of them placed the check-in.
    nearest_approved: ApprovedPlace | None = None
    # The neighbouring day's schedule whose window may reach past midnight
    # to this check-in: the day before for a pulang, the next for a masuk.
    previous_schedule: DaySchedule | None = None
    next_schedule: DaySchedule | None = None


# The shortest time between two check-ins that travel is judged over: capture
# times are sent with one-second resolution.
MIN_TRAVEL_SECONDS = 1.0


def _local(moment: dt.datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def location_flags(sub: Submission, place: Placement) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    if place.fence is None:
        flags.append(make_flag("no_workplace"))
    else:
        params = {
            "workplace": place.place_name
            or (place.workplace.name if place.workplace else ""),
            "distance": round(place.fence.distance_m),
            "accuracy": round(sub.accuracy_m),
        }
        if place.fence.state == "outside":
            flags.append(make_flag("geofence_outside", **params))
            # Outside is only ever the result when no approved flexible-work
            # location of the day placed the position better
            # (services.place_for_day), so this one is unapproved; when the
            # day has approved places, the message names the nearest.
            near = place.nearest_approved
            if near is None:
                flags.append(make_flag("flexible_unapproved"))
            else:
                flags.append(
                    make_flag(
                        "flexible_unapproved",
                        variant="outside_approved",
                        place=near.name,
                        distance=round(near.distance_m),
                    )
                )
        elif place.fence.state == "uncertain":
            code = (
                "geofence_uncertain"
                if place.fence.edge_distance_m <= 0
                else "geofence_uncertain_outside"
            )
            flags.append(make_flag(code, **params))
    if sub.accuracy_m == 0:
        flags.append(make_flag("accuracy_zero"))
    elif sub.accuracy_m > settings.FLAG_POOR_ACCURACY_M:
        flags.append(
            make_flag(
                "accuracy_poor",
                accuracy=round(sub.accuracy_m),
                limit=round(settings.FLAG_POOR_ACCURACY_M),
            )
        )
    if sub.is_mock:
        flags.append(make_flag("mock_location"))
    return flags


def travel_flags(sub: Submission, place: Placement) -> list[dict[str, Any]]:
    """Impossible speed to or from the neighbouring check-ins in time.

    Both neighbours are checked because offline phones upload out of order.
    """
    limit = settings.FLAG_TRAVEL_SPEED_KMH
    for other in checkin_reads.neighbours(sub.employee.pk, sub.captured_at):
        other_point = Point(other.latitude, other.longitude)
        # Both positions are only known to within their accuracy: judge the
        # shortest trip that the two accuracy circles allow.
        gap_m = distance_m(other_point, sub.position)
        trip_m = max(0.0, gap_m - other.accuracy_m - sub.accuracy_m)
        if trip_m == 0:
            continue
        # Capture times have one-second resolution: two fixes "in the same
        # second" may be up to a second apart.
        seconds = max(
            MIN_TRAVEL_SECONDS,
            abs((sub.captured_at - other.captured_at).total_seconds()),
        )
        speed = trip_m / seconds * 3.6
        if speed > limit:
            # The message names the trip and time the speed comes from, so
            # a reader can check it, and the raw gap between the positions.
            return [
                make_flag(
                    "impossible_travel",
                    speed=round(speed),
                    trip=round(trip_m),
                    distance=round(gap_m),
                    seconds=round(seconds),
                    limit=round(limit),
                    other_time=_local(other.captured_at, place.timezone),
                )
            ]
    return []


def photo_flags(
    sub: Submission, place: Placement, photo: PhotoFacts
) -> list[dict[str, Any]]:
    return [
        *exif_flags(
            photo,
            position=sub.position,
            captured_at=sub.captured_at,
            timezone=place.timezone,
            wall_clock=sub.phone_zone,
        ),
        *photo_reuse_flags(photo, now=sub.received_at, timezone=place.timezone),
    ]


def exif_flags(
    photo: PhotoFacts,
    *,
    position: Point,
    captured_at: dt.datetime,
    timezone: str,
    wall_clock: dt.tzinfo | None = None,
) -> list[dict[str, Any]]:
    """The photo's EXIF position and time against what the phone reported
    (shared with the evidence photos of daily reports).

    An EXIF time without an offset is read in ``wall_clock``, the zone the
    phone sent its time in, else in ``timezone``, the place's.
    """
    flags: list[dict[str, Any]] = []
    exif = photo.exif
    if exif.latitude is not None and exif.longitude is not None:
        gap = distance_m(Point(exif.latitude, exif.longitude), position)
        if gap > settings.FLAG_EXIF_DISTANCE_M:
            flags.append(make_flag("exif_gps_far", distance=round(gap)))
    if exif.taken_at is not None:
        taken = exif.taken_at
        if taken.tzinfo is None:
            # EXIF without an offset is the camera's wall clock: the phone's,
            # which may be in another zone than the workplace (a flexible
            # place in WITA for a WIB instansi).
            taken = taken.replace(tzinfo=wall_clock or ZoneInfo(timezone))
        minutes = abs((taken - captured_at).total_seconds()) / 60
        if minutes > settings.FLAG_EXIF_TIME_MINUTES:
            flags.append(
                make_flag(
                    "exif_time_far",
                    minutes=round(minutes),
                    photo_time=_local(taken, timezone),
                )
            )
    return flags


def photo_reuse_flags(
    photo: PhotoFacts, *, now: dt.datetime, timezone: str
) -> list[dict[str, Any]]:
    """``photo_reused`` or ``photo_near_duplicate`` against check-in photos
    (shared with the evidence photos of daily reports)."""
    reused = checkin_reads.first_with_photo(photo.sha256)
    if reused is not None:
        return [
            make_flag(
                "photo_reused",
                checkin_id=reused.id,
                who=reused.who,
                employee_ids=[reused.employee_id],
                when=_local(reused.captured_at, timezone),
            )
        ]
    near = _near_duplicate(photo, now)
    if near is not None:
        return [
            make_flag(
                "photo_near_duplicate",
                checkin_id=near.id,
                who=near.who,
                employee_ids=[near.employee_id],
                when=_local(near.captured_at, timezone),
            )
        ]
    return []


def phash_bands(phash: str) -> tuple[str, str, str, str]:
    return phash[0:4], phash[4:8], phash[8:12], phash[12:16]


# The widest band search: every value within this many bits of a band is
# probed. Radius 2 is 137 values a band and finds every pair up to
# distance 11; radius 3 would be 697 a band on the check-in's hot path.
MAX_BAND_RADIUS = 2


def band_radius(limit: int) -> int:
    """The radius the bands are probed with to find every hash within
    ``limit`` bits (at most :data:`MAX_BAND_RADIUS`).

    Two hashes at distance d differ by at most d // 4 bits in one of their
    four bands (pigeonhole), so radius r finds every pair up to 4r + 3.
    """
    return min(MAX_BAND_RADIUS, max(0, -(-(limit - 3) // 4)))


def phash_band_probes(phash: str, limit: int) -> tuple[list[str], ...]:
    """For each band of ``phash``, every band value within
    ``band_radius(limit)`` bits of it: a candidate shares one of them."""
    radius = band_radius(limit)
    probes = []
    for band in phash_bands(phash):
        value = int(band, 16)
        probes.append(
            [
                f"{value ^ sum(1 << bit for bit in flipped):04x}"
                for r in range(radius + 1)
                for flipped in combinations(range(16), r)
            ]
        )
    return tuple(probes)


def _near_duplicate(
    photo: PhotoFacts, now: dt.datetime
) -> checkin_reads.Earlier | None:
    """The earliest recent check-in whose photo is perceptually the same.

    Candidates have a band within ``band_radius`` bits of the new hash's
    (which finds every distance up to the limit, up to 11), then the exact
    Hamming distance decides.
    """
    limit = settings.FLAG_PHASH_DISTANCE
    since = now - dt.timedelta(days=settings.FLAG_NEAR_DUPLICATE_DAYS)
    # Only (id, hash) pairs: photos of one office share bands often, and
    # building a model per candidate cost more than the whole comparison.
    found = checkin_reads.first_phash_match(
        phash_band_probes(photo.phash, limit),
        since,
        lambda phash: hamming_distance(phash, photo.phash) <= limit,
    )
    return checkin_reads.checkin_named(found) if found is not None else None


def sharing_flags(sub: Submission, place: Placement) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    others = checkin_reads.names_at_spot(
        local_date=place.local_date,
        latitude=sub.position.latitude,
        longitude=sub.position.longitude,
        besides=sub.employee.pk,
    )
    if others:
        flags.append(_naming_flag("coordinates_shared", others))
    if sub.device_id:
        since = sub.received_at - dt.timedelta(days=settings.FLAG_DEVICE_SHARED_DAYS)
        users = checkin_reads.names_on_device(
            device_id=sub.device_id, since=since, besides=sub.employee.pk
        )
        if users:
            flags.append(_naming_flag("device_shared", users))
    return flags


def _naming_flag(code: str, others: list[checkin_reads.Named]) -> dict[str, Any]:
    """A flag naming the first five of ``others``, with their ids: a reader
    is told the names only if they may see every one of them (flags.py)."""
    named = others[:5]
    return make_flag(
        code,
        count=len(others),
        names=", ".join(other.name for other in named),
        employee_ids=[other.id for other in named],
    )


def time_flags(sub: Submission, place: Placement) -> list[dict[str, Any]]:
    flags: list[dict[str, Any]] = []
    gap = (sub.received_at - sub.captured_at).total_seconds() / 60
    if gap > settings.FLAG_SYNC_GAP_MINUTES:
        flags.append(make_flag("late_sync", minutes=round(gap)))
    flags.extend(_schedule_flags(sub, place))
    return flags


def _window(kind: str, schedule: DaySchedule) -> tuple[dt.datetime, dt.datetime]:
    """Masuk: [start - before, end]; pulang: [start, end + after]."""
    if kind == CheckIn.Kind.IN:
        before = dt.timedelta(minutes=settings.SCHEDULE_WINDOW_BEFORE_MINUTES)
        return schedule.start - before, schedule.end
    after = dt.timedelta(minutes=settings.SCHEDULE_WINDOW_AFTER_MINUTES)
    return schedule.start, schedule.end + after


def _schedule_flags(sub: Submission, place: Placement) -> list[dict[str, Any]]:
    """The check-in against its day's window, and the neighbouring day's.

    A window can reach past midnight: a pulang after midnight may close the
    day before (overtime, or a shift ending late; counted for that day by
    ``days.ends_day_before``), a masuk before midnight may open the next
    day's shift. Flagged only when outside every window that applies, with
    the nearest of them named.
    """
    kind = "in" if sub.kind == CheckIn.Kind.IN else "out"
    at = sub.captured_at
    own = place.schedule
    windows = [_window(sub.kind, own)] if own is not None else []
    if any(start <= at <= end for start, end in windows):
        return []
    if sub.kind == CheckIn.Kind.IN:
        ahead = place.next_schedule
        if ahead is not None:
            if opens_next_day(sub, place):
                return []
            # On a day off, a masuk outside the next day's window is a
            # day-off masuk, not an early one.
            if windows:
                windows.append(_window(sub.kind, ahead))
    elif place.previous_schedule is not None and _closes_day_before(sub, place):
        windows.append(_window(sub.kind, place.previous_schedule))
        if _inside(at, windows[-1]):
            return []
    if not windows:
        return [make_flag("non_working_day", kind=kind)]
    start, end = min(windows, key=lambda window: _distance(at, window))
    zone = ZoneInfo(place.timezone)
    local = at.astimezone(zone)
    # Ends on another day than the check-in's carry their date, so that a
    # window across midnight does not read as containing the time.
    dated = any(end.astimezone(zone).date() != local.date() for end in (start, end))
    shape = "%Y-%m-%d %H:%M" if dated else "%H:%M"
    return [
        make_flag(
            "outside_schedule",
            kind=kind,
            time=local.strftime(shape),
            window_start=start.astimezone(zone).strftime(shape),
            window_end=end.astimezone(zone).strftime(shape),
        )
    ]


def opens_next_day(sub: Submission, place: Placement) -> bool:
    """Whether this masuk opens the next day's shift (one starting at or
    just after midnight): outside its own day's window, inside the next
    day's. It then counts for that day (``services.checkin_create`` files
    it there), as a pulang after midnight can count for the day before."""
    ahead = place.next_schedule
    if sub.kind != CheckIn.Kind.IN or ahead is None:
        return False
    own = place.schedule
    if own is not None and _inside(sub.captured_at, _window(sub.kind, own)):
        return False
    return _inside(sub.captured_at, _window(sub.kind, ahead))


def _inside(moment: dt.datetime, window: tuple[dt.datetime, dt.datetime]) -> bool:
    return window[0] <= moment <= window[1]


def _distance(moment: dt.datetime, window: tuple[dt.datetime, dt.datetime]) -> float:
    return max(
        (window[0] - moment).total_seconds(), (moment - window[1]).total_seconds()
    )


def _closes_day_before(sub: Submission, place: Placement) -> bool:
    """Whether this pulang counts for the day before (the rule of
    ``days.ends_day_before``); without a masuk that day, its scheduled
    start stands in for the first one."""
    previous = place.previous_schedule
    if previous is None:
        return False
    day_before = place.local_date - dt.timedelta(days=1)
    firsts = checkin_reads.first_check_ins(
        sub.employee.pk, [day_before, place.local_date]
    )
    return ends_day_before(
        sub.captured_at,
        day_first_in=firsts.get(day_before, previous.start),
        next_first_in=firsts.get(place.local_date),
    )


def evaluate(
    sub: Submission, place: Placement, photo: PhotoFacts
) -> list[dict[str, Any]]:
    """Every flag for a new check-in, in a stable order."""
    return [
        *location_flags(sub, place),
        *travel_flags(sub, place),
        *photo_flags(sub, place, photo),
        *sharing_flags(sub, place),
        *time_flags(sub, place),
    ]
