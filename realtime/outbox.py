"""This process's window on the outbox: the recent activity events, in id
order, read once per process and shared by all of its sockets.

A socket woken by a doorbell for event N asks the reader to make sure it has
read every event up to N; the first socket to ask runs one query (``id >
head``), the others find the events in memory. Because event ids grow in
commit order (``backend.activity.services``), "everything after my cursor"
is complete the moment it is read: a socket that sends events from here in
id order can never skip one, whatever the channel layer delivered.

Every ``SWEEP_S`` seconds the reader also reads on its own and wakes the
sockets that are behind, so an event whose doorbell was lost (Redis down or
restarting, a publish that timed out) still arrives, only later.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import weakref
from collections.abc import Callable, Hashable
from typing import Protocol

from channels.db import database_sync_to_async

from backend.activity import selectors
from backend.activity.models import ActivityEvent

logger = logging.getLogger(__name__)

# Events kept in memory; a socket further behind replays from the database.
BUFFER_EVENTS = 10_000
FETCH_BATCH = 1_000
SWEEP_S = 5.0

# Outbox reads run in the default thread pool, not in the one thread that
# runs Django's sync views: a socket must not wait behind a check-in upload.
_latest_event_id = database_sync_to_async(
    selectors.latest_event_id, thread_sensitive=False
)
_events_after = database_sync_to_async(selectors.events_after, thread_sensitive=False)


Render = Callable[[ActivityEvent], str]


class Subscriber(Protocol):
    cursor: int

    def wake(self) -> None: ...


class OutboxReader:
    def __init__(self) -> None:
        # Every event with floor < id <= head is in _events (ids in _ids).
        self.floor = 0
        self.head = 0
        self._events: list[ActivityEvent] = []
        self._ids: list[int] = []
        self._texts: dict[tuple[int, tuple[Hashable, ...]], str] = {}
        self._started = False
        self._start_lock = asyncio.Lock()
        # The read in progress, with its number: callers share it.
        self._reading: tuple[int, asyncio.Task[None]] | None = None
        self._reads = 0
        self._subscribers: set[Subscriber] = set()
        self._sweeper: asyncio.Task[None] | None = None

    async def attach(self, subscriber: Subscriber) -> int:
        """Register a socket for sweeps; returns the current head."""
        async with self._start_lock:
            if not self._started:
                self.head = self.floor = await _latest_event_id()
                self._started = True
        self._subscribers.add(subscriber)
        if self._sweeper is None:
            self._sweeper = asyncio.create_task(self._sweep())
        return self.head

    def detach(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)
        if not self._subscribers and self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    async def advance(self, upto: int | None = None) -> None:
        """Read the events committed after ``head``: until ``head`` reaches
        ``upto``, or (``upto`` None) in one read that starts after this call.

        Sockets woken together share one read instead of queueing for it:
        a doorbell to 1,000 sockets costs one query.
        """
        if upto is not None and self.head >= upto:
            return
        called_at = self._reads
        while True:
            # A finished read whose done-callback has not run yet counts as
            # no read: awaiting a finished task does not yield to the event
            # loop, so waiting for the callback here would spin forever.
            if self._reading is None or self._reading[1].done():
                self._reads += 1
                task = asyncio.create_task(self._read())
                task.add_done_callback(self._read_done)
                self._reading = (self._reads, task)
            number, task = self._reading
            await asyncio.shield(task)
            # A read that started after this call saw every event that had
            # committed by then, including the one a doorbell announced.
            if number > called_at or (upto is not None and self.head >= upto):
                return

    def text(
        self, event: ActivityEvent, key: tuple[Hashable, ...], render: Render
    ) -> str:
        """``render(event)``, made once per event and ``key`` (language, base
        URL, whether the reader is the event's employee, whose names they may
        read in its flags) for all the sockets of this process."""
        if event.pk <= self.floor:  # a replay from the database: not kept
            return render(event)
        cache_key = (event.pk, key)
        found = self._texts.get(cache_key)
        if found is None:
            found = self._texts[cache_key] = render(event)
        return found

    async def _read(self) -> None:
        while True:
            batch = await _events_after(self.head, limit=FETCH_BATCH)
            if batch:
                self._events.extend(batch)
                self._ids.extend(event.pk for event in batch)
                self.head = self._ids[-1]
            if len(batch) < FETCH_BATCH:
                break
        self._trim()

    def _read_done(self, task: asyncio.Task[None]) -> None:
        if self._reading is not None and self._reading[1] is task:
            self._reading = None
        if not task.cancelled():
            task.exception()  # retrieved: the callers awaiting it re-raise it

    def since(self, cursor: int) -> tuple[list[ActivityEvent], int] | None:
        """The events after ``cursor`` and the id they reach (the head), or
        None when ``cursor`` is older than the memory (replay from the
        database instead)."""
        if cursor < self.floor:
            return None
        start = bisect.bisect_right(self._ids, cursor)
        return self._events[start:], max(cursor, self.head)

    def _trim(self) -> None:
        excess = len(self._ids) - BUFFER_EVENTS
        # Trim in chunks, so that the copy happens once per BUFFER_EVENTS.
        if excess >= BUFFER_EVENTS // 2:
            self.floor = self._ids[excess - 1]
            del self._events[:excess]
            del self._ids[:excess]
            self._texts = {
                key: text for key, text in self._texts.items() if key[0] > self.floor
            }

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(SWEEP_S)
            try:
                await self.advance()
            except Exception:
                logger.warning("feed sweep: reading the outbox failed", exc_info=True)
                continue
            for subscriber in list(self._subscribers):
                if subscriber.cursor < self.head:
                    subscriber.wake()


_readers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OutboxReader] = (
    weakref.WeakKeyDictionary()
)


def reader() -> OutboxReader:
    """The reader of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _readers.get(loop)
    if found is None:
        found = _readers[loop] = OutboxReader()
    return found
