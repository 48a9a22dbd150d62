"""What a reviewer should know about a daily report and its evidence.

Every signal is an explained flag (``{"code", "severity", "params"}``, put
into words when shown) for a human, never a block: the same rules as the
check-in flags (DOMAIN.md, "Fraud patterns"), applied to evidence photos,
plus two questions about the report itself:

- Does the evidence support the claim? Field work (``flexible``) with no
  geotagged photo, a claimed place that no photo was taken near, photos
  taken outside the claimed hours.
- What does attendance say about that day? No check-in on a working day, or
  a check-in that awaits review.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.attendance import verification
from backend.attendance.days import counting_checkins
from backend.attendance.flags import (
    CRITICAL,
    INFO,
    KINDS,
    WARNING,
    FlagKind,
    Names,
    needs_review,
    render_flags,
)
from backend.attendance.models import CheckIn
from backend.attendance.schedules import day_schedule
from backend.lib.geo import Point, distance_m
from backend.lib.photos import PhotoFacts, hamming_distance
from backend.organization.models import Employee
from backend.performance.models import ReportEvidence, WorkMode

_REPORT_KINDS = [
    FlagKind(
        "evidence_reused",
        CRITICAL,
        _(
            "The same photo file is already evidence of report %(report_id)d "
            "(%(who)s, %(date)s)."
        ),
        _("The same photo file is already evidence of an earlier report."),
    ),
    FlagKind(
        "evidence_near_duplicate",
        WARNING,
        _(
            "The photo is nearly identical to evidence of report %(report_id)d "
            "(%(who)s, %(date)s)."
        ),
        _("The photo is nearly identical to evidence of an earlier report."),
    ),
    FlagKind(
        "field_work_unsupported",
        WARNING,
        _("Claims field work, but no geotagged photo supports it."),
    ),
    FlagKind(
        "evidence_far_from_place",
        WARNING,
        _(
            "No evidence photo was taken near the claimed place %(place)s: the "
            "nearest is %(distance)d m away (limit %(limit)d m)."
        ),
    ),
    FlagKind(
        "evidence_outside_hours",
        WARNING,
        _(
            "%(count)d evidence photo(s) taken outside the claimed hours "
            "%(start)s-%(end)s on %(date)s."
        ),
    ),
    FlagKind(
        "evidence_flagged",
        WARNING,
        _("%(count)d evidence photo(s) carry warnings; see each photo."),
    ),
    FlagKind(
        "attendance_missing",
        WARNING,
        _("No check-in on %(date)s, a working day, for the hours this report claims."),
    ),
    FlagKind(
        "attendance_flagged",
        WARNING,
        _("A check-in of %(date)s is flagged and awaits review."),
    ),
    FlagKind(
        "day_off",
        INFO,
        _("%(date)s is a day off (weekend or holiday)."),
    ),
]
# Evidence photos reuse the check-in flags (EXIF, reuse of a check-in photo).
REPORT_KINDS: dict[str, FlagKind] = {
    **KINDS,
    **{kind.code: kind for kind in _REPORT_KINDS},
}


def render(
    flags: list[dict[str, Any]],
    *,
    for_subject: bool = False,
    names: Names | None = None,
) -> list[dict[str, str]]:
    """Signals with their explanation in the active language; naming other
    employees only to a reader who may see them (flags.render_flags)."""
    return render_flags(flags, REPORT_KINDS, for_subject=for_subject, names=names)


def _make(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "severity": REPORT_KINDS[code].severity, "params": params}


@dataclass(frozen=True)
class EvidencePhoto:
    """An accepted evidence photo with what the phone reported about it."""

    facts: PhotoFacts
    position: Point
    accuracy_m: float
    captured_at: dt.datetime


def evidence_photo_flags(
    photo: EvidencePhoto, *, now: dt.datetime, timezone: str
) -> list[dict[str, Any]]:
    """EXIF against the reported position and time, and reuse of a check-in
    photo or of another report's evidence."""
    flags = verification.exif_flags(
        photo.facts,
        position=photo.position,
        captured_at=photo.captured_at,
        timezone=timezone,
    )
    flags += verification.photo_reuse_flags(photo.facts, now=now, timezone=timezone)
    if any(flag["code"] == "photo_reused" for flag in flags):
        return flags
    reused = (
        ReportEvidence.objects.filter(sha256=photo.facts.sha256, kind="photo")
        .select_related("report__employee")
        .order_by("id")
        .first()
    )
    if reused is not None:
        return [*flags, _evidence_match("evidence_reused", reused)]
    near = _near_duplicate(photo.facts, now)
    if near is not None:
        flags.append(_evidence_match("evidence_near_duplicate", near))
    return flags


