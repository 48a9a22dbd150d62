"""Writes for the activity feed: events recorded in the change's transaction.

Domain services call these inside the transaction of the change they
report (the check-in service right after saving the check-in). The row
commits or rolls back with the change; after commit ``realtime.publish``
pushes it to the sockets that may see it.

Event ids must grow in commit order: a client that has seen event N resumes
with "everything after N", which would skip an event N-1 that committed
after N. SQLite gives this for free (one writer at a time, and Pantau opens
write transactions with BEGIN IMMEDIATE). On PostgreSQL a sequence hands
ids out before commit, so migration 0002 renumbers each event at COMMIT:
a deferred trigger takes a transaction-scoped advisory lock and gives the
row a fresh id, one committing transaction at a time. The lock
lives only inside the commit, not across round trips to the application
(where, at the morning rush, the thread holding it waited for the GIL while
every other check-in waited for it). The id an insert returns there is
provisional (``models.ids_final_at_insert``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from backend.activity.models import ActivityEvent
from backend.attendance.flags import needs_review
from backend.attendance.models import CheckIn
from backend.lib.row_insert import insert_rows
from backend.organization.models import Employee
from realtime.publish import publish_on_commit


def event_record(
    *,
    type: str,
    actor: Employee | Any,
    data: dict[str, Any],
    flagged: bool = False,
    about: Employee | None = None,
) -> ActivityEvent:
    """Record one feed event and publish it after commit.

    ``actor`` did it: an employee, or a user without an employee record (an
    admin). ``about`` is the employee whose records the event belongs to
    (default: the actor); the audience follows them: themselves, their
    supervisors up the chain and the admins of their units, plus the
    auditors of their instansi when ``flagged``. ``data`` must be JSON.
    """
    return _events_record([(type, flagged)], actor=actor, data=data, about=about)[0]


def _events_record(
    kinds: list[tuple[str, bool]],
    *,
    actor: Employee | Any,
    data: dict[str, Any],
    about: Employee | None = None,
) -> list[ActivityEvent]:
    """``event_record`` for several (type, flagged) events about the same
    facts, in that order, with one INSERT (ids ascend in list order)."""
    subject = about if about is not None else actor
    if not isinstance(subject, Employee):
        raise TypeError("event_record: 'about' must be an employee")
    unit = subject.unit
    at = timezone.now()
    is_employee = isinstance(actor, Employee)
    events = [
        ActivityEvent(
            type=type,
            at=at,
            actor_nip=actor.nip if is_employee else "",
            actor_name=_actor_name(actor),
            actor_unit=actor.unit.name if is_employee else "",
            employee=subject,
            chain=subject.chain,
            unit_path=unit.path,
            instansi_id=unit.instansi_id,
            flagged=flagged,
            data=data,
        )
        for type, flagged in kinds
    ]
    with transaction.atomic(savepoint=False):
        insert_rows(*events)
        publish_on_commit(*events)
    return events


def checkin_events(checkin: CheckIn) -> list[ActivityEvent]:
    """Record ``checkin.created`` and, when the check-in needs review,
    ``checkin.flagged`` (the one auditors see). Call inside the check-in's
    transaction."""
    kinds: list[tuple[str, bool]] = [(ActivityEvent.Type.CHECKIN_CREATED, False)]
    if needs_review(checkin.flags):
        kinds.append((ActivityEvent.Type.CHECKIN_FLAGGED, True))
    return _events_record(kinds, actor=checkin.employee, data=checkin_data(checkin))


def checkin_reviewed_event(*, checkin: CheckIn, reviewer: Any) -> ActivityEvent:
    """Record ``checkin.reviewed`` for the review workflow: ``reviewer`` (an
    employee or an admin user) decided on a flagged check-in, whose
    ``status`` now holds the verdict. Auditors see it as a flagged item."""
    return event_record(
        type=ActivityEvent.Type.CHECKIN_REVIEWED,
        actor=reviewer,
        about=checkin.employee,
        data=checkin_data(checkin),
        flagged=True,
    )


def checkin_data(checkin: CheckIn) -> dict[str, Any]:
    """The facts of a check-in that the feed shows (flags unrendered: they
    are put into words for each reader, in their language)."""
    workplace = checkin.workplace
    return {
        "checkin_id": checkin.pk,
        "kind": checkin.kind,
        "status": checkin.status,
        "mode": checkin.mode,
        "captured_at": checkin.captured_at.isoformat(),
        "position": {
            "latitude": checkin.latitude,
            "longitude": checkin.longitude,
            "accuracy_m": checkin.accuracy_m,
        },
        "geofence": checkin.geofence,
        "distance_m": checkin.distance_m,
        "workplace": (
            {"id": workplace.pk, "name": workplace.name} if workplace else None
        ),
        "flags": checkin.flags,
    }


def events_prune(*, before: dt.datetime) -> int:
    """Delete the events older than ``before``; returns how many. The feed
    replays at most the last day, so older rows only take space."""
    deleted, _by_model = ActivityEvent.objects.filter(at__lt=before).delete()
    return deleted


def _actor_name(actor: Any) -> str:
    if isinstance(actor, Employee):
        return actor.name
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return str(full_name or actor.get_username())
