from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from rest_framework.test import APIClient

from backend.organization.models import Employee, RoleAssignment, Unit
from backend.organization.nip import parse_nip


def _seed_json() -> dict[str, Any]:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_is_idempotent_and_deterministic(db: Any) -> None:
    first = _seed_json()
    counts = (
        Employee.objects.count(),
        Unit.objects.count(),
        RoleAssignment.objects.count(),
    )
    second = _seed_json()
    assert first == second
    assert counts == (
        Employee.objects.count(),
        Unit.objects.count(),
        RoleAssignment.objects.count(),
    )


def test_it_builds_a_realistic_slice_of_pemprov_riau(db: Any) -> None:
    seeded = _seed_json()
    accounts = seeded["accounts"]
    assert 55 <= len(accounts) <= 70
    assert {a["role"] for a in accounts} == {
        "employee",
        "supervisor",
        "unit_admin",
        "auditor",
    }
    for account in accounts:
        assert set(account) >= {"username", "nip", "name", "role", "supervisor"}
        status = Employee.objects.get(nip=account["nip"]).status
        parse_nip(account["nip"], status=status)
    assert {"BKD", "DINKES", "DISDIK"} <= set(
        Unit.objects.filter(parent__isnull=True).values_list("code", flat=True)
    )
    # Three levels: kepala OPD -> kepala bidang -> staff.
    assert (
        max(Employee.objects.values_list("chain", flat=True), key=len).count("/") == 3
    )
    # Offices in Pekanbaru (just north of the equator) and one south of it.
    lats = [w["latitude"] for w in seeded["workplaces"]]
    assert any(0.4 < lat < 0.6 for lat in lats)
    assert any(lat < 0 for lat in lats)
    for workplace in seeded["workplaces"]:
        assert 95 < workplace["longitude"] < 110
        assert workplace["radius_m"] > 0


def test_a_demo_employee_and_the_admin_can_log_in(db: Any) -> None:
    seeded = _seed_json()
    employee = next(a for a in seeded["accounts"] if a["role"] == "employee")
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": employee["nip"], "password": seeded["password"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["employee"]["supervisor"]["nip"] == employee["supervisor"]
    admin = APIClient().post(
        "/api/v1/auth/token/",
        {"username": seeded["admin_username"], "password": seeded["password"]},
        format="json",
    )
    assert admin.status_code == 200


def test_if_empty_leaves_an_existing_organisation_alone(org: Any) -> None:
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "left as is" in out.getvalue()
    assert not Unit.objects.filter(code="DINKES-B1").exists()


def test_if_empty_still_lists_the_demo_logins_without_changing_them(db: Any) -> None:
    seeded = _seed_json()
    employee = Employee.objects.get(nip=seeded["accounts"][0]["nip"])
    employee.user.set_password("changed-by-the-user-2026")
    employee.user.save()

    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert seeded["accounts"][0]["nip"] in out.getvalue()
    listed = StringIO()
    call_command("seed_demo", "--if-empty", "--json", stdout=listed)
    assert json.loads(listed.getvalue()) == seeded
    employee.user.refresh_from_db()
    assert employee.user.check_password("changed-by-the-user-2026")
