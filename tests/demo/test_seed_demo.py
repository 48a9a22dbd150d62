from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.services import consent_accept
from backend.attendance.models import CheckIn
from backend.organization.models import Employee, RoleAssignment, Unit
from backend.organization.nip import parse_nip
from backend.performance.models import ActionPlan, DailyReport, Indicator, Rhk, Skp


def _seed_json() -> dict[str, Any]:
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_is_idempotent_and_deterministic(db: Any) -> None:
    first = _seed_json()
    models = (Employee, Unit, RoleAssignment, Skp, Rhk, Indicator, ActionPlan)
    counts = [m.objects.count() for m in models]  # type: ignore[attr-defined]
    second = _seed_json()
    assert first == second
    assert counts == [m.objects.count() for m in models]  # type: ignore[attr-defined]


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


def test_every_employee_with_a_rater_has_an_agreed_skp_of_this_year(db: Any) -> None:
    seeded = _seed_json()
    year = timezone.localdate().year
    with_rater = Employee.objects.filter(supervisor__isnull=False)
    assert seeded["skp"] == {"year": year, "agreed": with_rater.count()}
    # Only the kepala OPD (rated by the Sekretaris Daerah) are left out.
    assert set(Employee.objects.filter(supervisor__isnull=True)) == {
        unit.head for unit in Unit.objects.filter(kind=Unit.Kind.OPD)
    }
    for employee in with_rater:
        skp = Skp.objects.get(employee=employee, year=year)
        assert skp.status == Skp.Status.AGREED
        assert skp.rater_id == employee.supervisor_id
        assert skp.submitted_at and skp.agreed_at
        utama = skp.rhks.filter(kind=Rhk.Kind.UTAMA)
        assert utama.count() >= 2
        for rhk in skp.rhks.all():
            assert rhk.indicators.exists()
            assert sorted(rhk.action_plans.values_list("month", flat=True)) == list(
                range(1, 13)
            )
            if rhk.parent is not None:
                assert rhk.parent.skp.employee_id == skp.rater_id
                assert rhk.parent.skp.year == year
    # Staff RHK support their kepala bidang's RHK.
    assert Rhk.objects.filter(parent__isnull=False).count() > 40
    for model in (Skp, Rhk, Indicator, ActionPlan):
        for row in model.objects.all():  # type: ignore[attr-defined]
            row.full_clean()
    # Nothing the browser tests count.
    assert not CheckIn.objects.exists()
    assert not DailyReport.objects.exists()


def test_a_demo_employee_can_open_the_daily_report_form(db: Any) -> None:
    seeded = _seed_json()
    account = next(a for a in seeded["accounts"] if a["role"] == "employee")
    user = Employee.objects.get(nip=account["nip"]).user
    consent_accept(user=user)
    client = Client()
    client.force_login(user)
    response = client.get("/laporan/baru/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "report-form" in body
    assert 'class="alert warn"' not in body
    rhk = Rhk.objects.filter(skp__employee__nip=account["nip"]).first()
    assert rhk is not None and rhk.text in body
