"""Bulk import of units and employees (backend.organization.importing).

The cast of the files: in a fresh instansi Siak, kepala heads the Sekretariat
Daerah; kabag (head of Bagian Umum) reports to kepala; staf1 and staf2 report
to kabag; guru works in Dinas Pendidikan with no supervisor.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from backend.organization.importing import ImportFailed, org_import
from backend.organization.models import Employee, Instansi, Unit
from backend.organization.visibility import visible_employees
from tests.conftest import PASSWORD
from tests.factories import InstansiFactory, make_nip

User = get_user_model()

# Indices far above the factories' running sequence, so no NIP collides.
KEPALA, KABAG, STAF1, STAF2, GURU = (make_nip(9000 + i) for i in range(5))
# Valid for PPPK (digits 13-14 are not a month), not for PNS.
PPPK_NIP = "199001012021211001"

UNIT_HEADER = ["code", "name", "kind", "parent_code", "head_nip"]
EMPLOYEE_HEADER = [
    "nip",
    "name",
    "status",
    "unit_code",
    "supervisor_nip",
    "jabatan",
    "jabatan_kind",
    "golongan",
    "placement_date",
    "under_sanction",
    "email",
    "domisili_latitude",
    "domisili_longitude",
    "domisili_address",
]


def unit_rows() -> list[list[Any]]:
    return [
        UNIT_HEADER,
        ["SETDA", "Sekretariat Daerah", "opd", "", KEPALA],
        ["SETDA-UM", "Bagian Umum", "bidang", "SETDA", KABAG],
        ["DISDIK", "Dinas Pendidikan", "opd", "", ""],
    ]


def employee_rows() -> list[list[Any]]:
    return [
        EMPLOYEE_HEADER,
        [
            KEPALA,
            "Kepala Setda",
            "PNS",
            "SETDA",
            "",
            "Sekretaris Daerah",
            "jpt",
            "IV/d",
            "2021-03-01",
            "tidak",
            "kepala@siak.go.id",
            "0.7853",
            "102.0497",
            "Jl. Sultan Syarif Kasim",
        ],
        [
            KABAG,
            "Kabag Umum",
            "PNS",
            "SETDA-UM",
            KEPALA,
            "Kepala Bagian Umum",
            "administrator",
            "IV/a",
            "",
            "tidak",
            "",
            "",
            "",
            "",
        ],
        [
            STAF1,
            "Staf Satu",
            "PNS",
            "SETDA-UM",
            KABAG,
            "Pengadministrasi",
            "pelaksana",
            "II/c",
            "",
            "ya",
            "",
            "",
            "",
            "",
        ],
        [
            STAF2,
            "Staf Dua",
            "PNS",
            "SETDA-UM",
            KABAG,
            "Pengadministrasi",
            "pelaksana",
            "III/a",
            "",
            "0",
            "",
            "",
            "",
            "",
        ],
        [
            GURU,
            "Guru Honor",
            "PNS",
            "DISDIK",
            "",
            "Guru",
            "fungsional",
            "III/b",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


def csv_bytes(
    rows: list[list[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[Any]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def employee_row(
    nip: str, name: str, status: str, unit_code: str, **more: str
) -> list[str]:
    """A row under ``EMPLOYEE_HEADER``: the cells given, the others empty."""
    values = {
        "nip": nip,
        "name": name,
        "status": status,
        "unit_code": unit_code,
        **more,
    }
    return [values.get(column, "") for column in EMPLOYEE_HEADER]


def with_cell(
    rows: list[list[Any]], row: int, column: str, value: Any
) -> list[list[Any]]:
    """``rows`` with one cell changed; ``row`` numbered as in the file."""
    changed = [list(r) for r in rows]
    changed[row - 1][rows[0].index(column)] = value
    return changed


def import_files(
    instansi: Instansi,
    units: list[list[Any]] | None = None,
    employees: list[list[Any]] | None = None,
    **kwargs: Any,
) -> Any:
    return org_import(
        instansi=instansi,
        units_file=csv_bytes(units) if units is not None else None,
        employees_file=csv_bytes(employees) if employees is not None else None,
        **kwargs,
    )


def errors_of(
    instansi: Instansi,
    units: list[list[Any]] | None = None,
    employees: list[list[Any]] | None = None,
) -> list[dict[str, Any]]:
    with pytest.raises(ImportFailed) as failed:
        import_files(instansi, units, employees)
    return failed.value.errors


def cells(errors: list[dict[str, Any]]) -> set[tuple[str, int, str]]:
    return {(e["sheet"], e["row"], e["column"]) for e in errors}


@pytest.fixture(autouse=True)
def _english() -> Any:
    # The messages asserted on are the English source strings.
    with translation.override("en"):
        yield


@pytest.fixture
def siak(db: Any) -> Instansi:
    return InstansiFactory(code="SIAK", name="Pemerintah Kabupaten Siak")


@pytest.fixture
def imported(siak: Instansi) -> SimpleNamespace:
    import_files(siak, unit_rows(), employee_rows(), initial_password=PASSWORD)
    by_nip = {e.nip: e for e in Employee.objects.select_related("user", "unit")}
    return SimpleNamespace(
        kepala=by_nip[KEPALA],
        kabag=by_nip[KABAG],
        staf1=by_nip[STAF1],
        staf2=by_nip[STAF2],
        guru=by_nip[GURU],
    )


# --- Reading files ------------------------------------------------------------


def test_it_imports_units_and_employees_from_csv(siak: Instansi) -> None:
    report = import_files(siak, unit_rows(), employee_rows())

    assert (report.units_created, report.employees_created) == (3, 5)
    assert (report.units_updated, report.employees_updated) == (0, 0)
    kepala = Employee.objects.get(nip=KEPALA)
    assert kepala.unit.code == "SETDA"
    assert kepala.jabatan_kind == "jpt"
    assert kepala.golongan == "IV/d"
    assert str(kepala.placement_date) == "2021-03-01"
    assert str(kepala.domisili_latitude) == "0.785300"
    assert kepala.user.username == KEPALA
    assert kepala.user.email == "kepala@siak.go.id"
    assert Employee.objects.get(nip=STAF1).under_sanction is True
    umum = Unit.objects.get(code="SETDA-UM")
    assert umum.parent == Unit.objects.get(code="SETDA")
    assert umum.path == f"/{umum.parent_id}/{umum.pk}/"
    assert umum.head == Employee.objects.get(nip=KABAG)


def test_it_imports_both_sheets_of_one_xlsx_workbook(siak: Instansi) -> None:
    workbook = xlsx_bytes({"Unit": unit_rows(), "Pegawai": employee_rows()})

    report = org_import(instansi=siak, employees_file=workbook)

    assert (report.units_created, report.employees_created) == (3, 5)
    assert Employee.objects.get(nip=STAF2).unit.code == "SETDA-UM"


def test_it_reads_typed_xlsx_cells(siak: Instansi) -> None:
    import datetime as dt

    rows = employee_rows()
    rows[1][8] = dt.datetime(2021, 3, 1)  # noqa: DTZ001 (a spreadsheet date)
    rows[1][9] = True
    rows[1][11], rows[1][12] = 0.7853, 102.0497
    workbook = xlsx_bytes({"employees": rows})

    org_import(
        instansi=siak, units_file=csv_bytes(unit_rows()), employees_file=workbook
    )

    kepala = Employee.objects.get(nip=KEPALA)
    assert str(kepala.placement_date) == "2021-03-01"
    assert kepala.under_sanction is True
    assert str(kepala.domisili_longitude) == "102.049700"


def test_it_rejects_a_nip_stored_as_a_number(siak: Instansi) -> None:
    # Spreadsheets keep 15 significant digits, so the NIP comes back mangled.
    rows = with_cell(employee_rows(), 3, "nip", int(KABAG))
    workbook = xlsx_bytes({"units": unit_rows(), "employees": rows})

    with pytest.raises(ImportFailed) as failed:
        org_import(instansi=siak, units_file=workbook, employees_file=workbook)

    [error] = [
        e for e in failed.value.errors if e["sheet"] == "employees" and e["row"] == 3
    ]
    assert error["column"] == "nip"
    assert "format the column as Text" in error["message"]


def test_it_accepts_semicolons_a_bom_and_indonesian_headers(siak: Instansi) -> None:
    employees = [
        [
            "NIP",
            "Nama",
            "Kode Unit",
            "NIP Atasan",
            "Gol",
            "TMT",
            "Hukdis",
            "Lintang",
            "Bujur",
        ],
        [
            KEPALA,
            "Kepala Setda",
            "SETDA",
            "",
            "IV/d",
            "2021-03-01",
            "Tidak",
            "0,7853",
            "102,0497",
        ],
        [KABAG, "Kabag Umum", "SETDA-UM", KEPALA, "iv / a", "", "YA", "", ""],
    ]
    units = [
        ["Kode", "Nama Unit", "Jenis", "Kode Induk"],
        ["SETDA", "Sekretariat Daerah", "Sekretariat", ""],
        ["SETDA-UM", "Bagian Umum", "Bagian", "SETDA"],
    ]

    org_import(
        instansi=siak,
        units_file=csv_bytes(units, delimiter=";", encoding="utf-8-sig"),
        employees_file=csv_bytes(employees, delimiter=";", encoding="utf-8-sig"),
    )

    kabag = Employee.objects.get(nip=KABAG)
    assert kabag.supervisor.nip == KEPALA
    assert kabag.golongan == "IV/a"
    assert kabag.under_sanction is True
    assert str(Employee.objects.get(nip=KEPALA).domisili_latitude) == "0.785300"
    assert Unit.objects.get(code="SETDA-UM").kind == "bidang"


def test_it_reads_files_from_paths(siak: Instansi, tmp_path: Path) -> None:
    (tmp_path / "units.csv").write_bytes(csv_bytes(unit_rows()))
    (tmp_path / "pegawai.xlsx").write_bytes(xlsx_bytes({"Sheet1": employee_rows()}))

    report = org_import(
        instansi=siak,
        units_file=tmp_path / "units.csv",
        employees_file=str(tmp_path / "pegawai.xlsx"),
    )

    assert report.employees_created == 5


def test_it_warns_about_unknown_columns(siak: Instansi) -> None:
    rows = [[*row, "x"] for row in employee_rows()]
    rows[0][-1] = "tempat_lahir"

    report = import_files(siak, unit_rows(), rows)

    assert any("tempat_lahir" in warning for warning in report.warnings)


# --- Errors by row and column -------------------------------------------------


def test_it_reports_a_missing_required_column_on_the_header_row(
    siak: Instansi,
) -> None:
    rows = [row[:3] + row[4:] for row in employee_rows()]  # no unit_code

    errors = errors_of(siak, unit_rows(), rows)

    assert errors == [
        {
            "row": 1,
            "column": "unit_code",
            "message": "Required column is missing.",
            "sheet": "employees",
        }
    ]


def test_it_reports_a_file_that_is_not_utf8(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 4, "name", "Staf Satu Müller")

    with pytest.raises(ImportFailed) as failed:
        org_import(
            instansi=siak,
            units_file=csv_bytes(unit_rows()),
            employees_file=csv_bytes(rows, encoding="latin-1"),
        )

    assert cells(failed.value.errors) == {("employees", 4, "")}
    assert "UTF-8" in failed.value.errors[0]["message"]


def test_it_refuses_an_old_xls_file(siak: Instansi) -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

    with pytest.raises(ImportFailed) as failed:
        org_import(instansi=siak, employees_file=xls)

    assert cells(failed.value.errors) == {("employees", 1, "")}
    assert ".xlsx" in failed.value.errors[0]["message"]


def test_it_reports_unknown_unit_code_by_row_and_column(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 5, "unit_code", "setda-um")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 5, "unit_code")}
    assert "setda-um" in errors[0]["message"]
    assert "Did you mean SETDA-UM?" in errors[0]["message"]


def test_it_finds_unit_codes_already_in_the_database(
    siak: Instansi,
) -> None:
    import_files(siak, unit_rows(), employee_rows())

    report = import_files(siak, employees=employee_rows())

    assert report.employees_unchanged == 5


def test_it_reports_unknown_supervisor_nip_by_row_and_column(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 4, "supervisor_nip", make_nip(9999))

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 4, "supervisor_nip")}
    assert make_nip(9999) in errors[0]["message"]


def test_it_reports_a_supervisor_from_another_instansi(org: Any) -> None:
    rows = with_cell(employee_rows(), 3, "supervisor_nip", org.kampar_staff.nip)

    errors = errors_of(org.riau, unit_rows(), rows)

    assert cells(errors) == {("employees", 3, "supervisor_nip")}
    assert "Kampar" in errors[0]["message"]


def test_it_reports_a_nip_that_belongs_to_another_instansi(org: Any) -> None:
    rows = with_cell(employee_rows(), 6, "nip", org.kampar_staff.nip)

    errors = errors_of(org.riau, unit_rows(), rows)

    assert cells(errors) == {("employees", 6, "nip")}
    assert Employee.objects.get(nip=org.kampar_staff.nip).unit == org.kampar_opd


def test_it_reports_a_nip_invalid_for_the_status(siak: Instansi) -> None:
    rows = employee_rows()
    rows.append(employee_row(PPPK_NIP, "Pegawai PPPK", "PNS", "DISDIK"))

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 7, "nip")}
    assert "13-14" in errors[0]["message"]


def test_it_accepts_a_pppk_nip_for_a_pppk_employee(siak: Instansi) -> None:
    rows = employee_rows()
    rows.append(employee_row(PPPK_NIP, "Pegawai PPPK", "PPPK", "DISDIK", golongan="IX"))

    import_files(siak, unit_rows(), rows)

    assert Employee.objects.get(nip=PPPK_NIP).status == "PPPK"


def test_it_reports_a_malformed_nip(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 6, "nip", "19860926201505")

    errors = errors_of(siak, unit_rows(), rows)

    assert ("employees", 6, "nip") in cells(errors)
    assert any("18 digits" in e["message"] for e in errors)


def test_it_reports_a_duplicate_nip_in_the_file(siak: Instansi) -> None:
    rows = employee_rows()
    rows.append(list(rows[4]))

    errors = errors_of(siak, unit_rows(), rows)

    assert errors == [
        {
            "row": 7,
            "column": "nip",
            "message": f"{STAF2} already appears in row 5.",
            "sheet": "employees",
        }
    ]


def test_it_reports_a_duplicate_unit_code_in_the_file(siak: Instansi) -> None:
    rows = unit_rows()
    rows.append(["DISDIK", "Dinas Pendidikan lagi", "opd", "", ""])

    errors = errors_of(siak, rows, employee_rows())

    assert cells(errors) == {("units", 5, "code")}
    assert "row 4" in errors[0]["message"]


def test_it_reports_golongan_not_allowed_for_the_status(siak: Instansi) -> None:
    rows = employee_rows()
    rows.append(
        employee_row(PPPK_NIP, "Pegawai PPPK", "PPPK", "DISDIK", golongan="III/a")
    )
    rows = with_cell(rows, 6, "golongan", "XII")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 6, "golongan"), ("employees", 7, "golongan")}
    assert any("III/a does not exist for PPPK" in e["message"] for e in errors)


def test_it_reports_a_date_not_in_iso_format(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 3, "placement_date", "01/03/2021")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 3, "placement_date")}
    assert "YYYY-MM-DD" in errors[0]["message"]


def test_it_reports_coordinates_out_of_range(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 2, "domisili_latitude", "91")
    rows = with_cell(rows, 2, "domisili_longitude", "-181")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) >= {
        ("employees", 2, "domisili_latitude"),
        ("employees", 2, "domisili_longitude"),
    }


def test_it_reports_a_latitude_without_longitude(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 2, "domisili_longitude", "")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 2, "domisili_latitude")}
    assert "both" in errors[0]["message"]


def test_it_reports_unreadable_cells(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 2, "status", "honorer")
    rows = with_cell(rows, 3, "under_sanction", "mungkin")
    rows = with_cell(rows, 4, "email", "not-an-email")
    rows = with_cell(rows, 5, "jabatan_kind", "direktur")
    rows = with_cell(rows, 6, "domisili_latitude", "north")

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) >= {
        ("employees", 2, "status"),
        ("employees", 3, "under_sanction"),
        ("employees", 4, "email"),
        ("employees", 5, "jabatan_kind"),
        ("employees", 6, "domisili_latitude"),
    }


def test_it_reports_unit_errors_by_row_and_column(siak: Instansi) -> None:
    rows = unit_rows()
    rows = with_cell(rows, 3, "parent_code", "NOWHERE")
    rows = with_cell(rows, 4, "kind", "kecamatan")

    errors = errors_of(siak, rows, employee_rows())

    assert cells(errors) == {("units", 3, "parent_code"), ("units", 4, "kind")}


def test_it_reports_a_head_outside_the_unit(siak: Instansi) -> None:
    rows = with_cell(unit_rows(), 4, "head_nip", STAF1)

    errors = errors_of(siak, rows, employee_rows())

    assert cells(errors) == {("units", 4, "head_nip")}


def test_it_numbers_rows_as_the_spreadsheet_shows_them(siak: Instansi) -> None:
    rows = employee_rows()
    rows.insert(3, [None] * len(EMPLOYEE_HEADER))  # a blank row 4
    rows = with_cell(rows, 6, "unit_code", "NOPE")  # staf2, on row 6

    workbook = xlsx_bytes({"units": unit_rows(), "employees": rows})
    with pytest.raises(ImportFailed) as failed:
        org_import(instansi=siak, units_file=workbook, employees_file=workbook)

    assert cells(failed.value.errors) == {("employees", 6, "unit_code")}


# --- Supervisor chains and cycles -------------------------------------------


def test_it_builds_supervisor_chains(imported: SimpleNamespace) -> None:
    kepala, kabag = imported.kepala, imported.kabag

    assert kepala.chain == "/"
    assert kabag.chain == f"/{kepala.pk}/"
    assert imported.staf1.chain == f"/{kepala.pk}/{kabag.pk}/"
    assert imported.staf1.supervisor == kabag


def test_a_supervisor_sees_indirect_subordinates_right_after_import(
    imported: SimpleNamespace,
) -> None:
    visible = set(visible_employees(imported.kepala.user))

    assert visible == {imported.kepala, imported.kabag, imported.staf1, imported.staf2}
    assert imported.guru not in visible


def test_rows_may_refer_to_rows_further_down(siak: Instansi) -> None:
    units, employees = unit_rows(), employee_rows()
    units[1:] = reversed(units[1:])
    employees[1:] = reversed(employees[1:])

    import_files(siak, units, employees)

    staf1 = Employee.objects.get(nip=STAF1)
    assert staf1.chain == f"/{staf1.supervisor.supervisor_id}/{staf1.supervisor_id}/"
    assert Unit.objects.get(code="SETDA-UM").parent.code == "SETDA"


def test_it_rejects_a_supervisor_cycle(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 2, "supervisor_nip", STAF1)

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {
        ("employees", 2, "supervisor_nip"),
        ("employees", 3, "supervisor_nip"),
        ("employees", 4, "supervisor_nip"),
    }
    assert "cycle" in errors[0]["message"]
    assert not Employee.objects.exists()


def test_it_rejects_a_cycle_closed_through_the_database(org: Any) -> None:
    # dina -> bob -> alice already; the file makes alice dina's supervisor.
    rows = [
        EMPLOYEE_HEADER[:5],
        [org.dina.nip, org.dina.name, "PNS", "BKD", org.alice.nip],
    ]

    errors = errors_of(org.riau, employees=rows)

    assert cells(errors) == {("employees", 2, "supervisor_nip")}
    org.dina.refresh_from_db()
    assert org.dina.supervisor is None


def test_it_rejects_someone_supervising_themselves(siak: Instansi) -> None:
    rows = with_cell(employee_rows(), 6, "supervisor_nip", GURU)

    errors = errors_of(siak, unit_rows(), rows)

    assert cells(errors) == {("employees", 6, "supervisor_nip")}


def test_it_rejects_a_unit_parent_cycle(siak: Instansi) -> None:
    rows = with_cell(unit_rows(), 2, "parent_code", "SETDA-UM")

    errors = errors_of(siak, rows, employee_rows())

    assert cells(errors) == {("units", 2, "parent_code"), ("units", 3, "parent_code")}
    assert not Unit.objects.exists()


def test_moving_a_supervisor_rechains_their_existing_subtree(org: Any) -> None:
    # bob (with alice under him) moves from dina to erik.
    rows = [
        EMPLOYEE_HEADER[:5],
        [org.bob.nip, org.bob.name, "PNS", "BKD-MUT", org.erik.nip],
    ]

    report = import_files(org.riau, employees=rows)

    assert report.employees_updated == 1
    assert report.chains_changed == 2
    org.alice.refresh_from_db()
    assert org.alice.chain == f"/{org.erik.pk}/{org.bob.pk}/"
    assert org.alice in visible_employees(org.erik.user)
    assert org.alice not in visible_employees(org.dina.user)


# --- All or nothing, and re-runs -------------------------------------------------


def test_one_bad_row_means_nothing_is_written(org: Any) -> None:
    before = (Unit.objects.count(), Employee.objects.count(), User.objects.count())
    rows = with_cell(employee_rows(), 6, "golongan", "V/z")
    rows.append(employee_row(org.bob.nip, "Bob Renamed", "PNS", "BKD-MUT"))

    with pytest.raises(ImportFailed) as failed:
        import_files(org.riau, unit_rows(), rows)

    assert cells(failed.value.errors) == {("employees", 6, "golongan")}
    assert (
        Unit.objects.count(),
        Employee.objects.count(),
        User.objects.count(),
    ) == before
    org.bob.refresh_from_db()
    assert org.bob.name == "Bob Kabid"


def test_a_rerun_updates_instead_of_duplicating(
    imported: SimpleNamespace, siak: Instansi
) -> None:
    password_before = imported.staf1.user.password
    rows = with_cell(employee_rows(), 4, "jabatan", "Analis SDM")
    rows = with_cell(rows, 5, "email", "staf2@siak.go.id")
    units = with_cell(unit_rows(), 4, "name", "Dinas Pendidikan dan Kebudayaan")

    report = import_files(siak, units, rows, initial_password="Lain-Sandi-2026x")

    assert (report.units_created, report.units_updated, report.units_unchanged) == (
        0,
        1,
        2,
    )
    assert (
        report.employees_created,
        report.employees_updated,
        report.employees_unchanged,
    ) == (0, 2, 3)
    assert report.chains_changed == 0
    assert Employee.objects.count() == 5
    assert Unit.objects.count() == 3
    assert User.objects.count() == 5
    staf1 = Employee.objects.select_related("user").get(nip=STAF1)
    assert staf1.jabatan == "Analis SDM"
    assert staf1.user.password == password_before
    assert User.objects.get(username=STAF2).email == "staf2@siak.go.id"
    assert Unit.objects.get(code="DISDIK").name == "Dinas Pendidikan dan Kebudayaan"


def test_a_column_left_out_keeps_existing_values(
    imported: SimpleNamespace, siak: Instansi
) -> None:
    rows = [row[:5] for row in employee_rows()]  # no golongan, email, ...

    report = import_files(siak, employees=rows)

    assert report.employees_unchanged == 5
    kepala = Employee.objects.select_related("user").get(nip=KEPALA)
    assert kepala.golongan == "IV/d"
    assert kepala.user.email == "kepala@siak.go.id"
    assert str(kepala.domisili_latitude) == "0.785300"


def test_an_empty_cell_clears_the_field(
    imported: SimpleNamespace, siak: Instansi
) -> None:
    rows = with_cell(employee_rows(), 3, "supervisor_nip", "")
    rows = with_cell(rows, 2, "domisili_latitude", "")
    rows = with_cell(rows, 2, "domisili_longitude", "")

    import_files(siak, unit_rows(), rows)

    kabag = Employee.objects.get(nip=KABAG)
    assert kabag.supervisor is None
    assert kabag.chain == "/"
    assert Employee.objects.get(nip=STAF1).chain == f"/{kabag.pk}/"
    assert Employee.objects.get(nip=KEPALA).domisili_latitude is None


def test_it_updates_employees_created_through_the_services(org: Any) -> None:
    rows = [
        [*EMPLOYEE_HEADER[:5], "jabatan"],
        [
            org.alice.nip,
            "Alice Staf",
            "PNS",
            "BKD-MUT",
            org.bob.nip,
            "Analis Kepegawaian",
        ],
        [make_nip(9100), "Anak Baru", "PNS", "BKD-MUT", org.alice.nip, ""],
    ]

    report = import_files(org.riau, employees=rows)

    assert (report.employees_created, report.employees_updated) == (1, 1)
    newcomer = Employee.objects.get(nip=make_nip(9100))
    assert newcomer.chain == f"/{org.dina.pk}/{org.bob.pk}/{org.alice.pk}/"
    assert newcomer in visible_employees(org.dina.user)
    org.alice.refresh_from_db()
    assert org.alice.jabatan == "Analis Kepegawaian"


# --- Accounts ----------------------------------------------------------------------


def test_new_accounts_share_one_initial_password_hash(
    imported: SimpleNamespace,
) -> None:
    users = User.objects.filter(username__in=[KEPALA, KABAG, STAF1])

    assert len({user.password for user in users}) == 1
    assert all(user.check_password(PASSWORD) for user in users)


def test_without_initial_password_new_accounts_cannot_log_in(
    siak: Instansi,
) -> None:
    import_files(siak, unit_rows(), employee_rows())

    user = User.objects.get(username=GURU)
    assert not user.has_usable_password()


def test_it_refuses_a_weak_initial_password(siak: Instansi) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        import_files(siak, unit_rows(), employee_rows(), initial_password="123")
    assert not Employee.objects.exists()


def test_it_reports_a_username_already_taken(siak: Instansi) -> None:
    User.objects.create_user(username=GURU)

    errors = errors_of(siak, unit_rows(), employee_rows())

    assert cells(errors) == {("employees", 6, "nip")}


# --- Dry run and cost ---------------------------------------------------------------


def test_a_dry_run_counts_and_writes_nothing(siak: Instansi) -> None:
    report = import_files(siak, unit_rows(), employee_rows(), dry_run=True)

    assert (report.units_created, report.employees_created) == (3, 5)
    assert report.dry_run
    assert not Unit.objects.exists()
    assert not User.objects.exists()


def test_the_query_count_does_not_grow_with_the_rows(
    siak: Instansi, django_assert_max_num_queries: Any
) -> None:
    rows = employee_rows()
    for i in range(200):
        rows.append(
            employee_row(
                make_nip(9200 + i), f"Staf {i}", "PNS", "SETDA-UM", supervisor_nip=STAF1
            )
        )

    with django_assert_max_num_queries(40):
        report = import_files(siak, unit_rows(), rows)

    assert report.employees_created == 205
    staf1 = Employee.objects.get(nip=STAF1)
    assert Employee.objects.get(nip=make_nip(9399)).chain == (
        staf1.subordinate_chain_prefix
    )


# --- The management command ----------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> SimpleNamespace:
    units, employees = tmp_path / "units.csv", tmp_path / "pegawai.csv"
    units.write_bytes(csv_bytes(unit_rows()))
    employees.write_bytes(csv_bytes(employee_rows()))
    return SimpleNamespace(units=units, employees=employees, dir=tmp_path)


def test_the_command_imports_and_prints_a_summary(
    siak: Instansi, files: SimpleNamespace
) -> None:
    out = io.StringIO()

    call_command(
        "import_org",
        "--instansi",
        "SIAK",
        "--units",
        str(files.units),
        "--employees",
        str(files.employees),
        "--initial-password",
        PASSWORD,
        stdout=out,
    )

    assert "Units: 3 created, 0 updated, 0 unchanged." in out.getvalue()
    assert "Employees: 5 created, 0 updated, 0 unchanged." in out.getvalue()
    assert User.objects.get(username=KEPALA).check_password(PASSWORD)


def test_the_command_prints_errors_and_exits_non_zero(
    siak: Instansi, files: SimpleNamespace
) -> None:
    files.employees.write_bytes(
        csv_bytes(with_cell(employee_rows(), 4, "unit_code", "NOPE"))
    )
    err = io.StringIO()

    # manage.py exits with the CommandError's returncode. (Running it through
    # execute_from_command_line would close the test database connection.)
    with pytest.raises(CommandError, match="nothing was written") as failed:
        call_command(
            "import_org",
            "--instansi",
            "SIAK",
            "--units",
            str(files.units),
            "--employees",
            str(files.employees),
            stderr=err,
        )

    assert failed.value.returncode != 0
    assert (
        "employees: row 4, column unit_code: Unknown unit code NOPE" in err.getvalue()
    )
    assert not Employee.objects.exists()


def test_the_command_dry_run_writes_nothing(
    siak: Instansi, files: SimpleNamespace
) -> None:
    out = io.StringIO()

    call_command(
        "import_org",
        "--instansi",
        "SIAK",
        "--employees",
        str(files.employees),
        "--units",
        str(files.units),
        "--dry-run",
        stdout=out,
    )

    assert "Employees: 5 created" in out.getvalue()
    assert "nothing was written" in out.getvalue()
    assert not Employee.objects.exists()


def test_the_command_requires_an_existing_instansi(
    siak: Instansi, files: SimpleNamespace
) -> None:
    with pytest.raises(CommandError, match="No instansi with code 'NOPE'"):
        call_command("import_org", "--instansi", "NOPE", "--units", str(files.units))


def test_the_command_requires_a_file(siak: Instansi, files: SimpleNamespace) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command(
            "import_org",
            "--instansi",
            "SIAK",
            "--units",
            str(files.dir / "missing.csv"),
        )
    with pytest.raises(CommandError, match="--units, --employees or both"):
        call_command("import_org", "--instansi", "SIAK")
