"""The morning's traffic: arrival rates over time and what each arrival sends.

The arrivals are open-loop: each is scheduled by the clock (Poisson, at the
rate the plan gives for that moment) and sent whether or not earlier
requests have been answered, the way 83,000 phones behave. Latency is
measured from the scheduled moment, so a client that falls behind shows up
in the figures instead of hiding them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.http import read_response
from loadtest.photos import SplicedPhoto

WIB = dt.timezone(dt.timedelta(hours=7))
BOUNDARY = "pantau-loadtest-7d0c2f9e81a54b36"
CHECKINS = "/api/v1/checkins/"
# What a morning sends, by share of arrivals.
HOSTILE_SHARE = 0.02
REPLAY_SHARE = 0.05
FULL_SIZE_SHARE = 0.10
REPLAY_POOL = 256
MAX_CONNECTIONS = 2000
CONNECT_TIMEOUT_S = 30.0
ANSWER_TIMEOUT_S = 120.0

# Request kinds, as reported.
NEW_SMALL = "checkin 1280px"
NEW_FULL = "checkin 9MP"
REPLAY = "replay"
HOSTILE = "hostile"
KINDS = (NEW_SMALL, NEW_FULL, REPLAY, HOSTILE)
HOSTILE_TYPES = ("wrong_type", "truncated", "oversize")


@dataclass(frozen=True)
class Segment:
    """``seconds`` of arrivals, the rate going linearly from ``start`` to ``end``."""

    name: str
    seconds: float
    start: float
    end: float

    def rate(self, offset: float) -> float:
        if self.seconds <= 0:
            return self.end
        return self.start + (self.end - self.start) * min(1.0, offset / self.seconds)

    @property
    def arrivals(self) -> float:
        return self.seconds * (self.start + self.end) / 2


@dataclass
class Sample:
    kind: str
    scheduled: float  # seconds since the run started
    done: float
    status: int  # 0: no answer (connection refused, reset, timed out)
    segment: str

    @property
    def latency(self) -> float:
        return self.done - self.scheduled


@dataclass
class Delivery:
    received: float  # seconds since the run started
    latency: float  # from the event's commit time to its arrival


@dataclass
class Outcome:
    samples: list[Sample] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    replay_mismatches: int = 0
    replay_checked: int = 0
    hostile_by_type: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int))
    )
    employees_used: int = 0
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    late_sends: int = 0  # arrivals sent more than 100 ms after their time
    started_wall: float = 0.0
    seconds: float = 0.0


class Connections:
    """Keep-alive HTTP/1.1 connections, opened on demand (open-loop)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.gate = asyncio.Semaphore(MAX_CONNECTIONS)
        self.opened = 0

    async def send(self, data: bytes) -> tuple[int, bytes]:
        async with self.gate:
            for attempt in range(2):
                # A retry always goes out on a fresh connection.
                reused = bool(self.idle) and attempt == 0
                if reused:
                    reader, writer = self.idle.pop()
                else:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection("127.0.0.1", self.port),
                        CONNECT_TIMEOUT_S,
                    )
                    self.opened += 1
                # Read while writing: the server may refuse an oversized
                # body early (413) and close before taking all of it.
                answer = asyncio.ensure_future(
                    asyncio.wait_for(read_response(reader), ANSWER_TIMEOUT_S)
                )
                try:
                    writer.write(data)
                    await writer.drain()
                    written = True
                except (ConnectionError, OSError):
                    written = False
                try:
                    status, keep, body = await answer
                    keep = keep and written
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    writer.close()
                    # A keep-alive connection the server closed while idle:
                    # send again on a fresh one (check-ins are idempotent).
                    if reused and attempt == 0:
                        continue
                    raise
                except BaseException:
                    answer.cancel()
                    writer.close()
                    raise
                if keep:
                    self.idle.append((reader, writer))
                else:
                    writer.close()
                return status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


def _part(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        f"{value}\r\n"
    ).encode()


