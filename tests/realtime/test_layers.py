"""The Redis pub/sub layer's many-groups send, on a real Redis (pass 2), and
the publisher's use of it and its handling of slow and refused sends."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from realtime import publish
from realtime.layers import RedisPubSubChannelLayer


@pytest.mark.redis
async def test_group_send_many_reaches_each_groups_members_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = RedisPubSubChannelLayer(hosts=[os.environ["REDIS_URL"]])
    sender = RedisPubSubChannelLayer(hosts=[os.environ["REDIS_URL"]])
    try:
        alice, bob, both = [await layer.new_channel() for _ in range(3)]
        await layer.group_add("e.1", alice)
        await layer.group_add("e.2", bob)
        await layer.group_add("e.1", both)
        await layer.group_add("e.2", both)
        await layer.group_add("feed.all", both)

        executed: list[int] = []
        shard = sender._get_layer()._shards[0]
        shard._ensure_redis()
        real_pipeline = shard._redis.pipeline

        def counting_pipeline(**kwargs: Any) -> Any:
            pipe = real_pipeline(**kwargs)
            real_execute = pipe.execute

            async def execute() -> Any:
                executed.append(len(pipe.command_stack))
                return await real_execute()

            pipe.execute = execute
            return pipe

        monkeypatch.setattr(shard._redis, "pipeline", counting_pipeline)
        await sender.group_send_many(
            {
                "e.1": {"type": "checkin.created", "id": 1},
                "e.2": {"type": "checkin.created", "id": 2},
                "nobody": {"type": "checkin.created", "id": 3},
            }
        )
        assert executed == [3]  # three PUBLISH commands, one round trip

        async def received(channel: str) -> dict[str, Any]:
            return await asyncio.wait_for(layer.receive(channel), 5)

        assert await received(alice) == {"type": "checkin.created", "id": 1}
        assert await received(bob) == {"type": "checkin.created", "id": 2}
        got = [await received(both), await received(both)]
        assert sorted(message["id"] for message in got) == [1, 2]
        # Nothing more: "feed.all" was not rung, and "nobody" reaches no one.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(layer.receive(both), 0.3)
    finally:
        await layer.flush()
        await sender.flush()


async def test_the_publisher_sends_a_batch_in_one_call_when_the_layer_can(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    class Layer:
        async def group_send_many(self, messages: dict[str, Any]) -> None:
            calls.append(messages)

        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            raise AssertionError("one group at a time")

    monkeypatch.setattr(publish, "get_channel_layer", Layer)
    monkeypatch.setattr(publish._health, "paused_until", 0.0)
    batch = {
        "e.1": {"type": "checkin.created", "id": None},
        "e.2": {"type": "checkin.created", "id": None},
    }
    assert await publish.deliver(batch) is True
    assert calls == [batch]


async def test_a_timed_out_send_does_not_pause_publishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Slow:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            await asyncio.sleep(1)

    monkeypatch.setattr(publish, "get_channel_layer", Slow)
    monkeypatch.setattr(publish, "PUBLISH_TIMEOUT_S", 0.05)
    monkeypatch.setattr(publish._health, "paused_until", 0.0)
    assert await publish.deliver({"e.1": {"type": "checkin.created", "id": 1}}) is False
    assert publish._health.paused_until == 0.0


async def test_a_refused_send_pauses_publishing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[str] = []

    class Refusing:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            attempts.append(group)
            raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(publish, "get_channel_layer", Refusing)
    monkeypatch.setattr(publish._health, "paused_until", 0.0)
    bell = {"e.1": {"type": "checkin.created", "id": 1}}
    assert await publish.deliver(bell) is False
    assert publish._health.paused_until > time.monotonic() + publish.COOLDOWN_S - 1
    # Skipped while cooling down: no second attempt.
    assert await publish.deliver(bell) is False
    assert attempts == ["e.1"]
