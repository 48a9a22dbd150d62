"""Keep-alive connections are closed after a number of requests when
several workers share one socket (backend/lib/connection_recycling.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.lib import connection_recycling
from backend.lib.connection_recycling import RecycleConnections


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"text/plain")]
    if scope.get("path") == "/keeps-alive":
        headers.append((b"Connection", b"keep-alive"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def _headers(
    app: RecycleConnections, client: Any = ("127.0.0.1", 5000), path: str = "/"
) -> dict[bytes, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "path": path, "client": client, "headers": []}
    asyncio.run(app(scope, receive, send))
    assert sent[1] == {"type": "http.response.body", "body": b"ok"}
    return {name.lower(): value for name, value in sent[0]["headers"]}


def test_every_nth_request_of_a_connection_closes_it() -> None:
    app = RecycleConnections(_answer, every=3)
    closing = [b"connection" in _headers(app) for _ in range(7)]
    assert closing == [False, False, True, False, False, True, False]
    assert app.recycled == 2


def test_connections_are_counted_apart() -> None:
    app = RecycleConnections(_answer, every=2)
    first, second = ("10.0.0.1", 4000), ("10.0.0.1", 4001)
    assert b"connection" not in _headers(app, first)
    assert b"connection" not in _headers(app, second)
    assert _headers(app, first)[b"connection"] == b"close"
    assert _headers(app, second)[b"connection"] == b"close"


def test_the_answers_own_connection_header_is_replaced() -> None:
    app = RecycleConnections(_answer, every=1)
    headers = _headers(app, path="/keeps-alive")
    assert headers[b"connection"] == b"close"
    assert headers[b"content-type"] == b"text/plain"


def test_zero_never_closes_and_clientless_requests_pass() -> None:
    never = RecycleConnections(_answer, every=0)
    assert all(b"connection" not in _headers(never) for _ in range(5))
    often = RecycleConnections(_answer, every=1)
    assert b"connection" not in _headers(often, client=None)  # a Unix socket


def test_forgotten_connections_are_bounded(monkeypatch: Any) -> None:
    monkeypatch.setattr(connection_recycling, "MAX_TRACKED", 3)
    app = RecycleConnections(_answer, every=5)
    for port in range(10):
        _headers(app, ("127.0.0.1", port))
    assert len(app._served) == 3
    assert list(app._served) == [("127.0.0.1", port) for port in (7, 8, 9)]


def test_the_server_recycles_as_the_settings_say() -> None:
    from django.conf import settings

    from backend.asgi import application

    recycler = application.application_mapping["http"]
    assert isinstance(recycler, RecycleConnections)
    # One worker (the tests' settings; tests/test_settings.py checks the
    # default with several): nothing to balance, never closed.
    assert recycler.every == settings.WEB_REQUESTS_PER_CONNECTION == 0
