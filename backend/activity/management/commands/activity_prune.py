"""Delete old feed events: ``manage.py activity_prune --days 7``.

The feed replays at most the last day after a reconnect, so rows older than
that only take space. Run it daily (cron, a systemd timer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from backend.activity.services import events_prune


class Command(BaseCommand):
    help = "Delete activity feed events older than --days days (default 7)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = events_prune(before=timezone.now() - dt.timedelta(days=days))
        self.stdout.write(
            f"Deleted {deleted} activity event(s) older than {days} days."
        )
