"""Admission control: a busy worker answers 503 at once instead of queueing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from backend.asgi import application
from backend.lib.admission import RETRY_AFTER_S, AdmissionLimit


class Held:
    """An ASGI app that answers 200 once released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.started += 1
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _scope(path: str = "/api/v1/checkins/", language: str = "") -> dict[str, Any]:
    headers = [(b"accept-language", language.encode())] if language else []
    return {"type": "http", "path": path, "method": "POST", "headers": headers}


async def _call(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_requests_beyond_the_limit_are_refused_at_once() -> None:
    held = Held()
    app = AdmissionLimit(held, limit=2)
    running = [asyncio.create_task(_call(app, _scope())) for _ in range(2)]
    await asyncio.sleep(0)
    assert held.started == 2 and app.in_flight == 2

    refused = await asyncio.wait_for(_call(app, _scope(language="en")), timeout=1)
    start, body = refused
    assert start["status"] == 503
    headers = dict(start["headers"])
    assert headers[b"retry-after"] == str(RETRY_AFTER_S).encode()
    assert headers[b"content-type"] == b"application/json"
    answer = json.loads(body["body"])
    assert answer["code"] == "overloaded"
    assert "busy" in answer["message"]
    assert held.started == 2 and app.refused == 1

    held.release.set()
    for task in running:
        assert (await task)[0]["status"] == 200
    assert app.in_flight == 0
    # Room again: the next request is served.
    assert (await _call(app, _scope()))[0]["status"] == 200


async def test_the_refusal_is_in_indonesian_by_default() -> None:
    held = Held()
    app = AdmissionLimit(held, limit=1)
    running = asyncio.create_task(_call(app, _scope()))
    await asyncio.sleep(0)
    start, body = await _call(app, _scope())
    assert start["status"] == 503
    english = "The server is busy; try again in a moment."
    with translation.override("id"):
        indonesian = gettext(english)
    assert indonesian != english
    assert json.loads(body["body"])["message"] == indonesian
    held.release.set()
    await running


async def test_health_checks_and_websockets_pass_and_zero_means_no_limit() -> None:
    held = Held()
    held.release.set()
    app = AdmissionLimit(held, limit=1)
    app.in_flight = 1  # as if a request were in progress
    assert (await _call(app, _scope("/healthz")))[0]["status"] == 200
    websocket = {"type": "websocket", "path": "/ws/feed/", "headers": []}
    await _call(app, websocket)
    assert held.started == 2
    unlimited = AdmissionLimit(held, limit=0)
    unlimited.in_flight = 10_000
    assert (await _call(unlimited, _scope()))[0]["status"] == 200


def test_the_server_application_is_behind_the_limit(settings: Any) -> None:
    http = application.application_mapping["http"]
    assert isinstance(http, AdmissionLimit)
    assert http.limit == settings.WEB_MAX_IN_FLIGHT > 0
