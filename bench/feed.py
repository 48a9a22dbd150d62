"""The live feed: from a check-in's commit to a supervisor's socket.

Run as ``python -m bench.feed``. Everything runs on 127.0.0.1 against the
real server (``manage.py serve``, uvicorn) and real clients (HTTP check-ins
with the 1280-px photo, ``websockets`` sockets):

- load: 100 supervisor sockets (the demo's 15 supervisors, several sockets
  each) while employees check in at 20/s for 15 s (``BENCH_SCALE`` scales
  the duration). Latency of every delivery of a ``checkin.created``, from
  the event's ``at`` (given inside the commit on PostgreSQL, just before it
  on SQLite: the figures slightly overstate commit-to-socket) to its
  arrival.
  Goals: p95 under 100 ms in memory, under 150 ms with Redis.
- fan-out: 1,000 sockets of one supervisor, one check-in of a subordinate,
  five times. Goal: the last of the 1,000 deliveries under 0.5 s.

Scenarios: the embedded default (SQLite, in-memory layer), then, when
PostgreSQL and redis-server are installed, PostgreSQL with Redis through
the pub/sub layer (1 and 2 workers) and through the core layer. A layer
micro-benchmark (group_send to 1 and to 1,000 channels of one process)
isolates the two channels_redis layers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import io
import itertools
import json
import os
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets
from PIL import Image

from bench.server import ROOT, Server, login, running_server

PHOTO = ROOT / "tests" / "fixtures" / "photos" / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
LOAD_SOCKETS = 100
RATE_PER_S = 20.0
LOAD_SECONDS = 15.0
FANOUT_SOCKETS = 1000
FANOUT_ROUNDS = 5
CONNECT_CONCURRENCY = 50
STEP_TIMEOUT_S = 60.0
CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "realtime.layers.RedisPubSubChannelLayer"
WIB = dt.timezone(dt.timedelta(hours=7))


# --- clients --------------------------------------------------------------------


@dataclass
class Delivery:
    socket: int
    event_id: int
    checkin_id: int
    latency_s: float
    received: float


@dataclass
class Sockets:
    connections: list[Any] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    readers: list[asyncio.Task[None]] = field(default_factory=list)
    # Every event type seen, by event id (created, and flagged if flagged).
    types: dict[int, str] = field(default_factory=dict)

    @property
    def events_seen(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for kind in self.types.values():
            counts[kind] += 1
        return dict(counts)

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        await asyncio.gather(
            *(c.close() for c in self.connections), return_exceptions=True
        )


async def open_sockets(port: int, tokens: list[str]) -> Sockets:
    """One socket per token, each past its opening summary, each read by a
    task that records the ``checkin.created`` deliveries."""
    sockets = Sockets()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(number: int, token: str) -> None:
        async with gate:
            connection = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/feed/",
                additional_headers={"Authorization": f"Token {token}"},
                open_timeout=STEP_TIMEOUT_S,
                max_queue=None,
            )
            first = json.loads(await connection.recv())
            assert first["type"] == "summary", first
        sockets.connections.append(connection)
        sockets.readers.append(asyncio.create_task(read(number, connection)))

    async def read(number: int, connection: Any) -> None:
        async for raw in connection:
            received = time.time()
            message = json.loads(raw)
            if "id" in message:
                sockets.types[message["id"]] = message["type"]
            if message["type"] == "checkin.created":
                at = dt.datetime.fromisoformat(message["at"]).timestamp()
                sockets.deliveries.append(
                    Delivery(
                        number,
                        message["id"],
                        message["data"]["checkin_id"],
                        received - at,
                        received,
                    )
                )

    async with asyncio.timeout(STEP_TIMEOUT_S * 3):
        await asyncio.gather(*(one(n, t) for n, t in enumerate(tokens)))
    return sockets


def photos(count: int) -> list[bytes]:
    """``count`` versions of the 1280-px photo, each under a different
    pattern: no two are (near-)duplicates, so check-ins are not flagged for
    a reused photo and each brings one event, as a normal one does."""
    base = Image.open(PHOTO).convert("RGB")
    shades = random.Random(next(_seeds))
    result = []
    for _ in range(count):
        blocks = Image.new("L", (8, 8))
        blocks.putdata([shades.randrange(256) for _ in range(64)])
        pattern = blocks.resize(base.size, Image.Resampling.NEAREST).convert("RGB")
        out = io.BytesIO()
        Image.blend(base, pattern, 0.4).save(out, "JPEG", quality=85)
        result.append(out.getvalue())
    return result


_seeds = itertools.count(2026)
_numbers = itertools.count(1)


def checkin_form(workplace: dict[str, Any], device: str) -> dict[str, str]:
    # Distinct coordinates (the same ones from several people are flagged),
    # all within 11 m of the office.
    nudge = next(_numbers) % 500 * 2e-7
    return {
        "client_uuid": str(uuid.uuid4()),
        "kind": "in",
        "latitude": f"{workplace['latitude'] + 0.0001 + nudge:.7f}",
        "longitude": f"{workplace['longitude']:.7f}",
        "accuracy_m": "8",
        "captured_at": dt.datetime.now(WIB).isoformat(),
        "device_id": device,
    }


async def post_checkin(
    client: httpx.AsyncClient,
    account: tuple[str, str],
    workplace: dict[str, Any],
    photo: bytes,
) -> tuple[int, int | None, float]:
    username, token = account
    started = time.perf_counter()
    response = await client.post(
        "/api/v1/checkins/",
        headers={"Authorization": f"Token {token}"},
        data=checkin_form(workplace, f"bench-{username}"),
        files={"photo": ("photo.jpg", photo, "image/jpeg")},
    )
    checkin_id = response.json().get("id") if response.status_code < 300 else None
    return response.status_code, checkin_id, time.perf_counter() - started


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan"), "p99": float("nan")}

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": ordered[-1] * 1000,
    }


# --- the scenarios ----------------------------------------------------------------


def offices(server: Server) -> dict[str, dict[str, Any]]:
    """Each account's own office: seeding lists the OPDs (then the UPT) in
    the order of their workplaces, so the n-th OPD code met is workplace n."""
    order: list[str] = []
    for account in server.accounts:
        opd = account["unit"].split("-B")[0]
        if opd not in order:
            order.append(opd)
    return {
        a["username"]: server.workplaces[order.index(a["unit"].split("-B")[0])]
        for a in server.accounts
    }


def chains(accounts: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each account's supervisors, all the way up (by username)."""
    by_nip = {a["nip"]: a for a in accounts}
    result: dict[str, set[str]] = {}
    for account in accounts:
        above: set[str] = set()
        boss = by_nip.get(account["supervisor"] or "")
        while boss is not None:
            above.add(boss["username"])
            boss = by_nip.get(boss["supervisor"] or "")
        result[account["username"]] = above
    return result


