"""After-commit publishing of activity events: the one module that pushes
feed events into the channel layer.

The message is a doorbell, ``{"type": "checkin.created", "id": 123}``
(``"id": null`` on PostgreSQL, where the event is numbered at commit), sent
to every group that may see the event (``realtime.groups``). Sockets then
read the event itself from the outbox table (``realtime.outbox``), in id
order: the channel layer may lose or reorder messages (two workers racing,
a Redis restart), the table does neither.

Publishing never fails nor delays the request that committed the event.
In the server, the request thread hands its doorbells to the process's
event loop and answers at once; the loop sends them, and doorbells that
arrive while a send is in progress are merged (per group, the newest event)
into the next one, so at the morning rush a group shared by many check-ins
is rung once per round trip to Redis instead of once per check-in, and no
doorbell waits longer than one round trip (a batch of groups is one
pipelined round trip, ``realtime.layers``). Errors are logged, each send is
bounded by ``PUBLISH_TIMEOUT_S``, and after a failure other than a timeout
(Redis refusing connections) the process skips publishing for
``COOLDOWN_S``. A timeout skips nothing after it: at the morning rush the
event loop can wait for the GIL long enough for a healthy Redis to time
out, and pausing then held every supervisor's events back for seconds.
Doorbells skipped or lost reach the sockets through the outbox sweep
within a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from backend.activity.models import ids_final_at_insert
from realtime.groups import event_groups, user_group

if TYPE_CHECKING:
    from backend.activity.models import ActivityEvent

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 2.0
COOLDOWN_S = 5.0


@dataclass
class _Health:
    # time.monotonic() until which publishing is skipped after a failure
    paused_until: float = 0.0


_health = _Health()


def publish_on_commit(*events: ActivityEvent) -> None:
    """Ring for ``events`` once (and only if) their transaction commits.

    One doorbell per group, naming the newest of the events that group may
    see: a doorbell only wakes a socket, which then reads every event after
    its last one from the outbox. A flagged check-in's two events ring each
    group once, not twice.
    """
    # On PostgreSQL an event gets its id as it commits: the doorbell then
    # names none, and the socket reads whatever committed since.
    final = ids_final_at_insert()
    newest: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=lambda event: event.pk):
        for group in event_groups(event):
            newest[group] = {"type": event.type, "id": event.pk if final else None}
    transaction.on_commit(partial(publish_doorbells, newest), robust=True)


def revoke_on_commit(group: str) -> None:
    """Close the feed sockets of ``group`` (``realtime.groups.token_group``
    or ``session_group``) once the transaction commits; sent like a
    doorbell, so it never fails the request."""
    message = {"type": "session.revoked", "id": None}
    transaction.on_commit(partial(publish_doorbells, {group: message}), robust=True)


def viewers_changed_on_commit(user_ids: Iterable[int | None]) -> None:
    """Make the feed sockets of ``user_ids`` re-read what their user may
    see (``realtime.groups.user_group``) once the transaction commits: their
    roles or their place in the hierarchy changed. Sent like a doorbell, so
    it never fails the request."""
    message = {"type": "viewer.changed", "id": None}
    groups = {user_group(pk): message for pk in set(user_ids) if pk is not None}
    if groups:
        transaction.on_commit(partial(publish_doorbells, groups), robust=True)


def publish_doorbells(doorbells: dict[str, dict[str, Any]]) -> None:
    """Ring each group's doorbell: through the server's event loop without
    waiting when called from a request thread, else now."""
    loop = _server_loop()
    if loop is None:
        # Management commands, the test client: no event loop to hand to.
        async_to_sync(deliver)(doorbells)
        return
    try:
        loop.call_soon_threadsafe(_waiting_on(loop).add, doorbells)
    except RuntimeError:
        # The loop closed meanwhile (the worker is stopping): the sweep of
        # the sockets' next process catches up.
        logger.debug("feed publish skipped (event loop closed): %s", doorbells)


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop waiting on this thread (asgiref's sync_to_async)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return cast(asyncio.AbstractEventLoop, loop)


class _Waiting:
    """Doorbells not yet sent, on one event loop (touched only from it)."""

    def __init__(self) -> None:
        self.doorbells: dict[str, dict[str, Any]] = {}
        self.sending = False

    def add(self, doorbells: dict[str, dict[str, Any]]) -> None:
        for group, message in doorbells.items():
            held = self.doorbells.get(group)
            if held is None or (message["id"] or 0) > (held["id"] or 0):
                self.doorbells[group] = message
        if not self.sending:
            self.sending = True
            task = asyncio.get_running_loop().create_task(self._send_all())
            _tasks.add(task)
            task.add_done_callback(_tasks.discard)

    async def _send_all(self) -> None:
        try:
            while self.doorbells:
                batch, self.doorbells = self.doorbells, {}
                await deliver(batch)
        finally:
            self.sending = False


_waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting] = (
    weakref.WeakKeyDictionary()
)
# Strong references to the send tasks (asyncio keeps only weak ones).
_tasks: set[asyncio.Task[None]] = set()


def _waiting_on(loop: asyncio.AbstractEventLoop) -> _Waiting:
    waiting = _waiting.get(loop)
    if waiting is None:
        waiting = _waiting[loop] = _Waiting()
    return waiting


async def deliver(doorbells: dict[str, dict[str, Any]]) -> bool:
    """Send each group its doorbell; False when they were not sent."""
    layer = get_channel_layer()
    if layer is None:
        return False
    if time.monotonic() < _health.paused_until:
        logger.debug("feed publish skipped (cooling down): %s", doorbells)
        return False
    try:
        await _send(layer, doorbells)
    except TimeoutError:
        # Slow, not refused: under load the worker's event loop itself may
        # wait that long for the GIL. The next batch tries again at once
        # (only one send is in flight per process, so a hung Redis costs
        # one wait per batch, never a pile of them); these doorbells reach
        # their sockets through the outbox sweep.
        logger.warning(
            "feed publish timed out for %d groups after %.1f s; sockets "
            "catch up from the outbox",
            len(doorbells),
            PUBLISH_TIMEOUT_S,
        )
        return False
    except Exception as exc:
        _health.paused_until = time.monotonic() + COOLDOWN_S
        logger.warning(
            "feed publish failed for %d groups (%s: %s); skipping "
            "publishes for %.0f s, sockets catch up from the outbox",
            len(doorbells),
            type(exc).__name__,
            exc,
            COOLDOWN_S,
        )
        return False
    return True


async def _send(layer: Any, doorbells: dict[str, dict[str, Any]]) -> None:
    # Redis: every group in one round trip (realtime.layers); other layers
    # one group at a time.
    send_many = getattr(layer, "group_send_many", None)
    async with asyncio.timeout(PUBLISH_TIMEOUT_S):
        if send_many is not None:
            await send_many(doorbells)
            return
        for group, message in doorbells.items():
            await layer.group_send(group, message)
