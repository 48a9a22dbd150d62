"""Writes to the organisation: units, employees, roles.

These functions are the only code that maintains ``Unit.path`` and
``Employee.chain``; the admin, the bulk import and the demo seeder all go
through them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from backend.audit.services import audit_record
from backend.organization.models import Employee, Instansi, RoleAssignment, Unit
from backend.organization.visibility import forget_viewer
from mobile_api.authentication import forget_users_tokens
from realtime.publish import viewers_changed_on_commit

User = get_user_model()


def _unit_path(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def unit_create(
    *,
    instansi: Instansi,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
) -> Unit:
    if parent is not None and parent.instansi_id != instansi.pk:
        raise ValidationError(
            {"parent": _("The parent unit belongs to another instansi.")}
        )
    unit = Unit(
        instansi=instansi, code=code, name=name, kind=kind, parent=parent, path="/"
    )
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = _unit_path(unit)
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def unit_update(unit: Unit, **fields: Any) -> Unit:
    """Change a unit; moving it under another parent re-paths its subtree
    (the cached tokens of its employees are dropped, and the feed sockets of
    its unit admins re-read what they may see)."""
    # Lock the row: two admins moving units at once must not interleave paths.
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    old_path = locked.path
    for name, value in fields.items():
        setattr(unit, name, value)
    if unit.parent_id:
        parent = Unit.objects.get(pk=unit.parent_id)
        if parent.path.startswith(old_path):
            raise ValidationError(
                {
                    "parent": _(
                        "A unit cannot be moved under itself or its own sub-unit."
                    )
                }
            )
        if parent.instansi_id != unit.instansi_id:
            raise ValidationError(
                {"parent": _("The parent unit belongs to another instansi.")}
            )
        unit.parent = parent
    if (
        unit.head_id
        and unit.head is not None
        and not unit.head.unit.path.startswith(old_path)
    ):
        raise ValidationError(
            {"head": _("The head of a unit must work in that unit or below it.")}
        )
    unit.full_clean(exclude=["path"])
    new_path = _unit_path(unit)
    unit.path = new_path
    unit.save()
    if new_path != old_path:
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
        )
        moved = Employee.objects.filter(unit__path__startswith=new_path)
        _forget_cached_places(moved.values_list("user_id", flat=True))
        # The admins of the moved units now oversee other paths.
        admins = RoleAssignment.objects.filter(
            role=RoleAssignment.Role.UNIT_ADMIN, unit__path__startswith=new_path
        )
        viewers_changed_on_commit(admins.values_list("user_id", flat=True))
    return unit


def unit_set_head(*, unit: Unit, head: Employee | None) -> Unit:
    return unit_update(unit, head=head)


def _check_supervisor(employee: Employee, supervisor: Employee | None) -> None:
    if supervisor is None:
        return
    if employee.pk and supervisor.pk == employee.pk:
        raise ValidationError({"supervisor": _("Nobody supervises themselves.")})
    if employee.pk and supervisor.chain.startswith(employee.subordinate_chain_prefix):
        raise ValidationError(
            {
                "supervisor": _(
                    "%(name)s reports (directly or not) to this employee, so cannot "
                    "be their supervisor."
                )
                % {"name": supervisor.name}
            }
        )


@transaction.atomic
def employee_create(
    *,
    nip: str,
    name: str,
    unit: Unit,
    status: str = Employee.Status.PNS,
    supervisor: Employee | None = None,
    jabatan: str = "",
    jabatan_kind: str = "",
    golongan: str = "",
    placement_date: dt.date | None = None,
    under_sanction: bool = False,
    domisili_address: str = "",
    domisili_latitude: Decimal | None = None,
    domisili_longitude: Decimal | None = None,
    password: str | None = None,
    email: str = "",
) -> Employee:
    """Create an employee and the user account they log in with (by NIP).

    Without ``password`` the account cannot log in until one is set.
    """
    employee = Employee(
        nip=nip.strip(),
        name=name.strip(),
        unit=unit,
        status=status,
        supervisor=supervisor,
        jabatan=jabatan,
        jabatan_kind=jabatan_kind,
        golongan=golongan,
        placement_date=placement_date,
        under_sanction=under_sanction,
        domisili_address=domisili_address,
        domisili_latitude=domisili_latitude,
        domisili_longitude=domisili_longitude,
        chain=(supervisor.subordinate_chain_prefix if supervisor else "/"),
    )
    employee.full_clean(exclude=["user", "chain"])
    user = User(username=employee.nip, email=email, first_name=employee.name[:150])
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    employee.user = user
    employee.save()
    return employee


@transaction.atomic
def employee_update(
    employee: Employee, *, actor: Any = None, ip: str | None = None, **fields: Any
) -> Employee:
    """Change an employee; a new supervisor re-chains everyone below them
    (their cached tokens are dropped, and their feed sockets re-read what
    they may see).

    A change of supervisor is recorded in the audit log (``actor`` made it).
    """
    locked = Employee.objects.select_for_update().get(pk=employee.pk)
    old_prefix = locked.subordinate_chain_prefix
    old_supervisor_id = locked.supervisor_id
    for name, value in fields.items():
        setattr(employee, name, value)
    supervisor = (
        Employee.objects.get(pk=employee.supervisor_id)
        if employee.supervisor_id
        else None
    )
    _check_supervisor(employee, supervisor)
    employee.chain = supervisor.subordinate_chain_prefix if supervisor else "/"
    employee.full_clean(exclude=["user", "chain"])
    employee.save()
    new_prefix = employee.subordinate_chain_prefix
    if new_prefix != old_prefix:
        rechained = Employee.objects.filter(chain__startswith=old_prefix)
        user_ids = [*rechained.values_list("user_id", flat=True), employee.user_id]
        rechained.update(
            chain=Concat(Value(new_prefix), Substr("chain", len(old_prefix) + 1))
        )
        _forget_cached_places(user_ids)
        # Their subordinate chains changed: so did whom they supervise.
        viewers_changed_on_commit(user_ids)
    if "nip" in fields and employee.user.username != employee.nip:
        User.objects.filter(pk=employee.user_id).update(username=employee.nip)
    if employee.supervisor_id != old_supervisor_id:
        audit_record(
            actor=actor,
            action="employee.supervisor_changed",
            target=employee,
            before={"supervisor_id": old_supervisor_id},
            after={"supervisor_id": employee.supervisor_id},
            ip=ip,
        )
    return employee


def _forget_cached_places(user_ids: Any) -> None:
    """Drop the cached token entries (which hold the employee with its chain
    and unit path, ``mobile_api.authentication``) of ``user_ids``, whose
    chain or unit path a bulk UPDATE just changed: no save signal does it.
    Again after commit, in case a request re-cached the old row meanwhile."""
    user_ids = list(user_ids)
    forget_users_tokens(user_ids)
    transaction.on_commit(partial(forget_users_tokens, user_ids), robust=True)


@transaction.atomic
def role_assign(
    *,
    user: Any,
    role: str,
    unit: Unit | None = None,
    instansi: Instansi | None = None,
    actor: Any = None,
    ip: str | None = None,
) -> RoleAssignment:
    assignment = RoleAssignment(user=user, role=role, unit=unit, instansi=instansi)
    assignment.full_clean()
    assignment.save()
    forget_viewer(user)
    viewers_changed_on_commit([assignment.user_id])
    audit_record(
        actor=actor,
        action="role.assigned",
        target=assignment,
        after=_role_facts(assignment),
        ip=ip,
    )
    return assignment


@transaction.atomic
def role_revoke(
    *, assignment: RoleAssignment, actor: Any = None, ip: str | None = None
) -> None:
    facts = _role_facts(assignment)
    target = ("organization.roleassignment", assignment.pk)
    assignment.delete()
    if RoleAssignment.user.is_cached(assignment):
        forget_viewer(assignment.user)
    viewers_changed_on_commit([facts["user_id"]])
    audit_record(actor=actor, action="role.revoked", target=target, before=facts, ip=ip)


def _role_facts(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "user_id": assignment.user_id,
        "role": assignment.role,
        "unit_id": assignment.unit_id,
        "instansi_id": assignment.instansi_id,
    }


def employee_chain_for(supervisor_id: int | None, chains: dict[int, str]) -> str:
    """The chain of an employee under ``supervisor_id`` given known chains."""
    if supervisor_id is None:
        return "/"
    return f"{chains[supervisor_id]}{supervisor_id}/"


def rebuild_chains(instansi: Instansi | None = None) -> int:
    """Recompute every chain from the supervisor links (for bulk loads).

    Raises ``ValidationError`` when the links contain a cycle.
    """
    queryset = Employee.objects.all()
    if instansi is not None:
        queryset = queryset.filter(unit__instansi=instansi)
    rows = dict(queryset.values_list("id", "supervisor_id"))
    chains: dict[int, str] = {}

    def resolve(employee_id: int) -> str:
        seen: list[int] = []
        current: int | None = employee_id
        while current is not None and current not in chains:
            if current in seen:
                raise ValidationError(
                    _("The supervisor links form a cycle (employee ids %(ids)s).")
                    % {"ids": ", ".join(str(i) for i in seen)}
                )
            seen.append(current)
            current = rows.get(current)
            if current is not None and current not in rows:
                chains[current] = Employee.objects.get(pk=current).chain
        for node in reversed(seen):
            chains[node] = employee_chain_for(rows[node], chains)
        return chains[employee_id]

    for employee_id in rows:
        resolve(employee_id)
    changed = [
        Employee(id=employee_id, chain=chain)
        for employee_id, chain in chains.items()
        if employee_id in rows
    ]
    Employee.objects.bulk_update(changed, ["chain"], batch_size=1000)
    return len(changed)
