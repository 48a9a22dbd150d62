"""Pantau's channel layers: the embedded deployment's in-memory layer, made
O(1) per message, and the scaled deployment's Redis pub/sub layer, which
rings many groups in one round trip.

channels' ``InMemoryChannelLayer`` sweeps every queue and every group
membership for expired entries on each ``receive`` and ``group_send``. Each
of N sockets receives the doorbell of an event, so one event costs N sweeps
of N entries: with 1,000 sockets about 300 ms of the event loop on the
development machine, before the first socket is sent anything. This layer
runs that sweep at most once a second, which keeps its purpose (messages
expire after a minute, memberships after a day) at a constant cost.

channels_redis's ``RedisPubSubChannelLayer`` sends a group message as one
``PUBLISH`` and one round trip to Redis. A check-in rings about five groups
(the employee, the supervisors up the chain, the unit admins), and at the
morning rush the doorbells of several check-ins go out together
(``realtime.publish``). Under load every round trip also waits for the
worker's event loop to get the GIL back from the request threads, so a
batch sent group by group costs that wait once per group.
``group_send_many`` sends the batch in one pipelined round trip per Redis
shard.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

from channels.layers import InMemoryChannelLayer as _InMemoryChannelLayer
from channels_redis.pubsub import (
    RedisPubSubChannelLayer as _RedisPubSubChannelLayer,
)

SWEEP_INTERVAL_S = 1.0


class InMemoryChannelLayer(_InMemoryChannelLayer):
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_S:
            return
        self._swept_at = now
        super()._clean_expired()


class RedisPubSubChannelLayer(_RedisPubSubChannelLayer):
    async def group_send_many(self, messages: dict[str, dict[str, Any]]) -> None:
        """``group_send(group, message)`` for each item, in one pipelined
        round trip per shard.

        Built on channels_redis 4's pub/sub internals (the group's channel
        name, the shard it hashes to, the shard's client and lock), which
        ``tests/realtime/test_layers.py`` checks against a real Redis.
        """
        layer = self._get_layer()
        by_shard: dict[Any, list[tuple[str, bytes]]] = defaultdict(list)
        for group, message in messages.items():
            channel = layer._get_group_channel_name(group)
            by_shard[layer._get_shard(channel)].append(
                (channel, self.serialize(message))
            )
        for shard, items in by_shard.items():
            async with shard._lock:
                shard._ensure_redis()
                pipe = shard._redis.pipeline(transaction=False)
                for channel, data in items:
                    pipe.publish(channel, data)
                await pipe.execute()
