"""Bulk onboarding: units and employees of one instansi from CSV or XLSX.

``org_import`` is the service. It reads a units sheet and/or an employees
sheet, checks every row against the file and the database, then writes
everything in one transaction, or nothing: any bad row raises
``ImportFailed`` carrying every error by row and column. Rows are keyed by
unit code and NIP, so running the same file again updates instead of
duplicating. Nothing is ever deleted. The file format is in docs/import.md.

Built for a province (ten thousand employees and more), it never calls
``employee_create`` per row: it loads the instansi's units and employees in a
few queries, validates in memory, writes with ``bulk_create``/``bulk_update``
in batches and computes ``Unit.path`` and ``Employee.chain`` in one pass over
the resulting trees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, TypeVar
from zipfile import BadZipFile

import openpyxl
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from backend.organization.models import Employee, Instansi, Unit
from backend.organization.nip import PNS, PPPK
from backend.organization.services import employee_chain_for

User = get_user_model()
M = TypeVar("M", bound=Model)

# A path, the file's bytes, or a binary file object (e.g. an UploadedFile).
ImportSource = str | os.PathLike[str] | bytes | IO[bytes]

UNITS = "units"
EMPLOYEES = "employees"
_SHEET_NAMES = {
    UNITS: ("units", "unit", "unor", "unit_organisasi"),
    EMPLOYEES: ("employees", "employee", "pegawai", "asn"),
}
_XLSX_MAGIC = b"PK\x03\x04"
# Excel 97-2003 (.xls) files are OLE2 compound documents.
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Rows per INSERT/UPDATE: PostgreSQL allows 65,535 parameters per query and
# Django only splits batches by itself on SQLite.
_BATCH = 1000
# Values per IN (...): SQLite builds with default limits allow 999.
_IN_CHUNK = 900


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", ("kode", "kode_unit", "kode_unor"), required=True),
    Column("name", ("nama", "nama_unit", "nama_unor"), required=True),
    Column("kind", ("jenis", "jenis_unit", "tipe"), required=True),
    Column("parent_code", ("kode_induk", "induk", "kode_unit_induk", "parent")),
    Column("head_nip", ("nip_kepala", "kepala_nip", "nip_kepala_unit")),
)
EMPLOYEE_COLUMNS: tuple[Column, ...] = (
    Column("nip", required=True),
    Column("name", ("nama", "nama_pegawai", "nama_lengkap"), required=True),
    Column("status", ("status_pegawai", "status_kepegawaian", "jenis_pegawai")),
    Column("unit_code", ("kode_unit", "kode_unor", "unit", "unor"), required=True),
    Column("supervisor_nip", ("nip_atasan", "atasan_nip", "nip_atasan_langsung")),
    Column("jabatan", ("nama_jabatan",)),
    Column("jabatan_kind", ("jenis_jabatan",)),
    Column("golongan", ("gol", "golongan_ruang", "pangkat_golongan")),
    Column("placement_date", ("tmt", "tmt_jabatan", "tanggal_penempatan")),
    Column("under_sanction", ("hukuman_disiplin", "hukdis", "sanksi")),
    Column("email", ("e_mail", "surel")),
    Column("domisili_latitude", ("latitude", "lat", "lintang")),
    Column("domisili_longitude", ("longitude", "lon", "lng", "bujur")),
    Column("domisili_address", ("alamat", "alamat_domisili", "domisili")),
)
_COLUMNS = {UNITS: UNIT_COLUMNS, EMPLOYEES: EMPLOYEE_COLUMNS}

# Employee fields copied from the file as they are; unit and supervisor are
# resolved from codes and NIPs, the account fields live on the user.
_EMPLOYEE_FIELDS = (
    "name",
    "status",
    "jabatan",
    "jabatan_kind",
    "golongan",
    "placement_date",
    "under_sanction",
    "domisili_address",
    "domisili_latitude",
    "domisili_longitude",
)
_UNIT_KIND_ALIASES = {
    "dinas": Unit.Kind.OPD,
    "badan": Unit.Kind.OPD,
    "sekretariat": Unit.Kind.OPD,
    "inspektorat": Unit.Kind.OPD,
    "bagian": Unit.Kind.BIDANG,
    "seksi": Unit.Kind.SUBBIDANG,
    "subbagian": Unit.Kind.SUBBIDANG,
    "uptd": Unit.Kind.UPT,
}
_JABATAN_KIND_ALIASES = {
    "pimpinantinggi": Employee.JabatanKind.JPT,
    "jptpratama": Employee.JabatanKind.JPT,
    "jptmadya": Employee.JabatanKind.JPT,
    "jptutama": Employee.JabatanKind.JPT,
}
_TRUE = {"ya", "y", "yes", "true", "1", "benar"}
_FALSE = {"tidak", "n", "no", "false", "0", "salah", ""}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MICRODEGREE = Decimal("0.000001")
_EMAIL_MAX_LENGTH = 254


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    dry_run: bool = False
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    employees_created: int = 0
    employees_updated: int = 0
    employees_unchanged: int = 0
    # Existing employees whose supervisor chain changed. Unknown in a dry
    # run: chains are made of ids that new rows only get when written.
    chains_changed: int | None = None
    # {"row": row as numbered in the file (header = 1), "column": ...,
    #  "message": ..., "sheet": "units" | "employees"}
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class ImportFailed(Exception):
    """At least one row is bad; nothing was written. See ``report.errors``."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        super().__init__(
            _("%(count)d error(s) in the import; nothing was written.")
            % {"count": len(report.errors)}
        )

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.report.errors


