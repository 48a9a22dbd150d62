"""Reads for the organisation."""

from __future__ import annotations

from typing import Any

from backend.organization.models import Employee


def employee_profile(employee: Employee) -> dict[str, Any]:
    """The employee as the phone app shows it (plain data, no model objects)."""
    supervisor = employee.supervisor
    return {
        "id": employee.pk,
        "nip": employee.nip,
        "name": employee.name,
        "status": employee.status,
        "jabatan": employee.jabatan,
        "golongan": employee.golongan,
        "unit": {
            "id": employee.unit.pk,
            "code": employee.unit.code,
            "name": employee.unit.name,
        },
        "supervisor": (
            {"nip": supervisor.nip, "name": supervisor.name} if supervisor else None
        ),
    }
