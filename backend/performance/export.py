"""The per-employee kinerja recap for payroll (TPP) and the national system.

One row per employee of a unit subtree for one period, with the columns of
``COLUMNS`` in that order (documented in docs/kinerja.md; add columns only
at the end, never rename or reorder: payroll imports read them by position
and name). Employees are read in chunks and rows are written as they are
made, so a large unit never sits in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone

from backend.organization.models import Employee, Unit
from backend.performance.models import Evaluation
from backend.performance.periods import Period
from backend.performance.recap import period_recap

FORMAT_VERSION = 1
FORMATS = ("csv", "xlsx", "json")

COLUMNS: tuple[str, ...] = (
    "period",
    "period_start",
    "period_end",
    "nip",
    "name",
    "status",
    "unit_code",
    "unit_name",
    "jabatan",
    "golongan",
    "rater_nip",
    "working_days",
    "days_present",
    "days_tl",
    "days_psw",
    "days_tk",
    "minutes_late",
    "minutes_early",
    "attendance_percent",
    "tk_days_year",
    "discipline_level",
    "reports_total",
    "reports_approved",
    "reports_returned",
    "reports_pending",
    "rating_hasil_kerja",
    "rating_perilaku_kerja",
    "predikat",
    "predikat_overridden",
    "days_fwa",
)


def unit_employees(unit: Unit) -> QuerySet[Employee]:
    """Everyone in ``unit`` and the units below it, in a stable order."""
    return (
        Employee.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "supervisor")
        .order_by("unit__path", "nip")
    )


def recap_rows(
    unit: Unit, period: Period, *, now: dt.datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The rows of the export, one employee at a time."""
    now = now or timezone.now()
    for employee in unit_employees(unit).iterator(chunk_size=200):
        recap = period_recap(employee, period, now=now)
        evaluation = (
            Evaluation.objects.select_related("rater")
            .of_period(period)
            .filter(employee=employee)
            .first()
        )
        attendance = recap.attendance
        percent = (
            round(100 * attendance.days_present / attendance.working_days, 2)
            if attendance.working_days
            else None
        )
        yield {
            "period": period.code,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            "nip": employee.nip,
            "name": employee.name,
            "status": employee.status,
            "unit_code": employee.unit.code,
            "unit_name": employee.unit.name,
            "jabatan": employee.jabatan,
            "golongan": employee.golongan,
            "rater_nip": (
                evaluation.rater.nip
                if evaluation
                else (employee.supervisor.nip if employee.supervisor else "")
            ),
            "working_days": attendance.working_days,
            "days_present": attendance.days_present,
            "days_tl": attendance.days_tl,
            "days_psw": attendance.days_psw,
            "days_tk": attendance.days_tk,
            "minutes_late": attendance.minutes_late,
            "minutes_early": attendance.minutes_early,
            "attendance_percent": percent,
            "tk_days_year": attendance.tk_days_year,
            "discipline_level": attendance.discipline.level,
            "reports_total": recap.reports.total,
            "reports_approved": recap.reports.approved,
            "reports_returned": recap.reports.returned,
            "reports_pending": recap.reports.submitted,
            "rating_hasil_kerja": evaluation.rating_hasil_kerja if evaluation else "",
            "rating_perilaku_kerja": (
                evaluation.rating_perilaku_kerja if evaluation else ""
            ),
            "predikat": evaluation.predikat if evaluation else "",
            "predikat_overridden": bool(evaluation and evaluation.is_overridden),
            "days_fwa": attendance.days_fwa,
        }


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return value


def csv_chunks(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text (UTF-8, comma, header row, ``\\r\\n``), a row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_safe(_cell(row[name])) for name in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _safe(value: Any) -> Any:
    # Spreadsheet programs run a cell starting with = + - @ as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def json_chunks(
    rows: Iterator[dict[str, Any]], *, unit: Unit, period: Period
) -> Iterator[str]:
    """``{"format_version", "period", "unit", "columns", "rows": [...]}``,
    one row at a time."""
    head = {
        "format_version": FORMAT_VERSION,
        "period": period.code,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "unit": {"code": unit.code, "name": unit.name},
        "columns": list(COLUMNS),
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, ensure_ascii=False)
    yield "\n]}\n"


def write_xlsx(rows: Iterator[dict[str, Any]], target: str | Path | IO[bytes]) -> None:
    """An XLSX workbook with one sheet "kinerja": the header row, then the
    rows. openpyxl's write-only mode streams rows to a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("kinerja")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_safe(_cell(row[name])) for name in COLUMNS])
    workbook.save(target)


def write(
    fmt: str,
    *,
    unit: Unit,
    period: Period,
    out: Any,
    now: dt.datetime | None = None,
) -> None:
    """Write the export in ``fmt`` to ``out`` (text for csv/json, binary for
    xlsx)."""
    rows = recap_rows(unit, period, now=now)
    if fmt == "csv":
        for chunk in csv_chunks(rows):
            out.write(chunk)
    elif fmt == "json":
        for chunk in json_chunks(rows, unit=unit, period=period):
            out.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(rows, out)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
