"""Order, resume after a gap, the replay bound, and "only after commit"."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from channels.db import database_sync_to_async
from django.db import transaction

from backend.activity import selectors
from backend.activity.models import ActivityEvent
from backend.activity.services import event_record
from backend.attendance.models import Workplace
from realtime import outbox, publish
from tests.realtime.conftest import (
    EVENT_TYPES,
    apost_checkin,
    feed,
    next_event,
    post_checkin,
)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def visible_ids(user: Any, after: int = 0) -> list[int]:
    return [e.pk for e in selectors.events_visible_to(user, after=after).events]


async def test_events_arrive_in_id_order_without_gaps_or_duplicates(
    org: Any, office: Workplace
) -> None:
    async with feed(org.bob.user) as bob:
        for number in range(6):
            await apost_checkin(org.alice, outside=number % 2 == 1)
            await apost_checkin(org.charlie)  # another team: never for bob
        expected = await visible_ids(org.bob.user)
        received = [await next_event(bob) for _ in expected]
        assert [message["id"] for message in received] == expected
        types = [message["type"] for message in received]
        assert types.count("checkin.created") == 6
        assert types.count("checkin.flagged") >= 3
        assert await bob.receive_nothing(0.2)


async def test_a_client_resumes_after_a_gap_with_the_after_parameter(
    org: Any, office: Workplace
) -> None:
    async with feed(org.bob.user) as bob:
        first = await apost_checkin(org.alice)
        seen = (await next_event(bob))["id"]

    missed = [await apost_checkin(org.alice), await apost_checkin(org.alice)]
    await apost_checkin(org.charlie)

    async with feed(org.bob.user, query=f"after={seen}") as bob:
        replayed = [await next_event(bob), await next_event(bob)]
        assert [m["data"]["checkin_id"] for m in replayed] == [m["id"] for m in missed]
        assert seen < replayed[0]["id"] < replayed[1]["id"]
        live = await apost_checkin(org.alice)
        assert (await next_event(bob))["data"]["checkin_id"] == live["id"]
        assert first["id"] not in {m["data"]["checkin_id"] for m in replayed}


async def test_a_client_resumes_with_a_resume_message(
    org: Any, office: Workplace
) -> None:
    await apost_checkin(org.alice)
    seen = (await visible_ids(org.bob.user))[-1]
    missed = await apost_checkin(org.alice)

    async with feed(org.bob.user) as bob:
        assert await bob.receive_nothing(0.2)  # no after: live only
        await bob.send_json_to({"type": "resume", "after": seen})
        message = await next_event(bob)
        assert message["data"]["checkin_id"] == missed["id"]
        assert await bob.receive_nothing(0.2)


async def test_events_committed_during_the_replay_follow_it_in_order(
    org: Any, office: Workplace
) -> None:
    for _ in range(8):
        await apost_checkin(org.alice)

    async def more() -> None:
        for _ in range(4):
            await apost_checkin(org.alice)

    async with feed(org.bob.user, query="after=0", summary=False) as bob:
        writer = asyncio.create_task(more())
        await writer
        expected = await visible_ids(org.bob.user)
        received = [(await next_event(bob))["id"] for _ in expected]
        assert received == expected
        assert await bob.receive_nothing(0.3)


async def test_the_replay_is_bounded_and_says_so(
    org: Any, office: Workplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "REPLAY_MAX_EVENTS", 3)
    for _ in range(5):
        await apost_checkin(org.alice)
    expected = (await visible_ids(org.bob.user))[-3:]

    async with feed(org.bob.user, query="after=0") as bob:
        notice = await bob.receive_json_from(5)
        assert notice["type"] == "replay.truncated"
        assert notice["data"]["after"] == 0
        assert [(await next_event(bob))["id"] for _ in range(3)] == expected


async def test_the_replay_leaves_out_events_older_than_a_day(
    org: Any, office: Workplace
) -> None:
    @database_sync_to_async
    def old_and_new() -> tuple[int, int]:
        with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=2)):
            event_record(type="checkin.created", actor=org.alice, data={})
        event_record(type="checkin.created", actor=org.alice, data={})
        # The ids as committed (PostgreSQL numbers events at commit).
        old_id, new_id = ActivityEvent.objects.order_by("at").values_list(
            "id", flat=True
        )
        return old_id, new_id

    old, new = await old_and_new()
    async with feed(org.bob.user, query=f"after={old - 1}") as bob:
        assert (await bob.receive_json_from(5))["type"] == "replay.truncated"
        assert (await bob.receive_json_from(5))["id"] == new
    async with feed(org.bob.user, query=f"after={old}") as bob:
        assert (await bob.receive_json_from(5))["id"] == new


async def test_a_rolled_back_checkin_emits_nothing(org: Any, office: Workplace) -> None:
    class Abort(Exception):
        pass

    @database_sync_to_async
    def rolled_back() -> None:
        with pytest.raises(Abort), transaction.atomic():
            post_checkin(org.alice)
            raise Abort

    async with feed(org.bob.user) as bob:
        await rolled_back()
        kept = await apost_checkin(org.alice)
        message = await next_event(bob)
        assert message["data"]["checkin_id"] == kept["id"]
        assert await ActivityEvent.objects.acount() == 1


async def test_an_event_is_sent_only_once_its_transaction_commits(
    org: Any, office: Workplace
) -> None:
    written = threading.Event()
    commit = threading.Event()

    def slow_transaction() -> int:
        with transaction.atomic():
            body = post_checkin(org.alice)
            written.set()
            assert commit.wait(10)
        return int(body["id"])

    async with feed(org.bob.user) as bob:
        pending = asyncio.ensure_future(
            database_sync_to_async(slow_transaction, thread_sensitive=False)()
        )
        assert await asyncio.to_thread(written.wait, 10)
        assert await bob.receive_nothing(0.5)
        commit.set()
        checkin_id = await pending
        message = await next_event(bob)
        assert message["data"]["checkin_id"] == checkin_id


@pytest.mark.postgres
async def test_an_event_inserted_first_and_committed_last_arrives_live(
    org: Any, office: Workplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL numbers events at commit: alice's event, inserted first,
    gets the larger id when it commits after bob's. Its doorbell cannot
    name that id, and the socket, already past the id alice's insert
    returned, must still read it at once, not at the next sweep."""
    monkeypatch.setattr(outbox, "SWEEP_S", 60.0)
    written = threading.Event()
    commit = threading.Event()

    def open_transaction() -> None:
        with transaction.atomic():
            event_record(type="checkin.created", actor=org.alice, data={})
            written.set()
            assert commit.wait(10)

    async with feed(org.dina.user) as dina:
        pending = asyncio.ensure_future(
            database_sync_to_async(open_transaction, thread_sensitive=False)()
        )
        assert await asyncio.to_thread(written.wait, 10)
        await database_sync_to_async(event_record)(
            type="checkin.created", actor=org.bob, data={}
        )
        first = await next_event(dina)
        commit.set()
        await pending
        second = await next_event(dina, timeout=2)
        assert second["id"] > first["id"]
        ids = [event.pk async for event in ActivityEvent.objects.order_by("at")]
        assert ids == [second["id"], first["id"]]