def org_import(
    *,
    instansi: Instansi,
    units_file: ImportSource | None = None,
    employees_file: ImportSource | None = None,
    initial_password: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Create or update the units and employees of ``instansi`` from files.

    Either file may be CSV or XLSX; one XLSX workbook with a units and an
    employees sheet may be passed as either argument. Rows are matched by
    unit code and NIP. A column left out of the file leaves that field of
    existing rows alone; an empty cell clears it. New employees get a user
    account named by their NIP with ``initial_password`` (hashed once and
    shared) or an unusable password; existing accounts keep theirs.

    Raises ``ImportFailed`` (nothing written) when any row is bad, and
    ``ValidationError`` when ``initial_password`` is too weak. ``dry_run``
    checks everything and counts the changes without writing.
    """
    if units_file is None and employees_file is None:
        raise ValueError("org_import needs units_file, employees_file or both.")
    if initial_password is not None:
        password_validation.validate_password(initial_password)
    report = ImportReport(dry_run=dry_run)
    errors = _Errors()
    sheets = _read_sources(units_file, employees_file, errors, report.warnings)
    headers = {
        kind: _map_header(sheet, errors, report.warnings)
        for kind, sheet in sheets.items()
    }
    # One workbook passed for both kinds is read twice.
    report.warnings[:] = dict.fromkeys(report.warnings)
    # A missing column or an unreadable file would make every row wrong:
    # report the structure alone first.
    _fail_on_errors(report, errors)
    rows = {kind: _parse_rows(sheets[kind], headers[kind], errors) for kind in sheets}
    unit_rows, employee_rows = rows.get(UNITS, []), rows.get(EMPLOYEES, [])
    if dry_run:
        # Reads only and no transaction, so checking a large file does not
        # hold SQLite's write lock.
        plan = _plan(instansi, unit_rows, employee_rows, errors, lock=False)
        _fail_on_errors(report, errors)
        plan.count_into(report)
        return report
    # Hash before taking any lock: a strong hasher takes most of a second.
    password_hash = make_password(initial_password) if initial_password else None
    with transaction.atomic():
        plan = _plan(instansi, unit_rows, employee_rows, errors, lock=True)
        _fail_on_errors(report, errors)
        plan.count_into(report)
        report.chains_changed = _write(plan, password_hash)
    return report


def _fail_on_errors(report: ImportReport, errors: _Errors) -> None:
    if errors:
        report.errors = errors.sorted()
        raise ImportFailed(report)


# --- Errors -----------------------------------------------------------------


class _Errors:
    """Errors by sheet, row and column; each message once per cell."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, int, str, str], None] = {}

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        self._items.setdefault((sheet, row, column, str(message)), None)

    def add_validation(self, sheet: str, row: int, exc: ValidationError) -> None:
        """Spread a model ``ValidationError`` over the columns it names.

        The import's column names are the model's field names.
        """
        for name, messages in exc.message_dict.items():
            for message in messages:
                self.add(sheet, row, "" if name == "__all__" else name, message)

    def __bool__(self) -> bool:
        return bool(self._items)

    def sorted(self) -> list[dict[str, Any]]:
        order = {
            kind: {column.name: i for i, column in enumerate(columns)}
            for kind, columns in _COLUMNS.items()
        }

        def key(item: tuple[str, int, str, str]) -> tuple[int, int, int]:
            sheet, row, column, _message = item
            return (sheet == EMPLOYEES, row, order[sheet].get(column, -1))

        return [
            {"row": row, "column": column, "message": message, "sheet": sheet}
            for sheet, row, column, message in sorted(self._items, key=key)
        ]


class _CellError(Exception):
    """A cell that cannot be read; the message is shown to the user."""


# --- Reading files -------------------------------------------------------------


@dataclass
class _Sheet:
    kind: str
    # (row number as the user sees it, cell values); row 1 is the header.
    rows: list[tuple[int, Sequence[Any]]]


def _read_sources(
    units_file: ImportSource | None,
    employees_file: ImportSource | None,
    errors: _Errors,
    warnings: list[str],
) -> dict[str, _Sheet]:
    found: dict[str, dict[str, _Sheet]] = {}
    for kind, source in ((UNITS, units_file), (EMPLOYEES, employees_file)):
        if source is None:
            continue
        data, label = _read_bytes(source)
        if data.startswith(_XLSX_MAGIC):
            found[kind] = _read_workbook(data, kind, label, errors, warnings)
        elif data.startswith(_XLS_MAGIC):
            errors.add(
                kind,
                1,
                "",
                _("%(file)s is an old Excel .xls file; save it as .xlsx or CSV.")
                % {"file": label},
            )
            found[kind] = {}
        else:
            rows = _read_csv(data, kind, errors)
            found[kind] = {} if rows is None else {kind: _Sheet(kind, rows)}
    # The file given for a kind supplies it; a workbook given for one kind
    # also supplies the other when no file was given for that one.
    sheets: dict[str, _Sheet] = {}
    for kind in (UNITS, EMPLOYEES):
        for given_for, sheets_found in found.items():
            if kind in sheets_found and (given_for == kind or kind not in found):
                sheets[kind] = sheets_found[kind]
    return sheets


def _read_bytes(source: ImportSource) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "upload"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.read_bytes(), path.name
    data = source.read()
    if not isinstance(data, bytes):
        raise TypeError("Open import files in binary mode ('rb').")
    return data, str(getattr(source, "name", None) or "upload")


def _read_csv(
    data: bytes, kind: str, errors: _Errors
) -> list[tuple[int, Sequence[Any]]] | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(
            kind,
            data[: exc.start].count(b"\n") + 1,
            "",
            _(
                "The file is not UTF-8 text. In Excel, save it as "
                '"CSV UTF-8 (Comma delimited)".'
            ),
        )
        return None
    first_line = text.split("\n", 1)[0]
    # Excel in an Indonesian locale separates with ";" (the comma is the
    # decimal separator there); header names contain neither.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, Sequence[Any]]] = []
    try:
        # Numbered by record, not physical line: a quoted cell spanning lines
        # is still one spreadsheet row.
        for number, values in enumerate(reader, start=1):
            rows.append((number, values))
    except csv.Error as exc:
        errors.add(
            kind, len(rows) + 1, "", _("Unreadable CSV: %(error)s") % {"error": exc}
        )
        return None
    return rows


def _read_workbook(
    data: bytes, wanted: str, label: str, errors: _Errors, warnings: list[str]
) -> dict[str, _Sheet]:
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True
        )
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        errors.add(wanted, 1, "", _("Unreadable XLSX file: %(error)s") % {"error": exc})
        return {}
    try:
        named: dict[str, Any] = {}
        unnamed: list[Any] = []
        for worksheet in workbook.worksheets:
            kind = _sheet_kind(worksheet.title)
            if kind is None or kind in named:
                unnamed.append(worksheet)
            else:
                named[kind] = worksheet
        if not named and len(unnamed) == 1:
            # A workbook with one sheet ("Sheet1") holds what was asked for.
            named[wanted] = unnamed.pop()
        if wanted not in named:
            errors.add(
                wanted,
                1,
                "",
                _("%(file)s has no sheet named %(names)s.")
                % {"file": label, "names": " / ".join(_SHEET_NAMES[wanted])},
            )
        for worksheet in unnamed:
            warnings.append(
                _("Sheet %(sheet)s of %(file)s was ignored.")
                % {"sheet": worksheet.title, "file": label}
            )
        sheets = {}
        for kind, worksheet in named.items():
            # Some writers store wrong sheet dimensions; read to the real end.
            worksheet.reset_dimensions()
            rows = list(enumerate(worksheet.iter_rows(values_only=True), start=1))
            sheets[kind] = _Sheet(kind, rows)
        return sheets
    finally:
        workbook.close()


