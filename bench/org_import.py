"""Bulk onboarding of a province-sized instansi: 10,000 employees from CSV.

Run as ``python -m bench.org_import``. It generates a realistic instansi
(about 50 OPD with their bidang, a three-to-four level supervisor tree,
valid PNS and PPPK NIPs, 15% PPPK) into CSV files in a temporary
directory, and imports them with ``org_import`` into a fresh temporary SQLite
database (WAL, ``synchronous=FULL``, as deployed) three times:

- first: everything is created (one shared PBKDF2 hash for the accounts);
- rerun unchanged: the same files again, nothing to write;
- rerun changed: every row has a new jabatan and one staff member in ten
  has a new supervisor, so rows and supervisor chains are rewritten.

Each time includes reading and checking the files.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROWS = 10_000
OPD_COUNT = 50
PASSWORD = "Pantau-Awal-2026!"  # noqa: S105 (a throwaway benchmark database)
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
FIRST_NAMES = [
    "Ahmad",
    "Siti",
    "Budi",
    "Dewi",
    "Rahmat",
    "Nur",
    "Hendra",
    "Fitri",
    "Agus",
    "Rina",
    "Joko",
    "Yuni",
    "Rizki",
    "Indah",
]
LAST_NAMES = [
    "Saputra",
    "Lestari",
    "Hidayat",
    "Wulandari",
    "Siregar",
    "Nasution",
    "Harahap",
    "Putri",
    "Pratama",
    "Syahputra",
    "Lubis",
    "Hasibuan",
]
GOLONGAN_PNS = [
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
]
GOLONGAN_PPPK = ["V", "VII", "IX", "X", "XI"]


def _nip(rng: random.Random, taken: set[str], *, pppk: bool) -> str:
    while True:
        birth_year = rng.randint(1966, 2000)
        birth = f"{birth_year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        if pppk:
            # The NI PPPK layout is unverified: birth date, appointment year,
            # then six digits.
            nip = f"{birth}{rng.randint(2019, 2024)}{rng.randint(0, 999999):06d}"
        else:
            tmt = min(birth_year + rng.randint(20, 32), 2024)
            nip = (
                f"{birth}{tmt}{rng.randint(1, 12):02d}{rng.randint(1, 2)}"
                f"{rng.randint(1, 999):03d}"
            )
        if nip not in taken:
            taken.add(nip)
            return nip


def generate(
    directory: Path, *, rows: int = ROWS, seed: int = 2026, opd_count: int = OPD_COUNT
) -> tuple[Path, Path, list[list[str]]]:
    """Write units.csv and employees.csv; return their paths and the rows."""
    rng = random.Random(seed)
    taken: set[str] = set()
    units: list[list[str]] = [UNIT_HEADER]
    employees: list[list[str]] = [EMPLOYEE_HEADER]

    def person(
        unit: str, supervisor: str, jabatan: str, kind: str, *, pppk: bool = False
    ) -> str:
        nip = _nip(rng, taken, pppk=pppk)
        home = rng.random() < 0.6
        employees.append(
            [
                nip,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                "PPPK" if pppk else "PNS",
                unit,
                supervisor,
                jabatan,
                kind,
                rng.choice(GOLONGAN_PPPK if pppk else GOLONGAN_PNS),
                f"{rng.randint(2015, 2024)}-{rng.randint(1, 12):02d}-"
                f"{rng.randint(1, 28):02d}",
                "ya" if rng.random() < 0.02 else "tidak",
                f"{nip}@riau.example.go.id" if rng.random() < 0.5 else "",
                f"{0.5 + rng.uniform(-0.2, 0.2):.6f}" if home else "",
                f"{101.45 + rng.uniform(-0.2, 0.2):.6f}" if home else "",
                f"Jl. Contoh No. {rng.randint(1, 200)}, Pekanbaru" if home else "",
            ]
        )
        return nip

    per_opd = rows // opd_count
    for o in range(1, opd_count + 1):
        opd = f"OPD{o:02d}"
        start = len(employees)
        kepala = person(opd, "", f"Kepala {opd}", "jpt")
        units.append([opd, f"Dinas {o:02d}", "opd", "", kepala])
        bidang_count = rng.randint(3, 5)
        for b in range(1, bidang_count + 1):
            code = f"{opd}-B{b}"
            kabid = person(code, kepala, f"Kepala Bidang {b}", "administrator")
            units.append([code, f"Bidang {b} {opd}", "bidang", opd, kabid])
            kasubbid = [
                person(code, kabid, "Kepala Seksi", "pengawas")
                for _ in range(rng.randint(1, 2))
            ]
            if b < bidang_count:
                staff = (per_opd - 1) // bidang_count - 1 - len(kasubbid)
            else:  # the last bidang takes the rest of the OPD's share
                staff = per_opd - (len(employees) - start)
            for _ in range(staff):
                # Most staff report to a kasubbid (four levels), some straight
                # to the kabid (three).
                boss = rng.choice(kasubbid) if rng.random() < 0.8 else kabid
                person(
                    code,
                    boss,
                    "Pengadministrasi Umum",
                    rng.choice(["pelaksana", "fungsional"]),
                    pppk=rng.random() < 0.15,
                )
    units_path, employees_path = directory / "units.csv", directory / "employees.csv"
    _write_csv(units_path, units)
    _write_csv(employees_path, employees)
    return units_path, employees_path, employees


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _changed(employees: list[list[str]], seed: int = 7) -> list[list[str]]:
    """Every row with a new jabatan; one staff member in ten re-assigned."""
    rng = random.Random(seed)
    header, *rows = employees
    jabatan, unit, supervisor = (
        header.index(name) for name in ("jabatan", "unit_code", "supervisor_nip")
    )
    by_unit: dict[str, list[str]] = {}
    for row in rows:
        if row[header.index("jabatan_kind")] in ("pengawas", "administrator"):
            by_unit.setdefault(row[unit], []).append(row[0])
    changed = [header]
    for row in rows:
        row = list(row)
        row[jabatan] += " (baru)"
        bosses = by_unit.get(row[unit], [])
        if row[jabatan].startswith("Pengadministrasi") and rng.random() < 0.1:
            row[supervisor] = rng.choice(bosses)
        changed.append(row)
    return changed


def _setup_django(scratch: Path) -> None:
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789-abcdefghijklmnop")
    os.environ["HTTPS"] = "0"
    os.environ["SQLITE_PATH"] = str(scratch / "bench.sqlite3")
    os.environ["PANTAU_VAR_DIR"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The embedded default is what is measured, whatever the shell says.
    for name in ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY"):
        os.environ.pop(name, None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _measure(scratch: Path) -> dict[str, Any]:
    _setup_django(scratch)
    from backend.organization.importing import org_import
    from backend.organization.models import Employee, Instansi
    from backend.organization.services import rebuild_chains

    units, employees, rows = generate(scratch)
    count = len(rows) - 1
    instansi = Instansi.objects.create(code="RIAU", name="Pemerintah Provinsi Riau")
    results: dict[str, Any] = {"rows": count}

    def timed(label: str, employees_file: Path, **kwargs: Any) -> Any:
        started = time.perf_counter()
        report = org_import(
            instansi=instansi, units_file=units, employees_file=employees_file, **kwargs
        )
        seconds = time.perf_counter() - started
        results[f"{label}_s"] = round(seconds, 2)
        results[f"{label}_rows_per_s"] = round(count / seconds)
        return report

    first = timed("first", employees, initial_password=PASSWORD)
    assert first.employees_created == count, first
    results["units"] = first.units_created
    levels = {
        chain.count("/") for chain in Employee.objects.values_list("chain", flat=True)
    }
    results["supervisor_levels"] = max(levels)
    again = timed("rerun_unchanged", employees)
    assert again.employees_unchanged == count, again
    changed_path = scratch / "employees-changed.csv"
    _write_csv(changed_path, _changed(rows))
    changed = timed("rerun_changed", changed_path)
    assert changed.employees_updated == count, changed
    results["chains_changed"] = changed.chains_changed
    # Untimed: the fast path's chains must equal the service's full rebuild.
    chains = dict(Employee.objects.values_list("id", "chain"))
    rebuild_chains(instansi)
    assert chains == dict(Employee.objects.values_list("id", "chain"))
    return results


def run() -> dict[str, Any]:
    """Seconds and rows/s of the three imports (see the module docstring)."""
    from django.apps import apps

    if apps.ready:
        # Django is already set up in this process, on some other database:
        # measure in a fresh process instead of importing into that one.
        output = subprocess.run(
            [sys.executable, "-m", "bench.org_import", "--json"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(output.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory(prefix="pantau-bench-import-") as scratch:
        return _measure(Path(scratch))


if __name__ == "__main__":
    figures = run()
    if "--json" in sys.argv:
        print(json.dumps(figures))
    else:
        print(
            f"org import of {figures['rows']:,} employees in "
            f"{figures['units']} units, {figures['supervisor_levels']} "
            "supervisor levels (SQLite):"
        )
        for label in ("first", "rerun_unchanged", "rerun_changed"):
            print(
                f"  {label:16} {figures[f'{label}_s']:6.2f} s  "
                f"{figures[f'{label}_rows_per_s']:>7,} rows/s"
            )
        print(f"  chains changed by the changed rerun: {figures['chains_changed']}")
