"""export_kinerja: the documented columns, per employee, in every format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import time_machine
from django.core.management import call_command
from openpyxl import load_workbook

from backend.performance import services
from backend.performance.export import COLUMNS
from backend.performance.periods import parse_period
from tests.factories import agreed_skp

NOW = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _evaluated(org: Any) -> None:
    agreed_skp(org.alice)
    services.evaluation_record(
        rater=org.bob,
        employee=org.alice,
        period=parse_period("2026-10"),
        rating_hasil_kerja="di_bawah",
        rating_perilaku_kerja="sesuai",
    )


def test_the_csv_has_the_documented_columns_and_one_row_per_employee(
    org: Any,
) -> None:
    with time_machine.travel(NOW, tick=False):
        _evaluated(org)
        out = io.StringIO()
        call_command(
            "export_kinerja", "--period", "2026-10", "--unit", "BKD", stdout=out
        )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    by_nip = {
        row[COLUMNS.index("nip")]: dict(zip(COLUMNS, row, strict=True))
        for row in rows[1:]
    }
    # BKD and its Bidang Mutasi: dina, bob, alice; nobody from Dinkes.
    assert set(by_nip) == {org.dina.nip, org.bob.nip, org.alice.nip}
    alice = by_nip[org.alice.nip]
    assert alice["period"] == "2026-10"
    assert alice["period_start"] == "2026-10-01"
    assert alice["unit_code"] == "BKD-MUT"
    assert alice["rater_nip"] == org.bob.nip
    assert alice["rating_hasil_kerja"] == "di_bawah"
    assert alice["predikat"] == "butuh_perbaikan"
    assert alice["predikat_overridden"] == "0"
    # registered in November: October has no settled working day for her
    assert alice["working_days"] == "0"
    # Added last: payroll imports read the columns by position.
    assert COLUMNS[-1] == "days_fwa"
    assert alice["days_fwa"] == "0"
    assert alice["attendance_percent"] == ""
    assert by_nip[org.bob.nip]["predikat"] == ""


def test_json_and_xlsx_carry_the_same_rows(org: Any, tmp_path: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        _evaluated(org)
        out = io.StringIO()
        call_command(
            "export_kinerja",
            "--period",
            "2026-10",
            "--unit",
            "BKD-MUT",
            "--format",
            "json",
            stdout=out,
        )
        target = tmp_path / "kinerja.xlsx"
        call_command(
            "export_kinerja",
            "--period=2026-10",
            "--unit=BKD-MUT",
            "--format=xlsx",
            f"--output={target}",
        )
    body = json.loads(out.getvalue())
    assert body["format_version"] == 1
    assert body["columns"] == list(COLUMNS)
    assert body["unit"]["code"] == "BKD-MUT"
    assert {row["nip"] for row in body["rows"]} == {org.bob.nip, org.alice.nip}
    alice = next(row for row in body["rows"] if row["nip"] == org.alice.nip)
    assert alice["predikat"] == "butuh_perbaikan"
    assert alice["predikat_overridden"] is False

    sheet = load_workbook(target, read_only=True)["kinerja"]
    values = list(sheet.values)
    assert values[0] == COLUMNS
    assert len(values) == 3