async def load(server: Server, seconds: float) -> dict[str, Any]:
    accounts = server.accounts
    supervisors = [a for a in accounts if a["role"] == "supervisor"]
    employees = [a for a in accounts if a["role"] == "employee"]
    tokens = {a["username"]: login(server, a["username"]) for a in accounts}
    above = chains(accounts)
    socket_owner = [
        supervisors[n % len(supervisors)]["username"] for n in range(LOAD_SOCKETS)
    ]
    office = offices(server)
    total = int(seconds * RATE_PER_S)
    pictures = photos(total)
    sockets = await open_sockets(server.port, [tokens[u] for u in socket_owner])
    posted: list[tuple[str, int]] = []
    statuses: dict[int, int] = defaultdict(int)
    post_times: list[float] = []
    try:
        async with httpx.AsyncClient(
            base_url=server.base_url,
            timeout=STEP_TIMEOUT_S,
            limits=httpx.Limits(max_connections=16),
        ) as client:

            async def send(number: int) -> None:
                employee = employees[number % len(employees)]["username"]
                status, checkin_id, took = await post_checkin(
                    client,
                    (employee, tokens[employee]),
                    office[employee],
                    pictures[number],
                )
                statuses[status] += 1
                post_times.append(took)
                if checkin_id is not None:
                    posted.append((employee, checkin_id))

            started = time.perf_counter()
            pending = []
            for number in range(total):
                delay = started + number / RATE_PER_S - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                pending.append(asyncio.create_task(send(number)))
            await asyncio.gather(*pending)
            sent_for = time.perf_counter() - started
        expected = sum(
            socket_owner.count(boss)
            for employee, _ in posted
            for boss in above[employee]
        )
        deadline = time.monotonic() + 10
        while len(sockets.deliveries) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        await sockets.close()
    latencies = [d.latency_s for d in sockets.deliveries]
    return {
        "checkins": len(posted),
        "events": sockets.events_seen,
        "rate": len(posted) / sent_for if sent_for else 0.0,
        "statuses": dict(statuses),
        "post_ms": percentiles(post_times),
        "expected": expected,
        "delivered": len(latencies),
        "latency_ms": percentiles(latencies),
    }


async def fanout(server: Server) -> dict[str, Any]:
    accounts = server.accounts
    heads = [a for a in accounts if a["role"] == "supervisor" and not a["supervisor"]]
    above = chains(accounts)
    head = heads[0]["username"]
    employee = next(
        a["username"]
        for a in accounts
        if a["role"] == "employee" and head in above[a["username"]]
    )
    head_token, employee_token = login(server, head), login(server, employee)
    pictures = photos(FANOUT_ROUNDS)
    sockets = await open_sockets(server.port, [head_token] * FANOUT_SOCKETS)
    lasts: list[float] = []
    got: list[Delivery] = []
    firsts: list[float] = []
    try:
        async with httpx.AsyncClient(
            base_url=server.base_url, timeout=STEP_TIMEOUT_S
        ) as client:
            for number in range(FANOUT_ROUNDS):
                status, checkin_id, _took = await post_checkin(
                    client,
                    (employee, employee_token),
                    offices(server)[employee],
                    pictures[number],
                )
                assert status == 201, status
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    got = [d for d in sockets.deliveries if d.checkin_id == checkin_id]
                    if len(got) >= FANOUT_SOCKETS:
                        break
                    await asyncio.sleep(0.02)
                latencies = sorted(d.latency_s for d in got)
                if len(latencies) < FANOUT_SOCKETS:
                    lasts.append(float("inf"))
                else:
                    lasts.append(latencies[-1])
                firsts.append(latencies[0] if latencies else float("inf"))
                await asyncio.sleep(0.5)
    finally:
        await sockets.close()
    return {
        "sockets": FANOUT_SOCKETS,
        "events": sockets.events_seen,
        "first_ms": [round(v * 1000, 1) for v in firsts],
        "last_ms": [round(v * 1000, 1) for v in lasts],
    }


