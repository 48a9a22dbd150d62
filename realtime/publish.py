"""After-commit publishing of activity events: the one module that pushes
feed events into the channel layer.

The message is a doorbell, ``{"type": "checkin.created", "id": 123}``, sent
to every group that may see the event (``realtime.groups``). Sockets then
read the event itself from the outbox table (``realtime.outbox``), in id
order: the channel layer may lose or reorder messages (two workers racing,
a Redis restart), the table does neither.

Publishing never fails the request that committed the event: errors are
logged, each publish is bounded by ``PUBLISH_TIMEOUT_S``, and after a failure
the process skips publishing for ``COOLDOWN_S`` so that a dead Redis costs
one short wait per cool-down, not one per check-in. Events skipped that way
reach the sockets through the outbox sweep within a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from realtime.groups import event_groups

if TYPE_CHECKING:
    from backend.activity.models import ActivityEvent

logger = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 0.5
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
    newest: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=lambda event: event.pk):
        for group in event_groups(event):
            newest[group] = {"type": event.type, "id": event.pk}
    transaction.on_commit(partial(publish_doorbells, newest), robust=True)


def publish_doorbells(doorbells: dict[str, dict[str, Any]]) -> bool:
    """Send each group its doorbell now; False when they were not sent."""
    layer = get_channel_layer()
    if layer is None:
        return False
    if time.monotonic() < _health.paused_until:
        logger.debug("feed publish skipped (cooling down): %s", doorbells)
        return False
    try:
        async_to_sync(_send)(layer, doorbells)
    except Exception as exc:
        _health.paused_until = time.monotonic() + COOLDOWN_S
        logger.warning(
            "feed publish failed for events up to %s (%s: %s); skipping "
            "publishes for %.0f s, sockets catch up from the outbox",
            max((message.get("id", 0) for message in doorbells.values()), default=0),
            type(exc).__name__,
            exc,
            COOLDOWN_S,
        )
        return False
    return True


def publish(groups: list[str], message: dict[str, Any]) -> bool:
    """Send ``message`` to ``groups`` now; False when it was not sent."""
    return publish_doorbells(dict.fromkeys(groups, message))


async def _send(layer: Any, doorbells: dict[str, dict[str, Any]]) -> None:
    async with asyncio.timeout(PUBLISH_TIMEOUT_S):
        for group, message in doorbells.items():
            await layer.group_send(group, message)
