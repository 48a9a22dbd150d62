"""factory_boy factories that build through the domain services."""

from __future__ import annotations

import itertools
from typing import Any

import factory
from django.contrib.auth import get_user_model

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
