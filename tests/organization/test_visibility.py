"""The "who may see whom" matrix, checked through both the query filter and
the in-memory check, so the two can never disagree."""

from __future__ import annotations

from typing import Any

import pytest

from backend.organization import services
from backend.organization.visibility import (
    auditable_employees,
    can_view_employee,
    forget_viewer,
    roles_of,
    visible_employees,
)

EVERYONE = ["dina", "bob", "alice", "erik", "charlie", "kampar_staff"]

# viewer -> employees whose records they see in full
FULL = {
    "alice": {"alice"},
    "bob": {"bob", "alice"},
    "dina": {"dina", "bob", "alice"},
    "erik": {"erik", "charlie"},
    "charlie": {"charlie"},
    "kampar_staff": {"kampar_staff"},
    "uma": {"dina", "bob", "alice"},  # unit admin of BKD (subtree incl. Mutasi)
    "audi": set(),
    "oscar": set(),
    "root": set(EVERYONE),
}
# viewer -> employees whose *flagged* records they additionally see
FLAGGED_ONLY = {
    "audi": {"dina", "bob", "alice", "erik", "charlie"},  # all of Riau
    "oscar": {"kampar_staff"},
}


def _user(org: Any, name: str) -> Any:
    value = getattr(org, name)
    return value.user if hasattr(value, "user") else value


@pytest.mark.parametrize("viewer", sorted(FULL))
@pytest.mark.parametrize("target", EVERYONE)
def test_visibility_matrix(org: Any, viewer: str, target: str) -> None:
    user = _user(org, viewer)
    employee = getattr(org, target)
    full = target in FULL[viewer]
    flagged = full or target in FLAGGED_ONLY.get(viewer, set())

    assert can_view_employee(user, employee) is full
    assert can_view_employee(user, employee, flagged=True) is flagged
    assert visible_employees(user).filter(pk=employee.pk).exists() is full
    in_audit = auditable_employees(user).filter(pk=employee.pk).exists()
    assert in_audit is (target in FLAGGED_ONLY.get(viewer, set()) or (viewer == "root"))


def test_anonymous_sees_nobody(org: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not visible_employees(AnonymousUser()).exists()
    assert not can_view_employee(AnonymousUser(), org.alice, flagged=True)


def test_supervisor_sees_new_indirect_subordinates_after_a_reorganisation(
    org: Any,
) -> None:
    # Erik's team moves under Dina: Dina now sees Erik and Charlie too.
    services.employee_update(org.erik, supervisor=org.dina)
    org.charlie.refresh_from_db()
    forget_viewer(org.dina.user)
    seen = set(visible_employees(org.dina.user).values_list("name", flat=True))
    assert {"Erik Kadis", "Charlie Staf"} <= seen
    assert org.charlie.chain == f"/{org.dina.pk}/{org.erik.pk}/"


def test_a_supervisor_cycle_is_refused(org: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.employee_update(org.dina, supervisor=org.alice)
    assert "supervisor" in caught.value.message_dict


def test_moving_a_unit_repaths_its_subtree(org: Any) -> None:
    services.unit_update(org.bkd, parent=org.dinkes)
    org.mutasi.refresh_from_db()
    assert org.mutasi.path == f"/{org.dinkes.pk}/{org.bkd.pk}/{org.mutasi.pk}/"
    with pytest.raises(Exception):  # noqa: B017 - ValidationError from the service
        services.unit_update(org.dinkes, parent=org.mutasi)


def test_roles_follow_the_data(org: Any) -> None:
    assert roles_of(org.alice.user) == ["employee"]
    assert roles_of(org.bob.user) == ["employee", "supervisor"]
    assert roles_of(org.uma) == ["unit_admin"]
    assert roles_of(org.audi) == ["auditor"]
    assert roles_of(org.root) == ["superuser"]