def _sheet_kind(title: str) -> str | None:
    name = _normalise_header(title)
    for kind, names in _SHEET_NAMES.items():
        if name in names:
            return kind
    return None


def _normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    return re.sub(r"[\s\-./]+", "_", text.strip().lower()).strip("_")


def _map_header(sheet: _Sheet, errors: _Errors, warnings: list[str]) -> dict[str, int]:
    """Column name -> index in the row, from the header row."""
    kind = sheet.kind
    if not sheet.rows:
        errors.add(kind, 1, "", _("The file is empty."))
        return {}
    lookup = {
        name: column.name
        for column in _COLUMNS[kind]
        for name in (column.name, *column.aliases)
    }
    mapped: dict[str, int] = {}
    for index, raw in enumerate(sheet.rows[0][1]):
        name = _normalise_header(raw)
        if not name:
            continue
        canonical = lookup.get(name)
        if canonical is None:
            warnings.append(
                _(
                    "Column %(column)s of the %(sheet)s sheet is unknown and was "
                    "ignored."
                )
                % {"column": raw, "sheet": kind}
            )
        elif canonical in mapped:
            errors.add(kind, 1, canonical, _("This column appears twice."))
        else:
            mapped[canonical] = index
    for column in _COLUMNS[kind]:
        if column.required and column.name not in mapped:
            errors.add(kind, 1, column.name, _("Required column is missing."))
    return mapped


# --- Reading cells ----------------------------------------------------------------


@dataclass
class _Row:
    number: int
    # Values of the columns present in the file, converted; a cell that
    # could not be read is reported and left out.
    cells: dict[str, Any]