def checkin_request(
    token: str,
    *,
    latitude: float,
    longitude: float,
    device: str,
    photo: bytes,
    kind: str = "in",
    content_type: str = "image/jpeg",
    filename: str = "presensi.jpg",
) -> bytes:
    now = dt.datetime.now(WIB).replace(microsecond=0)
    body = b"".join(
        [
            _part("client_uuid", str(uuid.uuid4())),
            _part("kind", kind),
            _part("latitude", f"{latitude:.7f}"),
            _part("longitude", f"{longitude:.7f}"),
            _part("accuracy_m", "8"),
            _part("captured_at", now.isoformat()),
            _part("device_id", device),
            (
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="photo"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode(),
            photo,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )
    head = (
        f"POST {CHECKINS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Token {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


class Morning:
    """Chooses and sends each arrival's request; records what came back."""

    def __init__(
        self,
        *,
        port: int,
        employees: list[list[Any]],
        small: SplicedPhoto,
        full: SplicedPhoto,
        oversize_bytes: int,
        seed: int = 83,
    ) -> None:
        self.port = port
        self.employees = employees
        self.small = small
        self.full = full
        self.oversize_bytes = oversize_bytes
        self.rng = random.Random(seed)
        self.order = list(range(len(employees)))
        self.rng.shuffle(self.order)
        self.next_employee = 0
        self.hostile_sent = 0
        self.replayable: list[tuple[bytes, bytes]] = []
        self.outcome = Outcome()
        self.connections: Connections | None = None
        self.tasks: set[asyncio.Task[None]] = set()
        self.started = 0.0

    def clock(self) -> float:
        return time.perf_counter() - self.started

    # --- one arrival -----------------------------------------------------------

    def _new_request(self) -> tuple[str, bytes]:
        index = self.order[self.next_employee % len(self.order)]
        # Past the last employee the day goes on with check-outs.
        kind = "in" if self.next_employee < len(self.order) else "out"
        self.next_employee += 1
        token, latitude, longitude = self.employees[index]
        full = self.rng.random() < FULL_SIZE_SHARE
        photo = (self.full if full else self.small).make(self.rng)
        request = checkin_request(
            token,
            latitude=latitude,
            longitude=longitude,
            device=f"lt-{index}",
            photo=photo,
            kind=kind,
        )
        return (NEW_FULL if full else NEW_SMALL), request

    def _hostile_request(self) -> tuple[str, bytes]:
        token, latitude, longitude = self.employees[
            self.rng.randrange(len(self.employees))
        ]
        choice = HOSTILE_TYPES[self.hostile_sent % len(HOSTILE_TYPES)]
        self.hostile_sent += 1
        base = self.small.make(self.rng)
        extra: dict[str, Any] = {}
        if choice == "wrong_type":
            photo = b"%PDF-1.7\n" + base[:40_000]
            extra = {"content_type": "application/pdf", "filename": "presensi.pdf"}
        elif choice == "truncated":
            photo = base[: len(base) * 2 // 3]
        else:
            photo = base + bytes(self.oversize_bytes - len(base))
        request = checkin_request(
            token,
            latitude=latitude,
            longitude=longitude,
            device="lt-hostile",
            photo=photo,
            **extra,
        )
        return choice, request

    async def arrive(self, scheduled: float, segment: str) -> None:
        draw = self.rng.random()
        original: bytes | None = None
        hostile_type = ""
        if draw < HOSTILE_SHARE:
            hostile_type, request = self._hostile_request()
            kind = HOSTILE
        elif draw < HOSTILE_SHARE + REPLAY_SHARE and self.replayable:
            request, original = self.replayable[
                self.rng.randrange(len(self.replayable))
            ]
            kind = REPLAY
        else:
            kind, request = self._new_request()
        assert self.connections is not None
        try:
            status, body = await self.connections.send(request)
        except (
            OSError,
            TimeoutError,
            asyncio.IncompleteReadError,
            ValueError,
        ) as exc:
            status, body = 0, b""
            self.outcome.errors[f"{kind}: {type(exc).__name__} {exc}"[:120]] += 1
        except asyncio.CancelledError:
            # Still unanswered when the run ended: counted, not forgotten.
            self.outcome.errors[f"{kind}: no answer when the run ended"] += 1
            self.outcome.samples.append(
                Sample(kind, scheduled, self.clock(), 0, segment)
            )
            raise
        done = self.clock()
        self.outcome.samples.append(Sample(kind, scheduled, done, status, segment))
        if kind == HOSTILE:
            self.outcome.hostile_by_type[hostile_type][status] += 1
        elif kind == REPLAY and status == 200 and original is not None:
            self.outcome.replay_checked += 1
            if json.loads(body) != json.loads(original):
                self.outcome.replay_mismatches += 1
        elif status == 201:
            if len(self.replayable) < REPLAY_POOL:
                self.replayable.append((request, body))
            else:
                self.replayable[self.rng.randrange(REPLAY_POOL)] = (request, body)

    # --- the schedule ------------------------------------------------------------

    async def play(self, segment: Segment, *, after: float = 0.0) -> None:
        """Send ``segment``'s arrivals, scheduled by the clock, without
        waiting for answers."""
        begin = after if after else self.clock()
        offset = 0.0
        while True:
            rate = max(segment.rate(offset), 1e-6)
            offset += self.rng.expovariate(rate)
            if offset >= segment.seconds:
                break
            scheduled = begin + offset
            delay = scheduled - self.clock()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.1:
                self.outcome.late_sends += 1
            task = asyncio.create_task(self.arrive(scheduled, segment.name))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        # The next segment starts where this one's time ends.
        delay = begin + segment.seconds - self.clock()
        if delay > 0:
            await asyncio.sleep(delay)

    async def drain(self, timeout: float) -> None:
        if self.tasks:
            _done, pending = await asyncio.wait(list(self.tasks), timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


async def watch_feed(
    port: int,
    tokens: list[str],
    clock: Callable[[], float],
    deliveries: list[Delivery],
) -> Callable[[], Any]:
    """Open one feed socket per token (past its summary); record every
    ``checkin.created`` delivery's latency from the event's ``at``."""
    import websockets

    connections: list[Any] = []
    readers: list[asyncio.Task[None]] = []

    async def read(connection: Any) -> None:
        async for raw in connection:
            wall = time.time()
            message = json.loads(raw)
            if message.get("type") == "checkin.created":
                at = dt.datetime.fromisoformat(message["at"]).timestamp()
                deliveries.append(Delivery(clock(), wall - at))

    gate = asyncio.Semaphore(10)

    async def one(token: str) -> None:
        async with gate:
            connection = await websockets.connect(
                f"ws://127.0.0.1:{port}/ws/feed/",
                additional_headers={"Authorization": f"Token {token}"},
                open_timeout=60,
                max_queue=None,
                max_size=None,
            )
            first = json.loads(await asyncio.wait_for(connection.recv(), 60))
            if first.get("type") != "summary":
                raise RuntimeError(f"the feed opened with {first!r}")
        connections.append(connection)
        readers.append(asyncio.create_task(read(connection)))

    await asyncio.gather(*(one(token) for token in tokens))

    async def close() -> None:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)

    return close
