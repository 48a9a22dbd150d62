"""Admission control: a worker sheds load instead of collapsing under it.

At the morning rush a worker that accepts every request spends its CPU
receiving photos for requests that then wait, time out and fail anyway,
and what it answers drops far below what it can do. ``AdmissionLimit``
wraps the ASGI application and answers a request at once with a JSON 503
and ``Retry-After`` when the worker already has ``WEB_MAX_IN_FLIGHT``
HTTP requests in progress. Phones retry; check-ins are idempotent by
``client_uuid``, so a retry is always safe. WebSockets and the health
check are never refused.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Django's handler types its arguments more narrowly than the ASGI spec.
AsgiApp = Callable[..., Awaitable[None]]

# Seconds a refused client is asked to wait before trying again.
RETRY_AFTER_S = 2
EXEMPT_PATHS = frozenset({"/healthz"})


class AdmissionLimit:
    """At most ``limit`` HTTP requests in progress in this process; 0 turns
    the limit off. One event loop per process, so a plain counter is safe."""

    def __init__(self, app: AsgiApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or self.limit <= 0
            or scope.get("path") in EXEMPT_PATHS
        ):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.refused += 1
            await _refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _language(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept-language":
            for code, _quality in parse_accept_lang_header(value.decode("latin-1")):
                try:
                    return translation.get_supported_language_variant(code)
                except LookupError:
                    continue
    return settings.LANGUAGE_CODE


async def _refuse(scope: Scope, send: Send) -> None:
    with translation.override(_language(scope)):
        body = json.dumps(
            {
                "code": "overloaded",
                "message": _("The server is busy; try again in a moment."),
            }
        ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_S).encode()),
                # The request body was not read: the connection cannot be
                # reused for the next request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
