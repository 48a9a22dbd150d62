"""Writes for attendance: creating check-ins.

``checkin_create`` is the only way a check-in row comes to exist. Its order
of work is chosen for the 07:00-08:00 rush: everything that can refuse the
request happens before anything is written, the photo is decoded once at
1/8 scale, and the thumbnail is left for the first person who opens it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from dataclasses import dataclass
from time import monotonic
from typing import Any, BinaryIO, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.activity.services import checkin_events
from backend.attendance import checkin_reads, verification
from backend.attendance.days import usual_workplace
from backend.attendance.flags import flag_codes_text, needs_review, risk_score
from backend.attendance.models import CheckIn, Workplace
from backend.attendance.schedules import DaySchedule, day_schedule
from backend.attendance.selectors import unit_workplaces, workplaces_for
from backend.audit.services import audit_record
from backend.flexwork.selectors import approved_locations
from backend.lib.durable_files import remove_quietly, write_durably
from backend.lib.geo import Circle, FenceResult, Point, classify, validate_polygon
from backend.lib.group_commit import commit_together
from backend.lib.photos import PhotoFacts, inspect_photo
from backend.lib.refusals import ReplayConflict
from backend.lib.row_insert import insert_rows
from backend.organization.models import Employee


class CheckInConflict(ReplayConflict):
    """The client_uuid was used before for a different check-in (409)."""

    def __init__(self, existing: CheckIn) -> None:
        super().__init__(
            _("This client_uuid was already used for a different check-in."), existing
        )


@dataclass(frozen=True)
class CheckInResult:
    checkin: CheckIn
    created: bool


def _fingerprint(
    *,
    kind: str,
    latitude: float,
    longitude: float,
    accuracy_m: float,
    captured_at: dt.datetime,
    photo_sha256: str,
    is_mock: bool | None,
    device_id: str,
    note: str,
) -> str:
    canonical = "|".join(
        [
            kind,
            repr(float(latitude)),
            repr(float(longitude)),
            repr(float(accuracy_m)),
            captured_at.astimezone(dt.UTC).isoformat(),
            photo_sha256,
            repr(is_mock),
            device_id,
            note,
        ]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _fence_of(workplace: Workplace) -> Any:
    if workplace.polygon:
        return validate_polygon(workplace.polygon)
    return Circle(
        Point(float(workplace.latitude), float(workplace.longitude)),
        float(workplace.radius_m),
    )


_RANK = {"inside": 0, "uncertain": 1, "outside": 2}

# Every check-in needs the employee's workplaces and their fences (a shapely
# polygon is built from the stored points): those of the employee's unit and
# the units above it, plus any the employee is assigned to by name. The
# unit's share changes rarely and is the same for everyone in the unit, so
# each process keeps it per unit for WORKPLACE_CACHE_SECONDS (0 turns the
# cache off): at the morning rush, when each employee checks in once, the
# first of a unit pays the query. Individual assignments are rare; one
# narrow statement per check-in finds them. Saving or deleting a workplace
# clears this process's cache at once (see AttendanceConfig.ready); other
# worker processes see the change within the TTL.
_FENCES: dict[str, tuple[float, list[tuple[Workplace, Any]]]] = {}
_FENCES_LOCK = threading.Lock()
_FENCES_MAX = 4096


def forget_workplaces(**kwargs: Any) -> None:
    """Signal receiver: drop this process's cached workplaces and fences."""
    with _FENCES_LOCK:
        _FENCES.clear()


def _unit_fences(unit_path: str) -> list[tuple[Workplace, Any]]:
    ttl = settings.WORKPLACE_CACHE_SECONDS
    now = monotonic()
    hit = _FENCES.get(unit_path)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    fenced = [(w, _fence_of(w)) for w in unit_workplaces(unit_path)]
    with _FENCES_LOCK:
        if len(_FENCES) >= _FENCES_MAX:
            _FENCES.clear()
        _FENCES[unit_path] = (now, fenced)
    return fenced


