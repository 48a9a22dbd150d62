"""The per-process outbox reader shares reads between sockets and never
spins on a read that has finished."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from realtime import outbox


def _run_with_deadline(coroutine: Any, seconds: float) -> list[Any]:
    """Run ``coroutine`` on its own event loop in a thread; a coroutine that
    never yields blocks its loop, so only a thread join can time it out."""
    result: list[Any] = []
    thread = threading.Thread(
        target=lambda: result.append(asyncio.run(coroutine)), daemon=True
    )
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the reader spun without yielding"
    return result


def test_a_finished_read_whose_callback_is_pending_starts_a_new_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []

    async def events_after(after: int, *, limit: int) -> list[Any]:
        reads.append(after)
        # The first read sees nothing new; the second finds event 7.
        return [] if len(reads) == 1 else [SimpleNamespace(pk=7)]

    monkeypatch.setattr(outbox, "_events_after", events_after)

    async def scenario() -> int:
        reader = outbox.OutboxReader()
        reader._started = True
        await reader.advance()  # the first read, finished and cleared
        # A read that has finished while its done-callback still waits in
        # the loop's queue: what a socket woken in between would find.
        finished = asyncio.get_running_loop().create_future()
        finished.set_result(None)
        reader._reading = (reader._reads, finished)  # type: ignore[assignment]
        await reader.advance(upto=7)
        return reader.head

    assert _run_with_deadline(scenario(), seconds=5) == [7]
    assert reads == [0, 0]


def test_sockets_woken_together_share_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = 0
    release = asyncio.Event()

    async def events_after(after: int, *, limit: int) -> list[Any]:
        nonlocal reads
        reads += 1
        await release.wait()
        return [SimpleNamespace(pk=after + 1)]

    monkeypatch.setattr(outbox, "_events_after", events_after)

    async def scenario() -> tuple[int, int]:
        reader = outbox.OutboxReader()
        reader._started = True
        waiting = [asyncio.create_task(reader.advance(upto=1)) for _ in range(50)]
        await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*waiting)
        return reads, reader.head

    assert _run_with_deadline(scenario(), seconds=5) == [(1, 1)]