def _parse_rows(sheet: _Sheet, header: dict[str, int], errors: _Errors) -> list[_Row]:
    converters = _CONVERTERS[sheet.kind]
    rows: list[_Row] = []
    for number, values in sheet.rows[1:]:
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        cells: dict[str, Any] = {}
        for name, index in header.items():
            raw = values[index] if index < len(values) else None
            try:
                cells[name] = converters[name](raw)
            except _CellError as exc:
                errors.add(sheet.kind, number, name, str(exc))
        rows.append(_Row(number, cells))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _optional_text(value: Any) -> str | None:
    return _text(value) or None


def _nip(value: Any) -> str:
    if isinstance(value, float):
        # Spreadsheets keep 15 significant digits: an 18-digit NIP stored as
        # a number has already lost its last ones.
        raise _CellError(
            _(
                "The NIP is stored as a number and has lost digits; format the "
                "column as Text and type the NIP again."
            )
        )
    return _text(value).replace(" ", "")


def _optional_nip(value: Any) -> str | None:
    return _nip(value) or None


def _status(value: Any) -> str:
    text = _text(value).upper()
    if text in ("", PNS):
        return PNS
    if text in (PPPK, "P3K"):
        return PPPK
    raise _CellError(_("Status must be PNS or PPPK (got %(value)s).") % {"value": text})


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_/()]+", "", text.lower())


def _choice(choices: Any, aliases: Mapping[str, str]) -> Callable[[Any], str]:
    """A converter accepting a choice's value, its label or an alias."""
    known = {_squash(str(label)): value for value, label in choices.choices}
    known.update({value: value for value in choices.values})
    known.update(aliases)

    def convert(value: Any) -> str:
        text = _text(value)
        if not text:
            return ""
        if _squash(text) in known:
            return str(known[_squash(text)])
        raise _CellError(
            _("%(value)s is not one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(choices.values)}
        )

    return convert


def _golongan(value: Any) -> str:
    # Typed as "iii/a", "III / A" or "IIIa"; stored as "III/a" (PNS) or as a
    # roman numeral (PPPK). Whether it fits the status is Employee.clean's.
    text = _text(value).replace(" ", "")
    match = re.fullmatch(r"([IVXivx]+)/?([a-eA-E])", text)
    if match:
        return f"{match.group(1).upper()}/{match.group(2).lower()}"
    return text.upper()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise _CellError(
        _("Use the date format YYYY-MM-DD (got %(value)s).") % {"value": text}
    )


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError(
        _("Use ya/tidak, 1/0 or true/false (got %(value)s).") % {"value": text}
    )


def _coordinate(value: Any) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value)
    else:
        text = _text(value)
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma, Indonesian style
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise _CellError(_("%(value)s is not a number.") % {"value": text})
    # The model keeps six decimals (about 0.1 m); more is noise, not an error.
    return number.quantize(_MICRODEGREE, rounding=ROUND_HALF_UP)


def _email(value: Any) -> str:
    text = _text(value)
    if len(text) > _EMAIL_MAX_LENGTH:
        raise _CellError(
            _("An email address has at most %(max)d characters.")
            % {"max": _EMAIL_MAX_LENGTH}
        )
    if text:
        try:
            validate_email(text)
        except ValidationError as exc:
            raise _CellError(" ".join(exc.messages)) from None
    return text


_CONVERTERS: dict[str, dict[str, Callable[[Any], Any]]] = {
    UNITS: {
        "code": _text,
        "name": _text,
        "kind": _choice(Unit.Kind, _UNIT_KIND_ALIASES),
        "parent_code": _optional_text,
        "head_nip": _optional_nip,
    },
    EMPLOYEES: {
        "nip": _nip,
        "name": _text,
        "status": _status,
        "unit_code": _text,
        "supervisor_nip": _optional_nip,
        "jabatan": _text,
        "jabatan_kind": _choice(Employee.JabatanKind, _JABATAN_KIND_ALIASES),
        "golongan": _golongan,
        "placement_date": _date,
        "under_sanction": _boolean,
        "email": _email,
        "domisili_latitude": _coordinate,
        "domisili_longitude": _coordinate,
        "domisili_address": _text,
    },
}


# --- Planning: everything checked, nothing written ------------------------------


