"""factory_boy factories that build through the domain services."""

from __future__ import annotations

import itertools
import uuid
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from backend.attendance.models import CheckIn
from backend.organization import services
from backend.organization.models import Employee, Instansi, Unit

_sequence = itertools.count(1)


def make_nip(index: int, *, sex: int = 1) -> str:
    """A valid PNS NIP that differs for each ``index``."""
    year = 1965 + index % 35
    month = 1 + index % 12
    day = 1 + index % 28
    tmt_year = year + 25
    tmt_month = 1 + index % 12
    return (
        f"{year:04d}{month:02d}{day:02d}{tmt_year:04d}{tmt_month:02d}"
        f"{sex}{index % 1000:03d}"
    )


class InstansiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instansi
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"INST{n}")
    name = factory.Sequence(lambda n: f"Instansi {n}")


class UnitFactory(factory.Factory):
    class Meta:
        model = Unit

    instansi = factory.SubFactory(InstansiFactory)
    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = "opd"
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **kwargs: Any) -> Unit:
        return services.unit_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-Pantau-2026")

    @classmethod
    def _after_postgeneration(
        cls, instance: Any, create: bool, results: Any = None
    ) -> None:
        if create:
            instance.save()


class EmployeeFactory(factory.Factory):
    class Meta:
        model = Employee

    nip = factory.LazyFunction(lambda: make_nip(next(_sequence)))
    name = factory.Sequence(lambda n: f"Pegawai {n}")
    unit = factory.SubFactory(UnitFactory)
    supervisor = None
    password = "rahasia-Pantau-2026"

    @classmethod
    def _create(
        cls, model_class: type[Employee], *args: Any, **kwargs: Any
    ) -> Employee:
        return services.employee_create(**kwargs)


class CheckInFactory(factory.django.DjangoModelFactory):
    """A check-in row written directly, for tests of what check-ins mean.

    The creation rules (photos, geofence, flags) belong to
    ``checkin_create`` and its tests; this only fills the required fields.
    ``local_date`` follows ``captured_at`` in the workplace's zone, else the
    instansi's, as the service computes it.
    """

    class Meta:
        model = CheckIn

    employee = factory.SubFactory(EmployeeFactory)
    client_uuid = factory.LazyFunction(uuid.uuid4)
    fingerprint = "x"
    kind = CheckIn.Kind.IN
    latitude = 0.507
    longitude = 101.447
    accuracy_m = 10.0
    captured_at = factory.LazyFunction(timezone.now)
    received_at = factory.LazyAttribute(lambda o: o.captured_at)
    workplace = None
    local_date = factory.LazyAttribute(
        lambda o: o.captured_at.astimezone(
            ZoneInfo(
                o.workplace.timezone
                if o.workplace
                else o.employee.unit.instansi.timezone
            )
        ).date()
    )
    geofence = CheckIn.Geofence.INSIDE
    mode = CheckIn.Mode.OFFICE
    status = CheckIn.Status.VERIFIED
    photo = "checkins/x.jpg"
    photo_sha256 = "0" * 64
    photo_phash = "0" * 16
    phash_band0 = "0000"
    phash_band1 = "0000"
    phash_band2 = "0000"
    phash_band3 = "0000"
    photo_format = "jpeg"
    photo_width = 640
    photo_height = 480
    photo_size = 50_000


def agreed_skp(
    employee: Employee,
    *,
    year: int = 2026,
    rater: Employee | None = None,
    rhk_text: str = "Layanan mutasi pegawai tepat waktu",
) -> Any:
    """An agreed SKP with one RHK utama, one indicator and one rencana aksi,
    built through the performance services."""
    from backend.performance import services

    skp = services.skp_create(
        employee=employee,
        year=year,
        rater=rater,
        rhks=[
            {
                "kind": "utama",
                "text": rhk_text,
                "indicators": [
                    {
                        "aspect": "kuantitas",
                        "text": "Usulan mutasi diproses",
                        "target": 120,
                        "unit": "dokumen",
                    }
                ],
                "action_plans": [{"month": 11, "text": "Verifikasi berkas"}],
            }
        ],
    )
    services.skp_submit(skp=skp, by=employee)
    return services.skp_review(skp=skp, reviewer=skp.rater, decision="agree")
