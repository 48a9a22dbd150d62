"""Feed tests: the real ASGI application, real check-ins through the API.

Time is frozen (ticking) on a Wednesday at 07:20 WIB, so a clean check-in at
the office is not flagged for being outside working hours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import itertools
import random
import sys
import types
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import channels
import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from knox.models import AuthToken
from PIL import Image

from backend.asgi import application
from tests.conftest import OFFICE, client_for

# ``channels.testing`` imports its live-server test case, which needs daphne;
# Pantau serves with uvicorn and does not install it. Importing the
# communicator through a bare package skips that one import.
if "channels.testing" not in sys.modules:
    _testing = types.ModuleType("channels.testing")
    _testing.__path__ = [f"{channels.__path__[0]}/testing"]
    sys.modules["channels.testing"] = _testing
from asgiref.testing import ApplicationCommunicator
from channels.testing.websocket import WebsocketCommunicator as _Communicator


class WebsocketCommunicator(_Communicator):
    """channels' communicator, minus one thing: while it waits, it stops
    ``database_sync_to_async`` from closing database connections (to keep
    a ``TestCase`` transaction alive). These tests are transactional, and
    the feed reads from worker threads whose connections must be closed as
    in production, or PostgreSQL keeps them and the test database cannot
    be dropped."""

    async def send_input(self, message: Any) -> Any:
        return await ApplicationCommunicator.send_input(self, message)

    async def receive_output(self, timeout: float = 1) -> Any:
        return await ApplicationCommunicator.receive_output(self, timeout)


WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 25, 7, 20, tzinfo=WIB)  # a Wednesday morning
EVENT_TYPES = {"checkin.created", "checkin.flagged", "checkin.reviewed"}
_photo_number = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_channel_layer() -> Iterator[None]:
    # Layers hold queues and connections of the event loop that used them;
    # every test runs in a loop of its own.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def photo() -> io.BytesIO:
    """A small JPEG, different every time (no duplicate-photo flags)."""
    shades = random.Random(next(_photo_number))
    # Random 8x8 blocks: perceptual hashes far apart (no near-duplicates).
    blocks = Image.new("L", (8, 8))
    blocks.putdata([shades.randrange(256) for _ in range(64)])
    image = blocks.resize((160, 160), Image.Resampling.NEAREST).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    out.seek(0)
    out.name = "selfie.jpg"
    return out


def checkin_payload(*, outside: bool = False) -> dict[str, Any]:
    """A check-in at the office (or 2 km away, which flags it)."""
    number = next(_photo_number)
    latitude = OFFICE[0] + (0.02 if outside else 0.0) + number * 1e-6
    return {
        "client_uuid": str(uuid.uuid4()),
        "kind": "in",
        "latitude": f"{latitude:.7f}",
        "longitude": f"{OFFICE[1] + 0.0001:.7f}",
        "accuracy_m": "8",
        "captured_at": dt.datetime.now(WIB).isoformat(),
        "device_id": f"device-{number}",
        "photo": photo(),
    }


def post_checkin(employee: Any, *, outside: bool = False) -> dict[str, Any]:
    """POST /api/v1/checkins/ as ``employee``; the 201 body."""
    client = client_for(employee.user)
    response = client.post(
        "/api/v1/checkins/", checkin_payload(outside=outside), format="multipart"
    )
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


apost_checkin = database_sync_to_async(post_checkin)


@database_sync_to_async
def token_for(user: Any) -> str:
    _instance, token = AuthToken.objects.create(user=user)
    return str(token)


@contextlib.asynccontextmanager
async def feed(
    user: Any = None,
    *,
    query: str = "",
    headers: list[tuple[bytes, bytes]] | None = None,
    summary: bool = True,
) -> AsyncIterator[WebsocketCommunicator]:
    """A connected feed socket (token in the Authorization header when
    ``user`` is given), past its opening summary; always disconnected."""
    headers = list(headers or [])
    if user is not None:
        token = await token_for(user)
        headers.append((b"authorization", f"Token {token}".encode()))
    path = "/ws/feed/" + (f"?{query}" if query else "")
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, _subprotocol = await communicator.connect(timeout=5)
        assert connected
        if summary:
            first = await communicator.receive_json_from(timeout=5)
            assert first["type"] == "summary", first
        yield communicator
    finally:
        await communicator.disconnect()


async def next_event(
    communicator: WebsocketCommunicator, timeout: float = 5
) -> dict[str, Any]:
    """The next feed event (summaries and notices are skipped)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] in EVENT_TYPES:
            return message


async def events_until(
    communicator: WebsocketCommunicator, checkin_id: int, *, timeout: float = 5
) -> list[dict[str, Any]]:
    """Events up to and including the ``checkin.created`` of ``checkin_id``."""
    received = []
    while True:
        message = await next_event(communicator, timeout)
        received.append(message)
        if (
            message["type"] == "checkin.created"
            and message["data"]["checkin_id"] == checkin_id
        ):
            return received