@dataclass
class _Plan:
    """The instansi as it will be after the import, keyed by code and NIP.

    New units and employees are unsaved instances; existing ones are the
    loaded instances with the file's values applied.
    """

    instansi: Instansi
    units: dict[str, Unit]
    unit_parent: dict[str, str | None]
    unit_head: dict[str, str | None]
    employees: dict[str, Employee]
    supervisor: dict[str, str | None]
    # Supervisors in another instansi (linked before; kept while the file
    # does not set the supervisor).
    outside_supervisor: dict[str, int]
    employee_unit: dict[str, str]
    # NIP -> (email, first name) of the user account.
    accounts: dict[str, tuple[str, str]]
    units_in_file: list[str] = field(default_factory=list)
    employees_in_file: list[str] = field(default_factory=list)
    unit_before: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    employee_before: dict[str, dict[str, Any]] = field(default_factory=dict)
    account_before: dict[str, tuple[str, str]] = field(default_factory=dict)

    def unit_state(self, code: str) -> tuple[Any, ...]:
        unit = self.units[code]
        return (unit.name, unit.kind, self.unit_parent[code], self.unit_head[code])

    def employee_state(self, nip: str) -> dict[str, Any]:
        employee = self.employees[nip]
        state = {name: getattr(employee, name) for name in _EMPLOYEE_FIELDS}
        state["unit"] = self.employee_unit.get(nip)
        state["supervisor"] = self.supervisor[nip]
        state["outside_supervisor"] = self.outside_supervisor.get(nip)
        return state

    def unit_changed(self, code: str) -> bool:
        return code not in self.unit_before or (
            self.unit_before[code] != self.unit_state(code)
        )

    def employee_changed(self, nip: str) -> bool:
        return nip not in self.employee_before or (
            self.employee_before[nip] != self.employee_state(nip)
            or self.account_before[nip] != self.accounts[nip]
        )

    def count_into(self, report: ImportReport) -> None:
        for code in self.units_in_file:
            if code not in self.unit_before:
                report.units_created += 1
            elif self.unit_changed(code):
                report.units_updated += 1
            else:
                report.units_unchanged += 1
        for nip in self.employees_in_file:
            if nip not in self.employee_before:
                report.employees_created += 1
            elif self.employee_changed(nip):
                report.employees_updated += 1
            else:
                report.employees_unchanged += 1


def _plan(
    instansi: Instansi,
    unit_rows: list[_Row],
    employee_rows: list[_Row],
    errors: _Errors,
    *,
    lock: bool,
) -> _Plan:
    units_qs = Unit.objects.filter(instansi=instansi).order_by()
    employees_qs = Employee.objects.filter(unit__instansi=instansi).order_by()
    if lock:
        # In the import's transaction: an admin editing one of these rows
        # meanwhile waits rather than being overwritten. (SQLite serialises
        # writers at BEGIN IMMEDIATE anyway.)
        units_qs = units_qs.select_for_update(of=("self",))
        employees_qs = employees_qs.select_for_update(of=("self",))
    units = {unit.code: unit for unit in units_qs}
    # Keyed by int | None, so a missing parent or head looks up as None.
    code_by_unit_id: dict[int | None, str] = {u.pk: c for c, u in units.items()}
    employees = {employee.nip: employee for employee in employees_qs}
    nip_by_id: dict[int | None, str] = {e.pk: n for n, e in employees.items()}
    accounts = {
        nip: (email, first_name)
        for nip, email, first_name in User.objects.filter(
            employee__unit__instansi=instansi
        ).values_list("employee__nip", "email", "first_name")
    }
    plan = _Plan(
        instansi=instansi,
        units=units,
        unit_parent={
            code: code_by_unit_id.get(unit.parent_id) for code, unit in units.items()
        },
        unit_head={code: nip_by_id.get(unit.head_id) for code, unit in units.items()},
        employees=employees,
        supervisor={
            nip: nip_by_id.get(employee.supervisor_id)
            for nip, employee in employees.items()
        },
        outside_supervisor={
            nip: employee.supervisor_id
            for nip, employee in employees.items()
            if employee.supervisor_id and employee.supervisor_id not in nip_by_id
        },
        employee_unit={
            nip: code_by_unit_id[employee.unit_id]
            for nip, employee in employees.items()
        },
        accounts=accounts,
    )
    plan.unit_before = {code: plan.unit_state(code) for code in units}
    plan.employee_before = {nip: plan.employee_state(nip) for nip in employees}
    plan.account_before = dict(accounts)

    units_by_code = _index_rows(unit_rows, "code", UNITS, errors)
    employees_by_nip = _index_rows(employee_rows, "nip", EMPLOYEES, errors)
    foreign = _foreign_nips(plan, employee_rows, unit_rows)
    _plan_units(plan, units_by_code, errors)
    _plan_employees(plan, employees_by_nip, foreign, errors)
    _plan_heads(plan, units_by_code, foreign, errors)
    _check_cycles(
        plan.unit_parent,
        units_by_code,
        UNITS,
        "parent_code",
        errors,
        _("Parent units form a cycle: %(cycle)s."),
    )
    _check_cycles(
        plan.supervisor,
        employees_by_nip,
        EMPLOYEES,
        "supervisor_nip",
        errors,
        _("Supervisor links form a cycle: %(cycle)s."),
    )
    return plan


def _index_rows(
    rows: list[_Row], key: str, sheet: str, errors: _Errors
) -> dict[str, _Row]:
    """Rows by unit code or NIP; a repeated key is an error on the later row."""
    by_key: dict[str, _Row] = {}
    for row in rows:
        if key not in row.cells:
            continue  # unreadable, already reported
        value = row.cells[key]
        if not value:
            errors.add(sheet, row.number, key, _("This column is required."))
        elif value in by_key:
            errors.add(
                sheet,
                row.number,
                key,
                _("%(value)s already appears in row %(row)d.")
                % {"value": value, "row": by_key[value].number},
            )
        else:
            by_key[value] = row
    return by_key


