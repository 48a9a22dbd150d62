"""What every page's navigation needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backend.accounts.selectors import web_areas


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"web_areas": web_areas(user) if user is not None else frozenset()}
