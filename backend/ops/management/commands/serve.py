"""Serve HTTP and WebSockets from one ASGI server (uvicorn).

The worker count comes from WEB_CONCURRENCY; settings refuse more than one
worker without REDIS_URL, because the in-memory channel layer does not cross
processes.
"""

from __future__ import annotations

from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Pantau (HTTP + WebSockets) with uvicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        workers = settings.WEB_CONCURRENCY
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(
            f"Pantau on {base}/ ({workers} worker(s), "
            f"{settings.DATABASE_ENGINE}, "
            f"{'Redis' if settings.REDIS_URL else 'in-memory'} channel layer)\n"
            f"  admin     {base}/admin/\n"
            f"  API docs  {base}/api/v1/docs/\n"
            f"  demo logins: python manage.py seed_demo --json"
        )
        uvicorn.run(
            "backend.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=workers,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            log_level="info",
            access_log=False,
            timeout_graceful_shutdown=10,
            # Django's ASGI application has no lifespan events.
            lifespan="off",
        )