def _plan_units(plan: _Plan, by_code: dict[str, _Row], errors: _Errors) -> None:
    for code, row in by_code.items():
        unit = plan.units.get(code)
        if unit is None:
            unit = Unit(instansi=plan.instansi, code=code, path="/")
            plan.units[code] = unit
            plan.unit_parent[code] = None
            plan.unit_head[code] = None
        plan.units_in_file.append(code)
        for name in ("name", "kind"):
            if name in row.cells:
                setattr(unit, name, row.cells[name])
        try:
            unit.clean_fields(exclude=["instansi", "parent", "head", "path"])
        except ValidationError as exc:
            errors.add_validation(UNITS, row.number, exc)
    # A second pass, because a parent may come further down the file.
    for code, row in by_code.items():
        if "parent_code" not in row.cells:
            continue
        parent = row.cells["parent_code"]
        if parent == code:
            errors.add(
                UNITS, row.number, "parent_code", _("A unit cannot be its own parent.")
            )
        elif parent is not None and parent not in plan.units:
            errors.add(
                UNITS, row.number, "parent_code", _unknown_unit_message(plan, parent)
            )
        else:
            plan.unit_parent[code] = parent


def _unknown_unit_message(plan: _Plan, code: str) -> str:
    message = _(
        "Unknown unit code %(code)s: not in the file nor in instansi %(instansi)s."
    ) % {"code": code, "instansi": plan.instansi.code}
    similar = [known for known in plan.units if known.lower() == code.lower()]
    if similar:
        message += " " + _("Did you mean %(code)s?") % {"code": similar[0]}
    return message


def _foreign_nips(
    plan: _Plan, employee_rows: list[_Row], unit_rows: list[_Row]
) -> dict[str, str]:
    """NIPs named in the file that belong to another instansi -> its name."""
    named = {row.cells.get("nip") for row in employee_rows}
    named |= {row.cells.get("supervisor_nip") for row in employee_rows}
    named |= {row.cells.get("head_nip") for row in unit_rows}
    candidates = sorted(nip for nip in named if nip and nip not in plan.employees)
    foreign: dict[str, str] = {}
    for chunk in _chunks(candidates):
        foreign.update(
            Employee.objects.filter(nip__in=chunk)
            .exclude(unit__instansi=plan.instansi)
            .values_list("nip", "unit__instansi__name")
        )
    return foreign


def _plan_employees(
    plan: _Plan, by_nip: dict[str, _Row], foreign: dict[str, str], errors: _Errors
) -> None:
    new_nips = [nip for nip in by_nip if nip not in plan.employees]
    taken_usernames: set[str] = set()
    for chunk in _chunks(new_nips):
        taken_usernames.update(
            User.objects.filter(username__in=chunk).values_list("username", flat=True)
        )
    for nip, row in by_nip.items():
        cells = row.cells
        employee = plan.employees.get(nip)
        if employee is None:
            employee = Employee(nip=nip, chain="/")
            plan.employees[nip] = employee
            plan.supervisor[nip] = None
            plan.accounts[nip] = ("", "")
            if nip in foreign:
                errors.add(
                    EMPLOYEES,
                    row.number,
                    "nip",
                    _("This NIP belongs to an employee of %(instansi)s.")
                    % {"instansi": foreign[nip]},
                )
            elif nip in taken_usernames:
                errors.add(
                    EMPLOYEES,
                    row.number,
                    "nip",
                    _(
                        "A user account named %(nip)s already exists and is not "
                        "linked to an employee."
                    )
                    % {"nip": nip},
                )
        plan.employees_in_file.append(nip)
        for name in _EMPLOYEE_FIELDS:
            if name in cells:
                setattr(employee, name, cells[name])
        unit_code = cells.get("unit_code")
        if unit_code == "":
            errors.add(
                EMPLOYEES, row.number, "unit_code", _("This column is required.")
            )
        elif unit_code is not None and unit_code not in plan.units:
            errors.add(
                EMPLOYEES,
                row.number,
                "unit_code",
                _unknown_unit_message(plan, unit_code),
            )
        elif unit_code is not None:
            plan.employee_unit[nip] = unit_code
        if "supervisor_nip" in cells:
            _plan_supervisor(plan, nip, row, by_nip, foreign, errors)
        email = cells.get("email", plan.accounts[nip][0])
        plan.accounts[nip] = (email, employee.name[:150])
        try:
            employee.clean_fields(
                exclude=[
                    "user",
                    "unit",
                    "supervisor",
                    "chain",
                    "created_at",
                    "updated_at",
                ]
            )
        except ValidationError as exc:
            errors.add_validation(EMPLOYEES, row.number, exc)
        try:
            # The model's own rules: NIP for the status, golongan for the
            # status, home coordinates both-or-neither and in range.
            employee.clean()
        except ValidationError as exc:
            errors.add_validation(EMPLOYEES, row.number, exc)


