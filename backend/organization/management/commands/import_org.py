"""Import units and employees of an instansi from CSV or XLSX files.

    python manage.py import_org --instansi RIAU --units units.csv \
        --employees pegawai.csv --initial-password '...' [--dry-run]

All or nothing: on any bad row every error is printed as
``<sheet>: row N, column C: message`` and the command exits non-zero.
See docs/import.md for the file format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.organization.importing import ImportFailed, ImportReport, org_import
from backend.organization.models import Instansi


class Command(BaseCommand):
    help = "Create or update units and employees of an instansi from CSV/XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instansi", required=True, help="Code of the instansi.")
        parser.add_argument(
            "--units",
            type=Path,
            help="Units file (CSV or XLSX; an XLSX may also hold the employees sheet).",
        )
        parser.add_argument(
            "--employees",
            type=Path,
            help="Employees file (CSV or XLSX; an XLSX may also hold the units sheet).",
        )
        parser.add_argument(
            "--initial-password",
            help="Password for new accounts (hashed once, shared). Without it "
            "new accounts cannot log in until a password is set.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["units"] is None and options["employees"] is None:
            raise CommandError("Give --units, --employees or both.")
        for option in ("units", "employees"):
            path = options[option]
            if path is not None and not path.is_file():
                raise CommandError(f"--{option}: no such file: {path}")
        instansi = Instansi.objects.filter(code=options["instansi"]).first()
        if instansi is None:
            known = ", ".join(Instansi.objects.values_list("code", flat=True)) or "-"
            raise CommandError(
                f"No instansi with code {options['instansi']!r} (known: {known}). "
                "Create it in the admin first."
            )
        try:
            report = org_import(
                instansi=instansi,
                units_file=options["units"],
                employees_file=options["employees"],
                initial_password=options["initial_password"],
                dry_run=options["dry_run"],
            )
        except ValidationError as exc:  # a weak initial password
            raise CommandError(
                "--initial-password: " + " ".join(exc.messages)
            ) from None
        except ImportFailed as exc:
            self._print_warnings(exc.report)
            for error in exc.errors:
                self.stderr.write(
                    f"{error['sheet']}: row {error['row']}, column "
                    f"{error['column'] or '-'}: {error['message']}"
                )
            raise CommandError(str(exc)) from None
        self._print_warnings(report)
        self._print_summary(report)

    def _print_warnings(self, report: ImportReport) -> None:
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))

    def _print_summary(self, report: ImportReport) -> None:
        self.stdout.write(
            f"Units: {report.units_created} created, {report.units_updated} "
            f"updated, {report.units_unchanged} unchanged."
        )
        self.stdout.write(
            f"Employees: {report.employees_created} created, "
            f"{report.employees_updated} updated, "
            f"{report.employees_unchanged} unchanged."
        )
        if report.dry_run:
            self.stdout.write(
                self.style.SUCCESS("Dry run: the file is valid; nothing was written.")
            )
        else:
            self.stdout.write(f"Supervisor chains changed: {report.chains_changed}.")
            self.stdout.write(self.style.SUCCESS("Import done."))
