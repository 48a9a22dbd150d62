"""Delete original check-in photos past their retention period (daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from backend.audit.retention import photo_originals_purge


class Command(BaseCommand):
    help = (
        "Delete original check-in photos older than N days, keeping the "
        "thumbnail, hashes and EXIF facts. Idempotent; run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="Default: the PHOTO_ORIGINAL_RETENTION_DAYS setting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than_days"] or settings.PHOTO_ORIGINAL_RETENTION_DAYS
        if days < 1:
            days = settings.PHOTO_ORIGINAL_RETENTION_DAYS
        result = photo_originals_purge(older_than_days=days)
        self.stdout.write(
            f"Purged {result.purged} original photo(s) older than {days} days."
        )
        if result.failed:
            self.stderr.write(
                "Kept (no thumbnail could be made): check-ins "
                + ", ".join(str(pk) for pk in result.failed[:50])
            )