def _plan_supervisor(
    plan: _Plan,
    nip: str,
    row: _Row,
    by_nip: dict[str, _Row],
    foreign: dict[str, str],
    errors: _Errors,
) -> None:
    supervisor = row.cells["supervisor_nip"]
    if supervisor == nip:
        errors.add(
            EMPLOYEES, row.number, "supervisor_nip", _("Nobody supervises themselves.")
        )
    elif supervisor is None or supervisor in by_nip or supervisor in plan.employees:
        plan.supervisor[nip] = supervisor
        plan.outside_supervisor.pop(nip, None)
    elif supervisor in foreign:
        errors.add(
            EMPLOYEES,
            row.number,
            "supervisor_nip",
            _("Supervisor %(nip)s works for %(instansi)s, not this instansi.")
            % {"nip": supervisor, "instansi": foreign[supervisor]},
        )
    else:
        errors.add(
            EMPLOYEES,
            row.number,
            "supervisor_nip",
            _(
                "Unknown supervisor NIP %(nip)s: not in the file nor in instansi "
                "%(instansi)s."
            )
            % {"nip": supervisor, "instansi": plan.instansi.code},
        )


def _plan_heads(
    plan: _Plan, by_code: dict[str, _Row], foreign: dict[str, str], errors: _Errors
) -> None:
    for code, row in by_code.items():
        if "head_nip" not in row.cells:
            continue
        head = row.cells["head_nip"]
        if head is not None and head not in plan.employees:
            if head in foreign:
                message = _(
                    "Employee %(nip)s works for %(instansi)s, not this instansi."
                ) % {"nip": head, "instansi": foreign[head]}
            else:
                message = _(
                    "Unknown head NIP %(nip)s: not in the file nor in instansi "
                    "%(instansi)s."
                ) % {"nip": head, "instansi": plan.instansi.code}
            errors.add(UNITS, row.number, "head_nip", message)
            continue
        # The rule of services.unit_update, on the trees as they will be.
        head_unit = plan.employee_unit.get(head) if head else None
        if head is not None and code not in _ancestors(head_unit, plan.unit_parent):
            errors.add(
                UNITS,
                row.number,
                "head_nip",
                _(
                    "The head of a unit must work in that unit or below it "
                    "(%(nip)s works in %(unit)s)."
                )
                % {"nip": head, "unit": head_unit},
            )
            continue
        plan.unit_head[code] = head


def _ancestors(code: str | None, parent: Mapping[str, str | None]) -> list[str]:
    """``code`` and the codes above it; stops at a cycle (reported elsewhere)."""
    found: list[str] = []
    while code is not None and code not in found:
        found.append(code)
        code = parent.get(code)
    return found


def _check_cycles(
    parent: Mapping[str, str | None],
    rows: Mapping[str, _Row],
    sheet: str,
    column: str,
    errors: _Errors,
    template: str,
) -> None:
    for cycle in _find_cycles(parent):
        message = template % {"cycle": " → ".join([*cycle, cycle[0]])}
        # The database alone has no cycle, so a row of the file closes it.
        for key in cycle:
            if key in rows:
                errors.add(sheet, rows[key].number, column, message)


def _find_cycles(parent: Mapping[str, str | None]) -> list[list[str]]:
    """Every cycle of a child -> parent map (each node has one parent)."""
    done: set[str] = set()
    cycles: list[list[str]] = []
    for start in parent:
        path: list[str] = []
        position: dict[str, int] = {}
        node: str | None = start
        while node is not None and node in parent and node not in done:
            if node in position:
                cycles.append(path[position[node] :])
                break
            position[node] = len(path)
            path.append(node)
            node = parent[node]
        done.update(path)
    return cycles


def _top_down(parent: Mapping[str, str | None]) -> list[list[str]]:
    """The nodes of an acyclic child -> parent map by depth, roots first."""
    depth: dict[str, int] = {}
    for start in parent:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in depth:
            path.append(node)
            node = parent[node]
        base = depth[node] if node is not None and node in depth else -1
        for offset, item in enumerate(reversed(path), start=1):
            depth[item] = base + offset
    levels: dict[int, list[str]] = defaultdict(list)
    for node, level in depth.items():
        levels[level].append(node)
    return [levels[level] for level in sorted(levels)]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


# --- Writing -----------------------------------------------------------------------


def _write(plan: _Plan, password_hash: str | None) -> int:
    """Write the plan; return how many existing employees changed chain."""
    _bulk_create(
        Unit.objects.filter(instansi=plan.instansi),
        [unit for unit in plan.units.values() if unit.pk is None],
        key="code",
    )
    user_ids = _write_accounts(plan, password_hash)
    employee_ids, chains_changed = _write_employees(plan, user_ids)
    _write_units(plan, employee_ids)
    return chains_changed


def _write_accounts(plan: _Plan, password_hash: str | None) -> dict[str, int]:
    """Create accounts for new employees, update changed ones; new ids by NIP."""
    new_users = [
        User(
            username=nip,
            email=plan.accounts[nip][0],
            first_name=plan.accounts[nip][1],
            # One hash shared by every new account; without a password each
            # gets its own unusable marker, as set_unusable_password() does.
            password=password_hash or make_password(None),
        )
        for nip, employee in plan.employees.items()
        if employee.pk is None
    ]
    created = _bulk_create(User.objects.all(), new_users, key="username")
    changed = [
        User(
            pk=plan.employees[nip].user_id,
            email=plan.accounts[nip][0],
            first_name=plan.accounts[nip][1],
        )
        for nip in plan.employees_in_file
        if nip in plan.account_before and plan.account_before[nip] != plan.accounts[nip]
    ]
    User.objects.bulk_update(changed, ["email", "first_name"], batch_size=_BATCH)
    return {user.username: user.pk for user in created}


