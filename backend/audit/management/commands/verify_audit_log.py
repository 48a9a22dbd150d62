"""Walk the audit log's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from backend.audit.chain import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chains; exit status 1 at the first break."

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if not result.ok:
            where = f"chain {result.broken_chain}, entry #{result.broken_seq}"
            if result.broken_id is not None:
                where += f" (id {result.broken_id})"
            raise CommandError(
                f"Audit log BROKEN at {where}: {result.problem}. "
                f"{result.checked} entries before it are intact."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit log intact: {result.checked} entries in {result.chains} "
                f"chain(s), head hash {result.head_hash}."
            )
        )
