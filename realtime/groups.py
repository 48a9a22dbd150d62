"""Channel-layer groups of the feed, named in one place.

- ``feed.employee.<id>``: that employee's own sockets. An event about an
  employee goes to their group and to the group of every supervisor in
  their chain, so a supervisor hears about their whole team.
- ``feed.unit.<id>``: sockets of that unit's admins; an event goes to the
  group of the employee's unit and of every unit above it.
- ``feed.audit.<instansi id>``: auditors of the instansi; flagged events only.
- ``feed.all``: superusers.
- ``feed.user.<id>``: every socket of that user; its ``viewer.changed``
  message makes them re-read what the user may see, after the user's roles
  or place in the hierarchy changed.
- ``feed.token.<digest>``: the sockets opened with one API token (the first
  64 characters of its digest); its message closes them when the token is
  deleted.
- ``feed.session.<hash>``: the sockets of one browser session (SHA-256 of
  the session key, which never leaves the server itself); its message
  closes them when the user logs out.

A group message only wakes a socket up: what it then sends is decided by
``backend.activity.audience.can_see``, so a wrong group could delay an
event by a sweep (realtime.outbox) but never show it to the wrong person.
"""

from __future__ import annotations

import hashlib

from backend.activity.models import ActivityEvent
from backend.organization.visibility import Viewer

EMPLOYEE = "employee"
UNIT = "unit"
AUDIT = "audit"
ALL = "all"
USER = "user"


def group_name(kind: str, key: int | None = None) -> str:
    """The one function that names feed groups (ASCII, under 100 chars)."""
    return f"feed.{kind}" if key is None else f"feed.{kind}.{key}"


def user_group(user_id: int) -> str:
    """The group of every feed socket of the user ``user_id``."""
    return group_name(USER, user_id)


def token_group(digest: str) -> str:
    """The group of the sockets opened with the token of ``digest``."""
    return f"feed.token.{digest[:64]}"


def session_group(session_key: str) -> str:
    """The group of the sockets opened with the session ``session_key``."""
    return f"feed.session.{hashlib.sha256(session_key.encode()).hexdigest()}"


def credential_group(token_digest: str | None, session_key: str | None) -> str | None:
    """The group a socket joins so that revoking what it logged in with
    (its API token, else its browser session) closes it."""
    if token_digest:
        return token_group(token_digest)
    if session_key:
        return session_group(session_key)
    return None


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.split("/") if part]


def event_groups(event: ActivityEvent) -> list[str]:
    """Every group with a socket that may see ``event``."""
    groups = [group_name(EMPLOYEE, event.employee_id)]
    groups += [group_name(EMPLOYEE, pk) for pk in _ids(event.chain)]
    groups += [group_name(UNIT, pk) for pk in _ids(event.unit_path)]
    if event.flagged:
        groups.append(group_name(AUDIT, event.instansi_id))
    groups.append(group_name(ALL))
    return groups


def viewer_groups(viewer: Viewer) -> list[str]:
    """The groups a socket of ``viewer`` joins."""
    groups: list[str] = []
    if viewer.employee_id is not None:
        groups.append(group_name(EMPLOYEE, viewer.employee_id))
    groups += [group_name(UNIT, _ids(path)[-1]) for path in viewer.admin_unit_paths]
    groups += [group_name(AUDIT, pk) for pk in viewer.auditor_instansi_ids]
    if viewer.is_superuser:
        groups.append(group_name(ALL))
    return groups