def _evidence_match(code: str, evidence: ReportEvidence) -> dict[str, Any]:
    employee = evidence.report.employee
    return _make(
        code,
        report_id=evidence.report_id,
        who=f"{employee.name} ({employee.nip})",
        date=evidence.report.date.isoformat(),
        employee_ids=[employee.pk],
    )


def _near_duplicate(photo: PhotoFacts, now: dt.datetime) -> ReportEvidence | None:
    """The earliest recent evidence photo perceptually the same as ``photo``.

    The band search of the check-in near-duplicates
    (``verification.phash_band_probes``), on evidence rows.
    Every candidate is weighed, (id, hash) pairs in batches, so that a band
    shared by many photos cannot hide the one that matches.
    """
    limit = settings.FLAG_PHASH_DISTANCE
    probes = verification.phash_band_probes(photo.phash, limit)
    since = now - dt.timedelta(days=settings.FLAG_NEAR_DUPLICATE_DAYS)
    candidates = (
        ReportEvidence.objects.filter(
            Q(phash_band0__in=probes[0])
            | Q(phash_band1__in=probes[1])
            | Q(phash_band2__in=probes[2])
            | Q(phash_band3__in=probes[3]),
            kind="photo",
            created_at__gte=since,
        )
        .order_by("id")
        .values_list("id", "phash")
    )
    for pk, phash in candidates.iterator(chunk_size=500):
        if hamming_distance(phash, photo.phash) <= limit:
            return ReportEvidence.objects.select_related("report__employee").get(pk=pk)
    return None


@dataclass(frozen=True)
class Claim:
    """What a report claims: when, how and (optionally) where."""

    employee: Employee
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    work_mode: str
    place_name: str
    place: Point | None


def report_signals(
    claim: Claim, evidence: Sequence[ReportEvidence], *, timezone: str
) -> list[dict[str, Any]]:
    """Signals about the report as a whole (evidence rows already flagged)."""
    return [
        *_support_signals(claim, evidence, timezone=timezone),
        *attendance_signals(claim.employee, claim.date, timezone=timezone),
    ]


def _support_signals(
    claim: Claim, evidence: Sequence[ReportEvidence], *, timezone: str
) -> list[dict[str, Any]]:
    signals: list[dict[str, Any]] = []
    photos = [
        item
        for item in evidence
        if item.kind == ReportEvidence.Kind.PHOTO and item.latitude is not None
    ]
    if claim.work_mode == WorkMode.FLEXIBLE and not photos:
        signals.append(_make("field_work_unsupported"))
    if claim.place is not None and photos:
        nearest = min(
            distance_m(claim.place, Point(item.latitude or 0, item.longitude or 0))
            for item in photos
        )
        limit = settings.REPORT_EVIDENCE_PLACE_RADIUS_M
        if nearest > limit:
            signals.append(
                _make(
                    "evidence_far_from_place",
                    place=claim.place_name
                    or f"{claim.place.latitude:.5f}, {claim.place.longitude:.5f}",
                    distance=round(nearest),
                    limit=round(limit),
                )
            )
    zone = ZoneInfo(timezone)
    tolerance = dt.timedelta(minutes=settings.REPORT_EVIDENCE_TIME_TOLERANCE_MINUTES)
    window_start = dt.datetime.combine(claim.date, claim.start_time, zone) - tolerance
    window_end = dt.datetime.combine(claim.date, claim.end_time, zone) + tolerance
    outside = [
        item
        for item in photos
        if item.captured_at is not None
        and not window_start <= item.captured_at <= window_end
    ]
    if outside:
        signals.append(
            _make(
                "evidence_outside_hours",
                count=len(outside),
                start=claim.start_time.strftime("%H:%M"),
                end=claim.end_time.strftime("%H:%M"),
                date=claim.date.isoformat(),
            )
        )
    flagged = [item for item in photos if needs_review(item.flags)]
    if flagged:
        signals.append(_make("evidence_flagged", count=len(flagged)))
    return signals


def attendance_signals(
    employee: Employee, day: dt.date, *, timezone: str
) -> list[dict[str, Any]]:
    """The attendance of the report's day, for the reviewer."""
    schedule = day_schedule(employee=employee, day=day, timezone=timezone)
    if schedule is None:
        return [_make("day_off", date=day.isoformat())]
    checkins = list(
        counting_checkins()
        .filter(employee=employee, local_date=day)
        .only("kind", "status")
    )
    signals: list[dict[str, Any]] = []
    if not any(c.kind == CheckIn.Kind.IN for c in checkins):
        signals.append(_make("attendance_missing", date=day.isoformat()))
    if any(c.status == CheckIn.Status.NEEDS_REVIEW for c in checkins):
        signals.append(_make("attendance_flagged", date=day.isoformat()))
    return signals
