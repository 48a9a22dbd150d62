"""Drill: Redis stopped while phones check in and a supervisor watches."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
import websockets

from tests.drills.deployment import Deployment, deployment
from tests.drills.load import CheckinLoad, login, phones

pytestmark = pytest.mark.drill

PHONES = 4
PAUSE_S = 0.1
BEFORE_S, OUTAGE_S, AFTER_S = 3.0, 8.0, 3.0
CATCH_UP_S = 20.0
# Generous: the drills share the machine with the server and PostgreSQL.
OUTAGE_ANSWER_LIMIT_S = 5.0


@dataclass
class Watcher:
    """A supervisor's feed socket that keeps the last event id it saw and,
    whenever its socket ends, reconnects with ``?after=<that id>``."""

    deployed: Deployment
    token: str
    after: int
    received: list[int] = field(default_factory=list)
    connects: int = 0
    refused: int = 0
    reconnected_at: float = 0.0
    socket: websockets.ClientConnection | None = None

    async def run(self) -> None:
        url = self.deployed.base_url.replace("http://", "ws://") + "/ws/feed/"
        while True:
            try:
                async with websockets.connect(
                    f"{url}?after={self.after}",
                    additional_headers={"Authorization": f"Token {self.token}"},
                    open_timeout=5,
                ) as connection:
                    self.socket = connection
                    self.connects += 1
                    self.reconnected_at = time.monotonic()
                    async for raw in connection:
                        message = json.loads(raw)
                        if "id" in message and message["type"].startswith(
                            ("checkin.", "report.", "flex.")
                        ):
                            self.received.append(message["id"])
                            self.after = max(self.after, message["id"])
            except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
                self.refused += 1
            self.socket = None
            await asyncio.sleep(0.5)

    async def drop(self) -> None:
        """Lose the connection, as a phone does when its network changes."""
        if self.socket is not None:
            await self.socket.close()


async def test_redis_outage_keeps_checkins_and_loses_no_feed_event(
    figures: Callable[..., None],
) -> None:
    with deployment() as deployed:
        load = CheckinLoad(deployed, await phones(deployed, PHONES))
        head = next(
            a
            for a in deployed.accounts
            if a["role"] == "supervisor" and a["unit"] == "BKD"
        )
        async with httpx.AsyncClient(timeout=30) as client:
            token = await login(client, deployed, head["username"])
        with deployed.db() as db:
            (baseline,) = db.execute(
                "SELECT coalesce(max(id), 0) FROM activity_activityevent"
            ).fetchone()
        steady = Watcher(deployed, token, baseline)  # stays connected
        resuming = Watcher(deployed, token, baseline)  # loses its socket
        watchers = [asyncio.ensure_future(w.run()) for w in (steady, resuming)]
        while not (steady.connects and resuming.connects):
            await asyncio.sleep(0.05)

        running = load.start(pause=PAUSE_S)
        await asyncio.sleep(BEFORE_S)
        before = len(load.attempts)
        deployed.redis.stop()
        stopped_at = time.monotonic()
        await resuming.drop()
        await asyncio.sleep(OUTAGE_S / 2)
        # Logging in uses the cache (throttle, lockout counter), which is Redis.
        async with httpx.AsyncClient(timeout=30) as client:
            login_during_outage = await client.post(
                f"{deployed.base_url}/api/v1/auth/token/",
                json={"username": head["username"], "password": deployed.password},
            )
        await asyncio.sleep(OUTAGE_S / 2)
        during = load.attempts[before:]
        deployed.redis.start()
        restarted_at = time.monotonic()
        await asyncio.sleep(AFTER_S)
        load.stop()
        await running

        with deployed.db() as db:
            expected = [
                event_id
                for (event_id,) in db.execute(
                    "SELECT id FROM activity_activityevent WHERE id > %s ORDER BY id",
                    [baseline],
                )
            ]
        deadline = time.monotonic() + CATCH_UP_S
        while time.monotonic() < deadline and not all(
            set(expected) <= set(w.received) for w in (steady, resuming)
        ):
            await asyncio.sleep(0.1)
        for task in watchers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        statuses = load.statuses()
        assert statuses == {"201": len(load.attempts)}, statuses
        outage_latencies = sorted(a.seconds for a in during)
        # No waiting on a dead Redis: publishing is bounded to 0.5 s and the
        # cache to 0.5 s socket timeouts, each then skipped for 5 s.
        assert outage_latencies[-1] < OUTAGE_ANSWER_LIMIT_S, outage_latencies[-5:]
        for name, watcher in (("steady", steady), ("resuming", resuming)):
            missing = sorted(set(expected) - set(watcher.received))
            assert not missing, f"{name} socket missed events {missing[:20]}"
            assert watcher.received == sorted(watcher.received), name
        assert resuming.connects >= 2, "the dropped socket never reconnected"
        figures(
            login_during_outage=login_during_outage.status_code,
            checkins_sent=len(load.attempts),
            answers=statuses,
            checkins_during_outage=len(during),
            outage_p50_s=outage_latencies[len(during) // 2],
            outage_max_s=outage_latencies[-1],
            events_created=len(expected),
            steady_socket_missed=len(set(expected) - set(steady.received)),
            steady_socket_duplicates=len(steady.received) - len(set(steady.received)),
            resumed_socket_missed=len(set(expected) - set(resuming.received)),
            resumed_socket_duplicates=len(resuming.received)
            - len(set(resuming.received)),
            resumed_socket_refused_attempts=resuming.refused,
            resumed_after_redis_returned_s=resuming.reconnected_at - restarted_at,
            outage_s=restarted_at - stopped_at,
        )
