from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class OpsConfig(AppConfig):
    name = "backend.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from backend.lib.sqlite import ensure_wal

        connection_created.connect(ensure_wal, dispatch_uid="pantau-sqlite-wal")