async def scenario(server: Server, seconds: float) -> dict[str, Any]:
    return {"load": await load(server, seconds), "fanout": await fanout(server)}


async def layer_micro(backend: str, redis_url: str, rounds: int = 20) -> dict[str, Any]:
    """group_send to 1 and to 1,000 channels of this process, Redis only."""
    module, _, name = backend.rpartition(".")
    layer = getattr(importlib.import_module(module), name)(hosts=[redis_url])
    results: dict[str, Any] = {}
    try:
        for size in (1, FANOUT_SOCKETS):
            group = f"bench.{size}"
            names = [await layer.new_channel() for _ in range(size)]
            for channel in names:
                await layer.group_add(group, channel)
            times = []
            for round_number in range(rounds + 1):
                started = time.perf_counter()
                await layer.group_send(group, {"type": "x", "id": 1})
                async with asyncio.timeout(STEP_TIMEOUT_S):
                    await asyncio.gather(*(layer.receive(c) for c in names))
                if round_number:  # the first round warms the subscriptions up
                    times.append(time.perf_counter() - started)
            results[str(size)] = percentiles(times)
            for channel in names:
                await layer.group_discard(group, channel)
    finally:
        await layer.flush()
    return results


# --- running it -----------------------------------------------------------------


def run(*, scale: float = 1.0) -> dict[str, Any]:
    from tests import stack

    seconds = LOAD_SECONDS * scale
    results: dict[str, Any] = {}
    with running_server() as server:
        results["inmemory"] = asyncio.run(scenario(server, seconds))
    if stack.find_pg_bin() is None or stack.find_redis_server() is None:
        results["redis"] = "skipped: PostgreSQL or redis-server not installed"
        return results
    import psycopg
    import redis

    with stack.postgres_server() as database_url, stack.redis_server() as redis_url:
        for backend in (PUBSUB, CORE):
            label = backend.rpartition(".")[2]
            results[f"micro {label}"] = asyncio.run(layer_micro(backend, redis_url))
        for key, backend, workers in (
            ("redis pubsub, 1 worker", PUBSUB, "1"),
            ("redis core, 1 worker", CORE, "1"),
            ("redis pubsub, 2 workers", PUBSUB, "2"),
        ):
            database = "bench_" + uuid.uuid4().hex[:8]
            with psycopg.connect(database_url, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {database}")
            redis.Redis.from_url(redis_url).flushall()
            env = {
                "DATABASE_URL": database_url.rsplit("/", 1)[0] + "/" + database,
                "REDIS_URL": redis_url,
                "WEB_CONCURRENCY": workers,
            }
            with running_server(extra_env=env, layer=backend) as server:
                results[key] = asyncio.run(scenario(server, seconds))
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        f"live feed: {LOAD_SOCKETS} supervisor sockets, {RATE_PER_S:.0f} check-ins/s "
        f"(1280-px photo); fan-out to {FANOUT_SOCKETS} sockets of one supervisor"
    ]
    for key, value in results.items():
        if isinstance(value, str):
            lines.append(f"  {key}: {value}")
        elif key.startswith("micro"):
            one, many = value["1"], value[str(FANOUT_SOCKETS)]
            lines.append(
                f"  {key}: group_send to 1 channel p50 {one['p50']:.2f} ms "
                f"p95 {one['p95']:.2f} ms; to {FANOUT_SOCKETS} channels "
                f"p50 {many['p50']:.1f} ms p95 {many['p95']:.1f} ms"
            )
        else:
            load, fan = value["load"], value["fanout"]
            lat = load["latency_ms"]
            goal = 100 if key == "inmemory" else 150
            lines.append(
                f"  {key}: commit -> socket p50 {lat['p50']:.1f} ms, "
                f"p95 {lat['p95']:.1f} ms, p99 {lat['p99']:.1f} ms, "
                f"max {lat['max']:.1f} ms (goal p95 < {goal} ms); "
                f"{load['delivered']}/{load['expected']} deliveries of "
                f"{load['checkins']} check-ins at {load['rate']:.1f}/s "
                f"{load['statuses']}, events {load['events']}, "
                f"POST p95 {load['post_ms']['p95']:.0f} ms"
            )
            lines.append(
                f"    fan-out: last of {fan['sockets']} deliveries "
                f"{fan['last_ms']} ms (goal < 500 ms), first {fan['first_ms']} ms, "
                f"events {fan['events']}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    outcome = run(scale=float(os.environ.get("BENCH_SCALE", "1")))
    print(report(outcome))
    if "--json" in sys.argv:
        print(json.dumps(outcome, default=str))
