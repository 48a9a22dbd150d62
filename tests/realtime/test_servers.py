"""The deployed path: real ``manage.py serve`` processes on PostgreSQL and
Redis, real WebSocket and HTTP clients. Pass 2 of the test runner only."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from backend.attendance.models import Workplace
from tests.realtime.conftest import checkin_payload, token_for
from tests.realtime.servers import RestartableRedis, serving

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    # The servers run on the real clock; so must the check-ins sent to them.
    yield


async def post_checkin(server: str, token: str) -> tuple[dict[str, Any], float]:
    """POST a check-in; the 201 body and how long the request took."""
    fields = checkin_payload()
    photo = fields.pop("photo").getvalue()
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        response = await client.post(
            f"http://{server}/api/v1/checkins/",
            headers={"Authorization": f"Token {token}"},
            data=fields,
            files={"photo": ("selfie.jpg", photo, "image/jpeg")},
        )
    assert response.status_code == 201, response.text
    return response.json(), time.monotonic() - started


@asynccontextmanager
async def socket(server: str, token: str, query: str = "") -> AsyncIterator[Any]:
    url = f"ws://{server}/ws/feed/" + (f"?{query}" if query else "")
    async with websockets.connect(
        url, additional_headers={"Authorization": f"Token {token}"}, open_timeout=10
    ) as connection:
        yield connection


async def created_event(connection: Any, checkin_id: int, timeout: float) -> Any:
    """Read until the ``checkin.created`` of ``checkin_id``; return all
    events read (in order)."""
    events = []
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await connection.recv())
            if message["type"].startswith("checkin."):
                events.append(message)
                if (
                    message["type"] == "checkin.created"
                    and message["data"]["checkin_id"] == checkin_id
                ):
                    return events


async def test_a_checkin_posted_to_one_server_reaches_a_supervisor_on_the_other(
    org: Any, office: Workplace, tmp_path: Path
) -> None:
    alice, bob = await token_for(org.alice.user), await token_for(org.bob.user)
    redis_url = os.environ["REDIS_URL"]
    with (
        serving(tmp_path, redis_url=redis_url) as one,
        serving(tmp_path, redis_url=redis_url) as other,
    ):
        async with socket(other, bob) as supervisor:
            assert json.loads(await supervisor.recv())["type"] == "summary"
            for _ in range(3):
                body, _took = await post_checkin(one, alice)
                posted = time.monotonic()
                await created_event(supervisor, body["id"], timeout=10)
                # The doorbell came through Redis: the outbox sweep (every
                # 5 s) would rarely be this quick three times in a row.
                assert time.monotonic() - posted < 0.5


async def test_checkins_succeed_while_redis_is_down_and_the_feed_catches_up(
    org: Any, office: Workplace, tmp_path: Path
) -> None:
    alice, bob = await token_for(org.alice.user), await token_for(org.bob.user)
    dina = await token_for(org.dina.user)
    redis = RestartableRedis(tmp_path)
    redis.start()
    try:
        with serving(tmp_path, redis_url=redis.url) as server:
            async with socket(server, dina) as watcher:
                async with socket(server, bob) as supervisor:
                    body, _took = await post_checkin(server, alice)
                    seen = (await created_event(supervisor, body["id"], 10))[-1]["id"]

                redis.stop()
                missed = []
                for _ in range(2):
                    body, took = await post_checkin(server, alice)
                    assert took < 2.0, f"a check-in took {took:.1f} s with Redis down"
                    missed.append(body["id"])
                # A socket that stayed open still gets them, from the sweep.
                for checkin_id in missed:
                    await created_event(watcher, checkin_id, timeout=15)

                redis.start()
                # After the restart a client resumes from the last id it saw.
                async with socket(server, bob, query=f"after={seen}") as supervisor:
                    replayed = await created_event(supervisor, missed[-1], 15)
                    created = [
                        m["data"]["checkin_id"]
                        for m in replayed
                        if m["type"] == "checkin.created"
                    ]
                    assert created == missed
                    ids = [m["id"] for m in replayed]
                    assert ids == sorted(ids) and ids[0] > seen
                    # ... and live events flow again.
                    body, _took = await post_checkin(server, alice)
                    await created_event(supervisor, body["id"], timeout=10)
                    await created_event(watcher, body["id"], timeout=10)
    finally:
        redis.stop()
