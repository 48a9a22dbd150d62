"""Doorbells handed to the event loop: sent without delaying the request,
merged per group while a send is in progress."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from realtime import publish


class _SlowLayer:
    """A channel layer whose sends wait until released."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, int]] = []
        self.release = asyncio.Event()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self.release.wait()
        self.sent.append((group, message["id"]))


def _bell(*groups: str, pk: int) -> dict[str, dict[str, Any]]:
    return {group: {"type": "checkin.created", "id": pk} for group in groups}


async def test_a_request_thread_does_not_wait_and_busy_groups_are_merged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layer = _SlowLayer()
    monkeypatch.setattr(publish, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(publish._health, "paused_until", 0.0)

    # From request threads, as after a commit: each returns at once even
    # though Redis (here the layer) has not answered yet.
    await sync_to_async(publish.publish_doorbells)(_bell("feed.all", "e.1", pk=1))
    await asyncio.sleep(0.01)  # the first send starts and waits
    for pk, employee in ((2, "e.2"), (3, "e.3"), (4, "e.2")):
        await sync_to_async(publish.publish_doorbells)(
            _bell("feed.all", employee, pk=pk)
        )
    assert layer.sent == []

    layer.release.set()
    for _ in range(100):
        if len(layer.sent) >= 5:
            break
        await asyncio.sleep(0.01)
    # The first batch as it was; the three that waited as one batch, each
    # group once with its newest event.
    assert layer.sent[:2] == [("feed.all", 1), ("e.1", 1)]
    assert sorted(layer.sent[2:]) == [("e.2", 4), ("e.3", 3), ("feed.all", 4)]


def test_without_an_event_loop_doorbells_are_sent_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[tuple[str, int]] = []

    class Layer:
        async def group_send(self, group: str, message: dict[str, Any]) -> None:
            sent.append((group, message["id"]))

    monkeypatch.setattr(publish, "get_channel_layer", Layer)
    monkeypatch.setattr(publish._health, "paused_until", 0.0)
    publish.publish_doorbells(_bell("feed.all", pk=7))
    assert sent == [("feed.all", 7)]
