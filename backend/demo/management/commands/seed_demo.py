"""``python manage.py seed_demo [--json] [--if-empty]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from backend.demo.seeding import (
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    demo_summary,
    seed_demo,
)
from backend.organization.models import Employee


class Command(BaseCommand):
    help = "Create the demo slice of Pemprov Riau (idempotent, deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the accounts and workplaces as one JSON object.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has employees.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Employee.objects.exists():
            # Keep what is there (passwords may have changed); show the
            # demo logins if the demo organisation is part of it.
            result = demo_summary()
            if not options["json"]:
                self.stdout.write("Database already has employees; left as is.")
        else:
            result = seed_demo()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "password": DEMO_PASSWORD,
                        "admin_username": ADMIN_USERNAME,
                        "accounts": result.accounts,
                        "workplaces": result.workplaces,
                        "skp": result.skp,
                    },
                    ensure_ascii=False,
                )
            )
            return
        if not result.accounts:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {len(result.accounts)} employees "
                f"({result.created} new), {len(result.workplaces)} workplaces, "
                f"{result.skp['agreed']} agreed SKP for {result.skp['year']}."
            )
        )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(f"Admin site: user '{ADMIN_USERNAME}'")
        shown: set[str] = set()
        for account in result.accounts:
            if account["role"] in shown:
                continue
            shown.add(account["role"])
            self.stdout.write(
                f"  {account['role']:<11} {account['nip']}  {account['name']}"
            )
