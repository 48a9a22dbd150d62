"""Shared fixtures: a fixed cast in a small Pemprov Riau.

- alice: staff in BKD's Bidang Mutasi; her supervisor is bob.
- bob: kepala bidang mutasi; his supervisor is dina (kepala BKD).
- dina: kepala BKD, top of the chain.
- charlie: staff in Dinas Kesehatan (another OPD), supervised by erik.
- erik: kepala Dinas Kesehatan.
- uma: unit admin of BKD (not an employee of it).
- audi: auditor of the instansi.
- oscar: auditor of another instansi.

``office`` adds BKD's office as a workplace: an 80 m circle around
``OFFICE``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import (
    EmployeeFactory,
    InstansiFactory,
    UnitFactory,
    UserFactory,
)

PASSWORD = "rahasia-Pantau-2026"
OFFICE = (0.507930, 101.449550)  # Kantor BKD Provinsi Riau


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db: Any) -> SimpleNamespace:
    from backend.organization import services

    riau = InstansiFactory(code="RIAU", name="Pemerintah Provinsi Riau")
    other = InstansiFactory(code="KAMPAR", name="Pemerintah Kabupaten Kampar")
    bkd = UnitFactory(
        instansi=riau, code="BKD", name="Badan Kepegawaian Daerah", kind="opd"
    )
    mutasi = UnitFactory(
        instansi=riau, code="BKD-MUT", name="Bidang Mutasi", kind="bidang", parent=bkd
    )
    dinkes = UnitFactory(
        instansi=riau, code="DINKES", name="Dinas Kesehatan", kind="opd"
    )
    kampar_opd = UnitFactory(
        instansi=other, code="BKPSDM", name="BKPSDM Kampar", kind="opd"
    )
    dina = EmployeeFactory(unit=bkd, name="Dina Kepala")
    bob = EmployeeFactory(unit=mutasi, name="Bob Kabid", supervisor=dina)
    alice = EmployeeFactory(unit=mutasi, name="Alice Staf", supervisor=bob)
    erik = EmployeeFactory(unit=dinkes, name="Erik Kadis")
    charlie = EmployeeFactory(unit=dinkes, name="Charlie Staf", supervisor=erik)
    kampar_staff = EmployeeFactory(unit=kampar_opd, name="Karim Kampar")
    uma = UserFactory(username="uma")
    services.role_assign(user=uma, role="unit_admin", unit=bkd)
    audi = UserFactory(username="audi")
    services.role_assign(user=audi, role="auditor", instansi=riau)
    oscar = UserFactory(username="oscar")
    services.role_assign(user=oscar, role="auditor", instansi=other)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return SimpleNamespace(
        riau=riau,
        other=other,
        bkd=bkd,
        mutasi=mutasi,
        dinkes=dinkes,
        kampar_opd=kampar_opd,
        dina=dina,
        bob=bob,
        alice=alice,
        erik=erik,
        charlie=charlie,
        kampar_staff=kampar_staff,
        uma=uma,
        audi=audi,
        oscar=oscar,
        root=root,
    )


@pytest.fixture
def office(org: SimpleNamespace) -> Any:
    from backend.attendance.models import Workplace

    return Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(OFFICE[0]),
        longitude=str(OFFICE[1]),
        radius_m=80,
    )


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: Any) -> APIClient:
    """An API client authenticated with a real token for ``user``."""
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def settings_module() -> Any:
    return settings
