"""Reads for the activity feed: replay after a gap, the live tail, and the
team summary a dashboard shows next to the feed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from backend.activity.audience import audience_q, named_audiences
from backend.activity.models import ActivityEvent
from backend.attendance.days import TL, compute_day, counting_checkins
from backend.attendance.models import CheckIn
from backend.attendance.schedules import ScheduleBook
from backend.organization.models import Employee, Unit
from backend.organization.visibility import (
    Viewer,
    auditable_employees_q,
    viewer_for,
    visible_employees_q,
)

# A client coming back after a gap gets at most this much of what it missed.
REPLAY_MAX_EVENTS = 1000
REPLAY_MAX_AGE = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Replay:
    events: list[ActivityEvent]
    # Some missed events were left out (older than REPLAY_MAX_AGE, or more
    # than REPLAY_MAX_EVENTS of them): the client should reload its view.
    truncated: bool


def latest_event_id() -> int:
    """The id of the newest committed event (0 when there is none)."""
    newest = ActivityEvent.objects.aggregate(newest=Max("id"))["newest"]
    return int(newest or 0)


def events_after(after: int, *, limit: int) -> list[ActivityEvent]:
    """Every event with an id above ``after``, oldest first, at most
    ``limit`` of them, whoever may see them (the realtime process filters),
    each with the audience of the employees its flags name."""
    events = list(ActivityEvent.objects.filter(id__gt=after).order_by("id")[:limit])
    named_audiences(events)
    return events


def events_visible_to(
    user: Any,
    *,
    after: int,
    upto: int | None = None,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> Replay:
    """The events ``user`` may see with ``after < id <= upto``, oldest first.

    Bounded: only events of the last ``REPLAY_MAX_AGE``, and only the newest
    ``limit`` (default ``REPLAY_MAX_EVENTS``) of them; ``truncated`` says
    that older ones were left out.
    """
    limit = REPLAY_MAX_EVENTS if limit is None else limit
    viewer = viewer_for(user)
    visible = ActivityEvent.objects.filter(audience_q(viewer))
    if upto is not None:
        visible = visible.filter(id__lte=upto)
    cutoff = (now or timezone.now()) - REPLAY_MAX_AGE
    # Ids grow in commit order (backend.activity.services) and times are
    # taken just before the commit, so they grow together (to within a
    # transaction's last milliseconds):
    # the window starts at the first event at or after the cutoff.
    first_recent = (
        ActivityEvent.objects.filter(at__gte=cutoff)
        .order_by("at", "id")
        .values_list("id", flat=True)
        .first()
    )
    if first_recent is None:
        # Nothing recent at all: everything after ``after`` is too old.
        floor = max(after, upto if upto is not None else latest_event_id())
    else:
        floor = max(after, first_recent - 1)
    newest_first = list(visible.filter(id__gt=floor).order_by("-id")[: limit + 1])
    truncated = len(newest_first) > limit
    events = newest_first[:limit][::-1]
    named_audiences(events)
    if not truncated and floor > after:
        truncated = visible.filter(id__gt=after, id__lte=floor).exists()
    return Replay(events=events, truncated=truncated)


@dataclass(frozen=True)
class TeamSummary:
    """Today's attendance of the employees a viewer may see.

    ``present``: checked in today; ``late`` and ``flexible``: of those, who
    arrived after the start (plus grace) and who checked in from an approved
    flexible location; ``absent``: a working day for them and no check-in
    yet; ``flagged``: someone with a check-in of today awaiting review,
    auditors counting everyone of their instansi.
    """

    date: dt.date
    total: int
    present: int
    late: int
    absent: int
    flexible: int
    flagged: int


def team_summary(user: Any, *, now: dt.datetime | None = None) -> TeamSummary:
    """Counts for a dashboard, so that it need not recount the feed.

    About ten queries whatever the team's size: employees are counted per
    unit, and only those who checked in today are loaded.
    """
    viewer = viewer_for(user)
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(_zone_of(viewer))).date()
    if viewer.user_id is None:
        return TeamSummary(today, 0, 0, 0, 0, 0, 0)

    per_unit = dict(
        Employee.objects.filter(visible_employees_q(viewer))
        .values("unit_id")
        .annotate(count=Count("id"))
        .values_list("unit_id", "count")
    )
    units = list(Unit.objects.filter(pk__in=per_unit).select_related("instansi"))
    book = ScheduleBook.load({unit.instansi_id for unit in units}, today, today)
    # Without a check-in the unit's schedule applies (no workplace is known):
    # one answer per unit, however many employees it has.
    working_units = {
        unit.pk
        for unit in units
        if book.day_schedule(employee=Employee(unit=unit), day=today) is not None
    }

    by_employee: dict[int, list[CheckIn]] = defaultdict(list)
    for checkin in (
        counting_checkins()
        .filter(visible_employees_q(viewer, prefix="employee__"), local_date=today)
        .select_related("workplace", "employee__unit__instansi")
        .order_by("captured_at", "pk")
    ):
        by_employee[checkin.employee_id].append(checkin)

    present = late = flexible = present_on_duty = 0
    flagged_ids: set[int] = set()
    for employee_id, checkins in by_employee.items():
        if any(c.status == CheckIn.Status.NEEDS_REVIEW for c in checkins):
            flagged_ids.add(employee_id)
        first_in = next((c for c in checkins if c.kind == CheckIn.Kind.IN), None)
        if first_in is None:
            continue
        employee = first_in.employee
        present += 1
        present_on_duty += employee.unit_id in working_units
        flexible += first_in.mode == CheckIn.Mode.FLEXIBLE
        schedule = book.day_schedule(
            employee=employee, day=today, workplace=first_in.workplace
        )
        day = compute_day(
            day=today,
            schedule=schedule,
            checkins=checkins,
            now=now,
            timezone=employee.unit.instansi.timezone,
        )
        late += TL in day.codes

    if viewer.auditor_instansi_ids:
        flagged_ids.update(
            CheckIn.objects.filter(
                auditable_employees_q(viewer, prefix="employee__"),
                local_date=today,
                status=CheckIn.Status.NEEDS_REVIEW,
            )
            .values_list("employee_id", flat=True)
            .distinct()
        )
    on_duty = sum(per_unit[unit_id] for unit_id in working_units)
    return TeamSummary(
        date=today,
        total=sum(per_unit.values()),
        present=present,
        late=late,
        absent=on_duty - present_on_duty,
        flexible=flexible,
        flagged=len(flagged_ids),
    )


def _zone_of(viewer: Viewer) -> str:
    """The viewer's own time zone (their instansi's), for "today"."""
    if viewer.employee_id is not None:
        zone = (
            Employee.objects.filter(pk=viewer.employee_id)
            .values_list("unit__instansi__timezone", flat=True)
            .first()
        )
        if zone:
            return str(zone)
    return str(settings.TIME_ZONE)