async def test_an_event_whose_doorbell_was_lost_arrives_with_the_sweep(
    org: Any, office: Workplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "SWEEP_S", 0.2)
    async with feed(org.bob.user) as bob:
        # As if Redis were down: nothing reaches the channel layer.
        monkeypatch.setattr(publish, "publish_doorbells", lambda doorbells: None)
        body = await apost_checkin(org.alice)
        message = await next_event(bob, timeout=3)
        assert message["data"]["checkin_id"] == body["id"]


async def test_a_bad_resume_gets_an_error_and_the_feed_goes_on(
    org: Any, office: Workplace
) -> None:
    async with feed(org.bob.user, query="after=yesterday", summary=False) as bob:
        error = await bob.receive_json_from(5)
        assert error["type"] == "error"
        assert error["data"]["code"] == "bad_after"
        assert (await bob.receive_json_from(5))["type"] == "summary"
        await bob.send_json_to({"type": "resume", "after": -3})
        assert (await bob.receive_json_from(5))["data"]["code"] == "bad_after"
        await bob.send_to(text_data="not json")
        assert (await bob.receive_json_from(5))["data"]["code"] == "bad_message"
        await bob.send_json_to({"type": "subscribe"})
        assert (await bob.receive_json_from(5))["data"]["code"] == "bad_message"
        body = await apost_checkin(org.alice)
        message = await bob.receive_json_from(5)
        assert message["type"] in EVENT_TYPES
        assert message["data"]["checkin_id"] == body["id"]


async def test_a_doorbell_of_an_unknown_type_still_delivers(
    org: Any, office: Workplace
) -> None:
    from channels.layers import get_channel_layer

    from realtime.groups import group_name

    async with feed(org.bob.user) as bob:
        body = await apost_checkin(org.alice)
        assert (await next_event(bob))["data"]["checkin_id"] == body["id"]
        layer = get_channel_layer()
        await layer.group_send(
            group_name("employee", org.bob.pk), {"type": "future.thing", "id": 10**9}
        )
        again = await apost_checkin(org.alice)
        assert (await next_event(bob))["data"]["checkin_id"] == again["id"]
