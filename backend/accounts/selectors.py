"""Reads about accounts: which parts of the web app a user works in."""

from __future__ import annotations

from typing import Any

from backend.organization.visibility import roles_of

EMPLOYEE = "employee"
SUPERVISOR = "supervisor"
AUDITOR = "auditor"


def web_areas(user: Any) -> frozenset[str]:
    """The web app's areas ``user`` may open.

    ``employee``: has an employee record (check-in, reports, history).
    ``supervisor``: supervises someone, administers a unit, or is a superuser
    (the dashboard). ``auditor``: audits an instansi, administers a unit (whose
    check-ins they review, backend.audit), or is a superuser (the audit desk).
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_pantau_web_areas", None)
    if cached is not None:
        return cached
    roles = set(roles_of(user))
    areas: set[str] = set()
    if "employee" in roles:
        areas.add(EMPLOYEE)
    if roles & {"supervisor", "unit_admin", "superuser"}:
        areas.add(SUPERVISOR)
    if roles & {"auditor", "unit_admin", "superuser"}:
        areas.add(AUDITOR)
    result = frozenset(areas)
    user._pantau_web_areas = result
    return result


def landing_area(user: Any) -> str | None:
    """Where ``user`` starts after login: the supervisor dashboard for
    supervisors and unit admins, the audit desk for auditors, otherwise the
    employee's own home. None when the user has no area at all."""
    areas = web_areas(user)
    for area in (SUPERVISOR, AUDITOR, EMPLOYEE):
        if area in areas:
            return area
    return None
