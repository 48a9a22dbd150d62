from __future__ import annotations

from django.apps import AppConfig


class MobileApiConfig(AppConfig):
    name = "mobile_api"
    verbose_name = "Mobile API"
