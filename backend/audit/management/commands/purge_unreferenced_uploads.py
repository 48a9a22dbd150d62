"""Delete uploaded files that no row refers to (hourly, or after a crash)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.audit.orphans import unreferenced_uploads_purge


class Command(BaseCommand):
    help = (
        "Delete check-in photos and report evidence files that no row refers "
        "to (left by a worker killed between writing the file and committing "
        "its row), and leftover .part files, older than N minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="Grace period for requests still in flight (default 60).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = max(0, options["older_than_minutes"])
        result = unreferenced_uploads_purge(older_than=dt.timedelta(minutes=minutes))
        self.stdout.write(
            f"Removed {len(result.removed)} unreferenced upload(s) older than "
            f"{minutes} minutes; {result.too_recent} newer file(s) not examined."
        )
