"""Who may see an activity event: the rules of
``backend.organization.visibility``, applied to the audience columns that
were copied onto the event when it was written.

- everyone sees the events about themselves;
- a supervisor sees those of every direct and indirect subordinate;
- a unit admin sees those of everyone in the unit subtree they administer;
- an auditor sees the *flagged* events of everyone in their instansi;
- a superuser sees everything.

``audience_q`` says it to the database (replay), ``can_see`` to Python (live
delivery); tests/realtime/test_scoping.py holds both to
``visibility.can_view_employee`` for the whole test cast. ``flag_names``
says, in memory too, whose names a viewer may read in an event's flags.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from backend.activity.models import ActivityEvent
from backend.attendance.flags import Names, named_employee_ids
from backend.organization.models import Employee
from backend.organization.visibility import Viewer


def audience_q(viewer: Viewer) -> Q:
    """A filter for the activity events ``viewer`` may see."""
    if viewer.user_id is None:
        return Q(pk__in=[])
    if viewer.is_superuser:
        return Q()
    conditions: list[Q] = []
    if viewer.employee_id is not None:
        conditions.append(Q(employee_id=viewer.employee_id))
        conditions.append(Q(chain__startswith=viewer.subordinate_prefix))
    for path in viewer.admin_unit_paths:
        conditions.append(Q(unit_path__startswith=path))
    if viewer.auditor_instansi_ids:
        conditions.append(Q(flagged=True, instansi_id__in=viewer.auditor_instansi_ids))
    if not conditions:
        return Q(pk__in=[])
    return reduce(or_, conditions)


def can_see(viewer: Viewer, event: ActivityEvent) -> bool:
    """May ``viewer`` see ``event``? Decided in memory, no query."""
    if viewer.user_id is None:
        return False
    if viewer.is_superuser or viewer.employee_id == event.employee_id:
        return True
    if viewer.subordinate_prefix and event.chain.startswith(viewer.subordinate_prefix):
        return True
    if any(event.unit_path.startswith(path) for path in viewer.admin_unit_paths):
        return True
    return event.flagged and event.instansi_id in viewer.auditor_instansi_ids


# The audience columns of an employee that an event's flags name.
NamedAudience = tuple[str, str, int]


def named_audiences(events: list[ActivityEvent]) -> None:
    """Give each of ``events`` the audience columns of the employees its
    flags name (``event.named``), for ``flag_names``: one query for the
    whole batch, none when no flag names anyone."""
    wanted = {event.pk: _named_ids(event) for event in events}
    everyone = set().union(*wanted.values())
    found: dict[int, NamedAudience] = {}
    if everyone:
        rows = Employee.objects.filter(id__in=everyone).values_list(
            "id", "chain", "unit__path", "unit__instansi_id"
        )
        found = {pk: (chain, path, instansi) for pk, chain, path, instansi in rows}
    for event in events:
        # Kept beside the row for as long as the process keeps the event.
        event.named = {  # type: ignore[attr-defined]
            pk: found[pk] for pk in wanted[event.pk] if pk in found
        }


def _named_ids(event: ActivityEvent) -> set[int]:
    data = event.data if isinstance(event.data, dict) else {}
    flags = data.get("flags")
    return named_employee_ids([flags]) if isinstance(flags, list) else set()


def flag_names(viewer: Viewer, event: ActivityEvent) -> Names:
    """Whose names ``viewer`` may read in ``event``'s flags: the named
    employees whose flagged records they may see. Decided in memory."""
    if viewer.is_superuser:
        return Names(everyone=True)
    if viewer.user_id is None:
        return Names()
    named: dict[int, NamedAudience] = getattr(event, "named", {})
    return Names(
        ids=frozenset(
            pk
            for pk, (chain, path, instansi_id) in named.items()
            if pk == viewer.employee_id
            or (
                viewer.subordinate_prefix
                and chain.startswith(viewer.subordinate_prefix)
            )
            or any(path.startswith(admin) for admin in viewer.admin_unit_paths)
            or instansi_id in viewer.auditor_instansi_ids
        )
    )
