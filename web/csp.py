"""Content-Security-Policy for every response.

The fixed part of the policy is the ``CONTENT_SECURITY_POLICY`` setting
(django-csp); this middleware adds what depends on the request or on other
settings: the page's own host over ws/wss for the live feed, and the map tile
server's origin (``MAP_TILE_URL``) for images.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def tile_origin(url: str | None) -> str | None:
    """The CSP source for a tile URL template such as
    ``https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png``."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if "{" in host:
        return None
    return f"{parts.scheme}://{host}"


class PantauCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        extra: dict[str, list[str]] = {}
        try:
            host = request.get_host()
        except DisallowedHost:
            host = ""
        if host:
            extra["connect-src"] = [f"ws://{host}", f"wss://{host}"]
        tiles = tile_origin(getattr(settings, "MAP_TILE_URL", None))
        if tiles:
            extra["img-src"] = [tiles]
        if extra:
            update = dict(parts.update or {})
            for directive, sources in extra.items():
                current = update.get(directive) or []
                if isinstance(current, str):
                    current = [current]
                update[directive] = [*current, *sources]
            parts.update = update
        return parts
