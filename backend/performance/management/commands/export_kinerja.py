"""python manage.py export_kinerja --period 2026-10 --unit BKD --format csv"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.organization.models import Unit
from backend.performance import export
from backend.performance.periods import parse_period


class Command(BaseCommand):
    help = (
        "Write the per-employee kinerja recap (attendance, reports, predikat) "
        "of a unit and everything below it for one period; see docs/kinerja.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="2026-10, 2026-Q3 or 2026")
        parser.add_argument("--unit", required=True, help="unit code, e.g. BKD")
        parser.add_argument(
            "--instansi",
            default="",
            help="instansi code, when the unit code exists in several",
        )
        parser.add_argument("--format", choices=export.FORMATS, default="csv")
        parser.add_argument(
            "--output", "-o", default="-", help="file to write (default stdout)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        units = Unit.objects.filter(code=options["unit"])
        if options["instansi"]:
            units = units.filter(instansi__code=options["instansi"])
        found = list(units[:2])
        if not found:
            raise CommandError(f"No unit with code {options['unit']!r}.")
        if len(found) > 1:
            raise CommandError(
                f"Unit code {options['unit']!r} exists in several instansi; "
                "add --instansi."
            )
        fmt, target = options["format"], options["output"]
        if fmt == "xlsx":
            if target == "-":
                export.write(fmt, unit=found[0], period=period, out=sys.stdout.buffer)
            else:
                with open(target, "wb") as handle:
                    export.write(fmt, unit=found[0], period=period, out=handle)
            return
        if target == "-":
            export.write(fmt, unit=found[0], period=period, out=_Raw(self))
        else:
            with open(target, "w", encoding="utf-8", newline="") as handle:
                export.write(fmt, unit=found[0], period=period, out=handle)


class _Raw:
    """``self.stdout`` without the newline it adds to every write."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command

    def write(self, text: str) -> None:
        self.command.stdout.write(text, ending="")
