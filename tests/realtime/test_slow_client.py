"""A client that stops reading is dropped; the others do not wait for it."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from channels.routing import URLRouter
from django.urls import path

from backend.attendance.models import Workplace
from realtime import stream
from realtime.auth import feed_auth
from realtime.consumers import FeedConsumer
from tests.realtime.conftest import (
    WebsocketCommunicator,
    apost_checkin,
    feed,
    next_event,
    token_for,
)


class StalledConsumer(FeedConsumer):
    """A feed whose client never takes a message after the summary."""

    async def _send_text(self, text: str) -> None:
        if json.loads(text)["type"] == "summary":
            await super()._send_text(text)
            return
        await asyncio.Event().wait()


stalled_application = feed_auth(
    URLRouter([path("ws/feed/", StalledConsumer.as_asgi())])
)


@pytest.mark.django_db(transaction=True)
async def test_a_stalled_client_is_dropped_and_the_others_get_their_events(
    org: Any, office: Workplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "SEND_TIMEOUT_S", 1.0)
    token = await token_for(org.bob.user)
    stalled = WebsocketCommunicator(
        stalled_application,
        "/ws/feed/",
        headers=[(b"authorization", f"Token {token}".encode())],
    )
    try:
        assert (await stalled.connect(timeout=5))[0]
        assert (await stalled.receive_json_from(5))["type"] == "summary"
        async with feed(org.bob.user) as bob:
            started = time.monotonic()
            body = await apost_checkin(org.alice)
            message = await next_event(bob)
            assert message["data"]["checkin_id"] == body["id"]
            # Well within the second the stalled client is given.
            assert time.monotonic() - started < 0.8
            closed = await stalled.receive_output(timeout=5)
            assert closed == {"type": "websocket.close", "code": 4408}
            # Life goes on for the others.
            again = await apost_checkin(org.alice)
            assert (await next_event(bob))["data"]["checkin_id"] == again["id"]
    finally:
        await stalled.disconnect()
