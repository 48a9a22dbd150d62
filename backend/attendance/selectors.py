"""Reads for attendance."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.attendance.models import Workplace
from backend.organization.models import Employee


def workplaces_for(employee: Employee) -> QuerySet[Workplace]:
    """Workplaces of the employee's unit and the units above it, plus any
    workplace the employee is assigned to by name."""
    return (
        Workplace.objects.filter(is_active=True)
        .filter(
            Q(unit__path__in=employee.unit.ancestor_paths()) | Q(employees=employee)
        )
        .distinct()
        .order_by("name")
    )
