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
``visibility.can_view_employee`` for the whole test cast.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q

from backend.activity.models import ActivityEvent
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