def fenced_workplaces(employee: Employee) -> list[tuple[Workplace, Any]]:
    """The employee's active workplaces (``workplaces_for``) with their
    fences, by name; the unit's from the per-process cache when fresh."""
    if settings.WORKPLACE_CACHE_SECONDS <= 0:
        return [(w, _fence_of(w)) for w in workplaces_for(employee)]
    fenced = _unit_fences(employee.unit.path)
    assigned = checkin_reads.assigned_workplace_ids(employee.pk)
    known = {workplace.pk for workplace, _fence in fenced}
    missing = [pk for pk in assigned if pk not in known]
    if not missing:
        return fenced
    extra = Workplace.objects.filter(pk__in=missing, is_active=True)
    return sorted(
        [*fenced, *((w, _fence_of(w)) for w in extra)],
        key=lambda pair: (pair[0].name, pair[0].pk),
    )


def place_position(
    employee: Employee, position: Point, accuracy_m: float
) -> tuple[Workplace | None, FenceResult | None]:
    """The best of the employee's workplaces for this position: inside beats
    uncertain beats outside. Among those inside, the smallest fence: an
    office's building inside a compound fenced for its whole OPD is where
    the employee is. Otherwise the nearest edge."""
    best: tuple[Workplace | None, FenceResult | None] = (None, None)
    best_key: tuple[int, float] | None = None
    for workplace, fence in fenced_workplaces(employee):
        result = classify(position, accuracy_m, fence)
        key = (
            _RANK[result.state],
            fence.area_m2 if result.state == "inside" else result.edge_distance_m,
        )
        if best_key is None or key < best_key:
            best, best_key = (workplace, result), key
    return best


class DayPlace(NamedTuple):
    workplace: Workplace | None
    fence: FenceResult | None
    mode: str
    place_name: str
    # Set when approved flexible-work locations exist that day and none
    # placed the position: the nearest of them.
    nearest_approved: verification.ApprovedPlace | None = None


def place_for_day(
    employee: Employee, position: Point, accuracy_m: float, captured_at: dt.datetime
) -> DayPlace:
    """``place_position``, then the approved flexible-work locations of the
    day (in the instansi's calendar).

    Inside a workplace stays "office". Otherwise a flexible location that
    places the position better (inside, or uncertain with a nearer edge)
    wins, with mode "flexible" and the workplace of another office, or none.
    """
    workplace, fence = place_position(employee, position, accuracy_m)
    best = DayPlace(
        workplace, fence, CheckIn.Mode.OFFICE, workplace.name if workplace else ""
    )
    if fence is not None and fence.state == "inside":
        return best
    day = captured_at.astimezone(ZoneInfo(employee.unit.instansi.timezone)).date()
    best_key = (_RANK[fence.state], fence.edge_distance_m) if fence else None
    nearest: tuple[float, verification.ApprovedPlace] | None = None
    for location in approved_locations(employee, day):
        if location.circle is not None:
            shape: Any = location.circle
        elif location.workplace is not None:
            shape = _fence_of(location.workplace)
        else:
            continue
        result = classify(position, accuracy_m, shape)
        key = (_RANK[result.state], result.edge_distance_m)
        if result.state != "outside" and (best_key is None or key < best_key):
            best_key = key
            best = DayPlace(
                location.workplace, result, CheckIn.Mode.FLEXIBLE, location.label
            )
        if nearest is None or result.edge_distance_m < nearest[0]:
            nearest = (
                result.edge_distance_m,
                verification.ApprovedPlace(location.label, result.distance_m),
            )
    if best.mode == CheckIn.Mode.OFFICE and nearest is not None:
        return best._replace(nearest_approved=nearest[1])
    return best


def _validate_offset(captured_at: dt.datetime) -> None:
    if timezone.is_naive(captured_at):
        raise ValidationError(
            {
                "captured_at": _(
                    "Give the time with its UTC offset, e.g. 2026-11-27T07:24:00+07:00."
                )
            }
        )


def _validate_window(captured_at: dt.datetime, received_at: dt.datetime) -> None:
    """A new check-in's capture time against the server's clock (a replay
    is answered whatever the clock says now)."""
    skew = dt.timedelta(seconds=settings.CHECKIN_CLOCK_SKEW_SECONDS)
    if captured_at > received_at + skew:
        raise ValidationError(
            {
                "captured_at": _(
                    "The capture time is in the future; check the phone's clock."
                )
            }
        )
    window = dt.timedelta(hours=settings.CHECKIN_OFFLINE_WINDOW_HOURS)
    if captured_at < received_at - window:
        raise ValidationError(
            {
                "captured_at": _(
                    "The capture time is more than %(hours)d hours ago; "
                    "offline check-ins must be sent within that window."
                )
                % {"hours": settings.CHECKIN_OFFLINE_WINDOW_HOURS}
            }
        )