# The employee fields the write pass sets, as bulk_update names them.
_LINKS = ("unit", "supervisor", "chain")


def _write_employees(
    plan: _Plan, user_ids: Mapping[str, int]
) -> tuple[dict[str, int], int]:
    """Insert and update employees; return ids by NIP and chains changed.

    Goes down the supervisor tree a level at a time, so every supervisor has
    its id and final chain before anyone below is written: new rows are
    inserted complete and existing ones updated at most once.
    """
    now = timezone.now()
    ids = {nip: employee.pk for nip, employee in plan.employees.items() if employee.pk}
    chains = dict(
        _chunked_values(
            Employee.objects.all(),
            "pk",
            "chain",
            sorted(set(plan.outside_supervisor.values())),
        )
    )
    # Grouped by the fields that changed: bulk_update writes a CASE over all
    # its rows for each field it is given, which is most of its cost.
    to_update: dict[frozenset[str], list[Employee]] = defaultdict(list)
    chains_changed = 0
    for level in _top_down(plan.supervisor):
        to_create: list[Employee] = []
        for nip in level:
            employee = plan.employees[nip]
            supervisor = plan.supervisor[nip]
            before = (employee.unit_id, employee.supervisor_id, employee.chain)
            employee.unit_id = plan.units[plan.employee_unit[nip]].pk
            employee.supervisor_id = (
                ids[supervisor] if supervisor else plan.outside_supervisor.get(nip)
            )
            employee.chain = employee_chain_for(employee.supervisor_id, chains)
            if employee.pk is None:
                employee.user_id = user_ids[nip]
                to_create.append(employee)
                continue
            chains[employee.pk] = employee.chain
            after = (employee.unit_id, employee.supervisor_id, employee.chain)
            changed = {
                name
                for name, old, new in zip(_LINKS, before, after, strict=True)
                if old != new
            }
            old_state = plan.employee_before[nip]
            changed.update(
                name
                for name in _EMPLOYEE_FIELDS
                if getattr(employee, name) != old_state[name]
            )
            if changed:
                chains_changed += "chain" in changed
                to_update[frozenset(changed)].append(employee)
        for created in _bulk_create(Employee.objects.all(), to_create, key="nip"):
            ids[created.nip] = created.pk
            chains[created.pk] = created.chain
    for fields, employees in to_update.items():
        Employee.objects.bulk_update(employees, sorted(fields), batch_size=_BATCH)
    # bulk_update leaves auto_now alone; the time is the same for every row.
    updated = [e.pk for employees in to_update.values() for e in employees]
    for chunk in _chunks(updated):
        Employee.objects.filter(pk__in=chunk).update(updated_at=now)
    return ids, chains_changed


def _write_units(plan: _Plan, employee_ids: Mapping[str, int]) -> None:
    """Set parents, heads and paths (which hold ids) of the instansi's units."""
    paths: dict[str, str] = {}
    changed: list[Unit] = []
    for level in _top_down(plan.unit_parent):
        for code in level:
            unit = plan.units[code]
            parent = plan.unit_parent[code]
            head = plan.unit_head[code]
            before = (unit.parent_id, unit.head_id, unit.path)
            unit.parent_id = plan.units[parent].pk if parent else None
            # Only a head the file changes: one outside the instansi (set
            # elsewhere) has no NIP here and must survive.
            if code not in plan.unit_before or head != plan.unit_before[code][3]:
                unit.head_id = employee_ids[head] if head else None
            unit.path = f"{paths[parent] if parent else '/'}{unit.pk}/"
            paths[code] = unit.path
            if plan.unit_changed(code) or before != (
                unit.parent_id,
                unit.head_id,
                unit.path,
            ):
                changed.append(unit)
    Unit.objects.bulk_update(
        changed, ["name", "kind", "parent", "head", "path"], batch_size=_BATCH
    )


def _chunked_values(
    queryset: QuerySet[Any], key: str, value: str, keys: Sequence[Any]
) -> Iterator[tuple[Any, Any]]:
    """``(key, value)`` of the rows whose ``key`` is in ``keys``."""
    for chunk in _chunks(keys):
        yield from queryset.filter(**{f"{key}__in": chunk}).values_list(key, value)


def _bulk_create(queryset: QuerySet[M], objs: list[M], key: str) -> list[M]:
    """``bulk_create`` in batches, making sure every object has its id."""
    if not objs:
        return objs
    created = queryset.bulk_create(objs, batch_size=_BATCH)
    if any(obj.pk is None for obj in created):
        # Backends that cannot return ids from a bulk INSERT (SQLite before
        # 3.35): look them up by the natural key, within ``queryset``.
        found = dict(
            _chunked_values(queryset, key, "pk", [getattr(obj, key) for obj in created])
        )
        for obj in created:
            obj.pk = found[getattr(obj, key)]
    return created
