from __future__ import annotations

from django.apps import AppConfig


class MobileApiConfig(AppConfig):
    name = "mobile_api"
    verbose_name = "Mobile API"

    def ready(self) -> None:
        from mobile_api.authentication import connect_signals

        connect_signals()