def _existing(employee: Employee, client_uuid: uuid.UUID) -> CheckIn | None:
    # Almost every send is new: probe the unique index with a narrow query
    # and load the whole row only for a replay.
    found = checkin_reads.existing_id(employee.pk, client_uuid)
    if found is None:
        return None
    return CheckIn.objects.select_related("workplace", "employee").get(pk=found)


def _replay(existing: CheckIn, fingerprint: str) -> CheckInResult:
    if existing.fingerprint != fingerprint:
        raise CheckInConflict(existing)
    return CheckInResult(checkin=existing, created=False)


def checkin_create(
    *,
    employee: Employee,
    client_uuid: uuid.UUID,
    kind: str,
    latitude: float,
    longitude: float,
    accuracy_m: float,
    captured_at: dt.datetime,
    photo: BinaryIO,
    is_mock: bool | None = None,
    device_id: str = "",
    note: str = "",
    received_at: dt.datetime | None = None,
    ip: str | None = None,
) -> CheckInResult:
    """Record a check-in, or return the one already recorded for ``client_uuid``.

    ``captured_at`` is aware, with the offset the phone sent.

    Raises ``ValidationError`` (bad field), ``PhotoRejected`` (413/415/400),
    ``CheckInConflict`` (same client_uuid, different content) and
    ``StorageFull``. On success the photo is fsynced and the row committed.
    """
    received_at = received_at or timezone.now()
    _validate_offset(captured_at)
    # The offset the phone sent reads the photo's EXIF time when that has
    # none (the camera's wall clock is the phone's); everything else takes
    # the time in the current zone.
    phone_zone = captured_at.tzinfo
    captured_at = captured_at.astimezone(timezone.get_current_timezone())
    data = photo.read(settings.PHOTO_MAX_BYTES + 1)
    photo_sha256 = hashlib.sha256(data).hexdigest()
    fingerprint = _fingerprint(
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        captured_at=captured_at,
        photo_sha256=photo_sha256,
        is_mock=is_mock,
        device_id=device_id,
        note=note,
    )
    existing = _existing(employee, client_uuid)
    if existing is not None:
        # A phone retrying after a lost answer: no second row, same body.
        return _replay(existing, fingerprint)
    # After the replay lookup: a phone that retries a check-in it sent in
    # time, after the window has passed, is told it was recorded.
    _validate_window(captured_at, received_at)

    facts: PhotoFacts = inspect_photo(
        data,
        max_bytes=settings.PHOTO_MAX_BYTES,
        max_pixels=settings.PHOTO_MAX_PIXELS,
        sha256=photo_sha256,
    )
    position = Point(latitude, longitude)
    workplace, fence, mode, place_name, nearest_approved = place_for_day(
        employee, position, accuracy_m, captured_at
    )
    zone_name = workplace.timezone if workplace else employee.unit.instansi.timezone
    local_date = captured_at.astimezone(ZoneInfo(zone_name)).date()
    # Away from every workplace (a flexible place of its own) the schedule
    # is the usual workplace's, as daily attendance judges such a day.
    scheduled_at = workplace or usual_workplace(employee)

    def schedule_of(day: dt.date) -> DaySchedule | None:
        return day_schedule(
            employee=employee, day=day, workplace=scheduled_at, timezone=zone_name
        )

    # A window reaching past midnight: the day before may still be open for
    # a pulang, the next day's shift may already be open for a masuk.
    neighbour_day = local_date + dt.timedelta(days=1 if kind == CheckIn.Kind.IN else -1)
    neighbour = schedule_of(neighbour_day)
    place = verification.Placement(
        workplace=workplace,
        fence=fence,
        timezone=zone_name,
        mode=mode,
        place_name=place_name,
        nearest_approved=nearest_approved,
        local_date=local_date,
        schedule=schedule_of(local_date),
        previous_schedule=None if kind == CheckIn.Kind.IN else neighbour,
        next_schedule=neighbour if kind == CheckIn.Kind.IN else None,
    )
    submission = verification.Submission(
        employee=employee,
        kind=kind,
        position=position,
        accuracy_m=accuracy_m,
        captured_at=captured_at,
        received_at=received_at,
        is_mock=is_mock,
        device_id=device_id,
        phone_zone=phone_zone,
    )
    flags = verification.evaluate(submission, place, facts)
    if verification.opens_next_day(submission, place):
        # A masuk just before a shift that starts at midnight belongs to
        # the shift's day, for daily attendance and everything after it.
        local_date += dt.timedelta(days=1)

    relative = f"checkins/{local_date:%Y/%m/%d}/{uuid.uuid4().hex}.{facts.extension}"
    write_durably(settings.MEDIA_ROOT, relative, data)
    bands = verification.phash_bands(facts.phash)
    checkin = CheckIn(
        employee=employee,
        client_uuid=client_uuid,
        fingerprint=fingerprint,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        accuracy_m=accuracy_m,
        captured_at=captured_at,
        received_at=received_at,
        local_date=local_date,
        is_mock=is_mock,
        device_id=device_id,
        note=note,
        workplace=workplace,
        distance_m=round(fence.distance_m, 1) if fence else None,
        geofence=fence.state if fence else CheckIn.Geofence.OUTSIDE,
        mode=mode,
        status=(
            CheckIn.Status.NEEDS_REVIEW
            if needs_review(flags)
            else CheckIn.Status.VERIFIED
        ),
        flags=flags,
        risk=risk_score(flags),
        flag_codes=flag_codes_text(flags),
        photo=relative,
        photo_sha256=facts.sha256,
        photo_phash=facts.phash,
        phash_band0=bands[0],
        phash_band1=bands[1],
        phash_band2=bands[2],
        phash_band3=bands[3],
        photo_format=facts.format,
        photo_width=facts.width,
        photo_height=facts.height,
        photo_size=facts.size_bytes,
        exif=facts.exif_dict(),
    )

    def record() -> None:
        insert_rows(checkin)
        # The feed's events commit or roll back with the check-in.
        checkin_events(checkin)
        # Last: the audit chain's head stays locked until the commit,
        # so other check-ins of its chain wait for as little as can be.
        audit_record(
            actor=employee,
            action="checkin.created",
            target=checkin,
            after=_audit_facts(checkin),
            ip=ip,
        )

    try:
        # Committed, perhaps together with other check-ins arriving at the
        # same moment, before this returns.
        commit_together(record)
    except IntegrityError:
        # Lost the race against a concurrent send of the same check-in: the
        # unique constraint kept one row; answer with that one.
        remove_quietly(settings.MEDIA_ROOT, relative)
        winner = _existing(employee, client_uuid)
        if winner is None:
            raise
        return _replay(winner, fingerprint)
    except BaseException:
        # Not recorded: a value the database refused, the database
        # unavailable (the phone will send again, with another file).
        _remove_unrecorded(employee, client_uuid, relative)
        raise
    return CheckInResult(checkin=checkin, created=True)


def _remove_unrecorded(
    employee: Employee, client_uuid: uuid.UUID, relative: str
) -> None:
    """Remove the photo of a check-in whose write failed, unless its row
    is there after all (a COMMIT whose answer was lost) or that cannot be
    asked now; ``purge_unreferenced_uploads`` then decides, later."""
    try:
        recorded = checkin_reads.existing_id(employee.pk, client_uuid) is not None
    except DatabaseError:
        return
    if not recorded:
        remove_quietly(settings.MEDIA_ROOT, relative)


def _audit_facts(checkin: CheckIn) -> dict[str, Any]:
    return {
        "kind": checkin.kind,
        "status": checkin.status,
        "mode": checkin.mode,
        "geofence": checkin.geofence,
        "workplace_id": checkin.workplace_id,
        "captured_at": checkin.captured_at,
        "flags": sorted({flag["code"] for flag in checkin.flags}),
        "photo_sha256": checkin.photo_sha256,
    }
