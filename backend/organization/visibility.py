"""Who may see whom: the one place that answers it.

- Everyone sees their own records.
- A supervisor sees every direct and indirect subordinate.
- A unit admin sees everyone in the unit subtree they administer.
- An auditor sees the *flagged* records of everyone in their instansi (and
  only those: a clean check-in is none of their business).
- A superuser sees everything.

Domain selectors build on ``visible_employees`` (full access) and
``auditable_employees`` (flagged items only); single checks use
``can_view_employee``; ``overseen_units`` are the units an admin or auditor
answers for, and ``is_subject`` says whether a record is the reader's own.

A flag that names other employees (a reused photo, a shared device) is told
with their names only to a reader who may see each of them
(``nameable_employees``): as the flag is on a flagged record, an auditor
may be told the names of everyone in their instansi.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from backend.organization.models import Employee, RoleAssignment, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

_CACHE_ATTR = "_pantau_viewer"


@dataclass(frozen=True)
class Viewer:
    user_id: int | None
    employee_id: int | None
    subordinate_prefix: str | None
    is_superuser: bool
    admin_unit_paths: tuple[str, ...]
    auditor_instansi_ids: tuple[int, ...]

    @property
    def is_supervisor_candidate(self) -> bool:
        return self.subordinate_prefix is not None


def viewer_for(user: AbstractBaseUser | AnonymousUser | Any) -> Viewer:
    """Everything visibility needs about ``user``, read once per request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        return Viewer(None, None, None, False, (), ())
    user_id: int = user.pk  # type: ignore[assignment]  # authenticated: has a pk
    employee = Employee.objects.filter(user_id=user_id).only("id", "chain").first()
    admin_paths: list[str] = []
    auditor_ids: list[int] = []
    for role, unit_path, instansi_id in RoleAssignment.objects.filter(
        user_id=user_id
    ).values_list("role", "unit__path", "instansi_id"):
        if role == RoleAssignment.Role.UNIT_ADMIN and unit_path:
            admin_paths.append(unit_path)
        elif role == RoleAssignment.Role.AUDITOR and instansi_id:
            auditor_ids.append(instansi_id)
    viewer = Viewer(
        user_id=user_id,
        employee_id=employee.pk if employee else None,
        subordinate_prefix=employee.subordinate_chain_prefix if employee else None,
        is_superuser=bool(getattr(user, "is_superuser", False)),
        admin_unit_paths=tuple(sorted(admin_paths)),
        auditor_instansi_ids=tuple(sorted(auditor_ids)),
    )
    setattr(user, _CACHE_ATTR, viewer)
    return viewer


def forget_viewer(user: Any) -> None:
    """Drop the cached viewer (after roles or the hierarchy changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_employees_q(viewer: Viewer, prefix: str = "") -> Q:
    """A filter for employees whose records ``viewer`` may see in full.

    ``prefix`` points the filter at an employee relation, e.g. ``"employee__"``
    to filter check-ins.
    """
    if viewer.is_superuser:
        return Q()
    conditions: list[Q] = []
    if viewer.employee_id is not None:
        conditions.append(Q(**{f"{prefix}id": viewer.employee_id}))
        conditions.append(
            Q(**{f"{prefix}chain__startswith": viewer.subordinate_prefix})
        )
    for path in viewer.admin_unit_paths:
        conditions.append(Q(**{f"{prefix}unit__path__startswith": path}))
    if not conditions:
        return Q(pk__in=[])
    return reduce(or_, conditions)


def auditable_employees_q(viewer: Viewer, prefix: str = "") -> Q:
    """A filter for employees whose *flagged* records ``viewer`` may see."""
    if viewer.is_superuser:
        return Q()
    if not viewer.auditor_instansi_ids:
        return Q(pk__in=[])
    return Q(**{f"{prefix}unit__instansi_id__in": viewer.auditor_instansi_ids})


def visible_employees(user: Any) -> QuerySet[Employee]:
    viewer = viewer_for(user)
    return Employee.objects.filter(visible_employees_q(viewer)).select_related(
        "unit", "supervisor", "user"
    )


def auditable_employees(user: Any) -> QuerySet[Employee]:
    viewer = viewer_for(user)
    return Employee.objects.filter(auditable_employees_q(viewer)).select_related(
        "unit", "supervisor", "user"
    )


def can_view_employee(user: Any, employee: Employee, *, flagged: bool = False) -> bool:
    """May ``user`` see ``employee``'s records (``flagged``: a flagged one)?

    Decided in memory from the employee's chain and unit path, so checking a
    photo or a check-in costs no query beyond loading the viewer once.
    """
    viewer = viewer_for(user)
    if viewer.user_id is None:
        return False
    if viewer.is_superuser or viewer.employee_id == employee.pk:
        return True
    if viewer.subordinate_prefix and employee.chain.startswith(
        viewer.subordinate_prefix
    ):
        return True
    unit = employee.unit
    if any(unit.path.startswith(path) for path in viewer.admin_unit_paths):
        return True
    return flagged and unit.instansi_id in viewer.auditor_instansi_ids


def nameable_employees(user: Any, employee_ids: Iterable[int]) -> frozenset[int]:
    """Those of ``employee_ids`` whom ``user`` may be told the name of in a
    flag: the employees whose flagged records they may see. One query, none
    for no ids."""
    wanted = set(employee_ids)
    if not wanted:
        return frozenset()
    viewer = viewer_for(user)
    if viewer.user_id is None:
        return frozenset()
    if viewer.is_superuser:
        return frozenset(wanted)
    found = Employee.objects.filter(
        visible_employees_q(viewer) | auditable_employees_q(viewer), id__in=wanted
    ).values_list("id", flat=True)
    return frozenset(found)


def roles_of(user: Any) -> list[str]:
    """Role names for display and for the phone app's menus."""
    viewer = viewer_for(user)
    roles: list[str] = []
    if viewer.employee_id is not None:
        roles.append("employee")
        if Employee.objects.filter(supervisor_id=viewer.employee_id).exists():
            roles.append("supervisor")
    if viewer.admin_unit_paths:
        roles.append("unit_admin")
    if viewer.auditor_instansi_ids:
        roles.append("auditor")
    if viewer.is_superuser:
        roles.append("superuser")
    return roles


def overseen_units(user: Any) -> QuerySet[Unit]:
    """The units ``user`` answers for as unit admin (their subtrees) or
    auditor (every unit of the instansi); everything for a superuser."""
    viewer = viewer_for(user)
    units = Unit.objects.select_related("instansi").order_by("instansi__name", "path")
    if viewer.is_superuser:
        return units
    scopes = [Q(path__startswith=path) for path in viewer.admin_unit_paths]
    if viewer.auditor_instansi_ids:
        scopes.append(Q(instansi_id__in=viewer.auditor_instansi_ids))
    if not scopes:
        return units.none()
    return units.filter(reduce(or_, scopes))


def is_subject(user: Any, employee_id: int) -> bool:
    """Whether ``user`` is the employee a record is about (who, for one, is
    not told whose photo, device or position matched theirs). The employee
    record usually came with the token (mobile_api.authentication), so
    this costs no query then."""
    own = getattr(user, "employee", None)
    return own is not None and own.pk == employee_id
