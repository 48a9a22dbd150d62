"""Reads for performance: plans, reports, evaluations, with who may see and
who may rate them.

Seeing follows ``backend.organization.visibility`` (the employee, their
supervisors up the chain, the admins of their unit; auditors only flagged
reports). *Rating* is narrower: an employee's raters are their direct
supervisor and the rater (pejabat penilai) named on their SKP for the year,
and never the employee themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from backend.attendance.flags import needs_review
from backend.organization.models import Employee, Unit
from backend.organization.visibility import (
    can_view_employee,
    overseen_units,
    viewer_for,
    visible_employees_q,
)
from backend.performance.models import (
    Comment,
    DailyReport,
    Evaluation,
    Rhk,
    Skp,
)
from backend.performance.periods import Period


def rater_ids(employee: Employee, skp: Skp | None) -> set[int]:
    """Ids of the employees who may review and evaluate ``employee``'s work."""
    ids = {employee.supervisor_id, skp.rater_id if skp else None}
    return {i for i in ids if i is not None and i != employee.pk}


def skp_queryset() -> QuerySet[Skp]:
    rhks = Rhk.objects.select_related("parent").prefetch_related(
        "indicators", "action_plans"
    )
    return Skp.objects.select_related(
        "employee__unit", "rater", "employee__supervisor"
    ).prefetch_related(Prefetch("rhks", queryset=rhks))


def skp_for(employee: Employee, year: int) -> Skp | None:
    return skp_queryset().filter(employee=employee, year=year).first()


def visible_skp(user: Any, pk: int) -> Skp:
    skp = skp_queryset().filter(pk=pk).first()
    if skp is None or not can_view_employee(user, skp.employee):
        raise Http404
    return skp


def visible_rhk(user: Any, pk: int) -> Rhk:
    rhk = Rhk.objects.select_related("skp__employee__unit").filter(pk=pk).first()
    if rhk is None or not can_view_employee(user, rhk.skp.employee):
        raise Http404
    return rhk


def report_queryset() -> QuerySet[DailyReport]:
    return DailyReport.objects.select_related(
        "employee__unit",
        "employee__supervisor",
        "rhk__skp",
        "action_plan",
        "reviewed_by",
    ).prefetch_related("evidence")


def report_is_flagged(report: DailyReport) -> bool:
    """Flagged for audit: a warning about the report or one of its photos."""
    return needs_review(report.signals) or any(
        needs_review(item.flags) for item in report.evidence.all()
    )


def visible_report(user: Any, pk: int) -> DailyReport:
    """The report ``pk`` if ``user`` may see it; Http404 otherwise."""
    report = report_queryset().filter(pk=pk).first()
    if report is None or not can_view_employee(
        user, report.employee, flagged=report_is_flagged(report)
    ):
        raise Http404
    return report


def reports_of(
    employee: Employee,
    *,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[DailyReport]:
    queryset = report_queryset().filter(employee=employee)
    if status:
        queryset = queryset.filter(status=status)
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    return queryset


def reports_to_review(
    reviewer: Employee, *, status: str | None = None
) -> QuerySet[DailyReport]:
    """Reports of the people ``reviewer`` rates (never their own)."""
    queryset = (
        report_queryset()
        .filter(Q(employee__supervisor=reviewer) | Q(rhk__skp__rater=reviewer))
        .exclude(employee=reviewer)
        .exclude(status=DailyReport.Status.DRAFT)
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("date", "id")


def comments_on(*, report: DailyReport | None = None, rhk: Rhk | None = None) -> Any:
    queryset = Comment.objects.select_related("author")
    if report is not None:
        return queryset.filter(report=report)
    return queryset.filter(rhk=rhk)


def evaluation_for(employee: Employee, period: Period) -> Evaluation | None:
    return (
        Evaluation.objects.select_related("rater", "skp")
        .prefetch_related("realisations__indicator", "overrides__changed_by")
        .of_period(period)
        .filter(employee=employee)
        .first()
    )


def visible_employee(user: Any, pk: int) -> Employee:
    employee = (
        Employee.objects.select_related("unit__instansi", "supervisor")
        .filter(pk=pk)
        .first()
    )
    if employee is None or not can_view_employee(user, employee):
        raise Http404
    return employee


def team_for_period(user: Any, *, unit_path: str | None = None) -> QuerySet[Employee]:
    """The employees ``user`` may see in full (but not the user themselves),
    optionally within one unit subtree, for the unit view."""
    viewer = viewer_for(user)
    queryset = Employee.objects.filter(visible_employees_q(viewer)).select_related(
        "unit", "supervisor"
    )
    if viewer.employee_id is not None:
        queryset = queryset.exclude(pk=viewer.employee_id)
    if unit_path:
        queryset = queryset.filter(unit__path__startswith=unit_path)
    return queryset.order_by("unit__path", "name", "pk")


@dataclass(frozen=True)
class TeamMember:
    employee: Employee
    evaluation: Evaluation | None
    reports: dict[str, int]


def team_evaluations(
    user: Any, period: Period, *, unit_path: str | None = None
) -> list[TeamMember]:
    """The unit view: everyone ``user`` may see, with their evaluation and
    report counts for ``period``, in three queries whatever the team size."""
    employees = list(team_for_period(user, unit_path=unit_path))
    evaluations = {
        evaluation.employee_id: evaluation
        for evaluation in Evaluation.objects.of_period(period).filter(
            employee__in=employees
        )
    }
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for employee_id, status, number in (
        DailyReport.objects.filter(
            employee__in=employees, date__range=(period.start, period.end)
        )
        .order_by()
        .values_list("employee_id", "status")
        .annotate(n=Count("id"))
        .values_list("employee_id", "status", "n")
    ):
        counts[employee_id][status] = number
    return [
        TeamMember(
            employee=employee,
            evaluation=evaluations.get(employee.pk),
            reports={
                "submitted": counts[employee.pk].get(DailyReport.Status.SUBMITTED, 0),
                "approved": counts[employee.pk].get(DailyReport.Status.APPROVED, 0),
                "returned": counts[employee.pk].get(DailyReport.Status.RETURNED, 0),
            },
        )
        for employee in employees
    ]


def recap_units(user: Any) -> QuerySet[Unit]:
    """Units whose kinerja recap ``user`` may export (for TPP): the units
    they oversee as unit admin or auditor."""
    return overseen_units(user)


def may_export_recap(user: Any, unit: Unit) -> bool:
    return recap_units(user).filter(pk=unit.pk).exists()
