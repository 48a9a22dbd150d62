"""Drill: ``kill -9`` of one uvicorn worker while phones check in."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

import httpx
import pytest

from tests.drills.checks import integrity
from tests.drills.deployment import Deployment, deployment
from tests.drills.load import CheckinLoad, phones

pytestmark = pytest.mark.drill

PHONES = 8
LOAD_BEFORE_S = 4.0
LOAD_AFTER_S = 4.0


async def test_kill_9_of_a_worker_loses_no_acknowledged_checkin(
    figures: Callable[..., None],
) -> None:
    with deployment() as deployed:
        load = CheckinLoad(deployed, await phones(deployed, PHONES))
        running = load.start()
        await asyncio.sleep(LOAD_BEFORE_S)

        # Kill one worker; once its replacement serves, kill the other
        # original one: what is answered then, the replacement served.
        originals = deployed.worker_pids()
        in_flight = 0
        started_after: list[float] = []
        serving_after: list[float] = []
        answered_by_replacement = 0
        for victim in originals:
            in_flight += sum(1 for a in load.attempts if a.started and not a.seconds)
            before = set(deployed.worker_pids())
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            # uvicorn's supervisor checks its workers every 0.5 s and starts
            # a new one in place of a dead one.
            replacement = await _replacement(deployed, before, killed_at)
            started_after.append(time.monotonic() - killed_at)
            ready = f"Started server process [{replacement}]"
            while ready not in deployed.log.read_text(errors="replace"):
                assert time.monotonic() - killed_at < 60, "replacement not serving"
                await asyncio.sleep(0.05)
            ready_at = time.monotonic()
            serving_after.append(ready_at - killed_at)
            if victim == originals[-1]:
                # Sent after the kill and answered before the second
                # replacement was up: only the first one was there.
                answered_by_replacement = sum(
                    1
                    for a in load.attempts
                    if a.status == 201
                    and a.started > killed_at
                    and a.started + a.seconds < ready_at
                )
            await asyncio.sleep(LOAD_AFTER_S)
        load.stop()
        await running
        assert answered_by_replacement > 0, "the replacement worker served nothing"

        # Everything the clients were not told about (no answer, or an error
        # answer), sent again byte for byte, as a phone retries.
        unanswered = [a for a in load.attempts if a.status != 201]
        acknowledged = load.answered(201)
        unexpected = {a.status for a in load.attempts if a.status not in (201, None)}
        assert not unexpected, (
            f"answers other than 201 or a broken connection: {unexpected}"
        )
        retried: dict[int, int] = {}
        first_ids = {a.client_uuid: a.body["id"] for a in acknowledged}
        sample = acknowledged[:: max(1, len(acknowledged) // 10)]
        async with httpx.AsyncClient(timeout=30) as client:
            for attempt in unanswered:
                await load.send(client, attempt)
                retried[attempt.status or 0] = retried.get(attempt.status or 0, 0) + 1
            for attempt in sample:
                await load.send(client, attempt)
                assert attempt.status == 200, (attempt.status, attempt.body)
                assert attempt.body["id"] == first_ids[attempt.client_uuid]
        assert set(retried) <= {200, 201}, retried

        found = integrity(deployed)
        missing = []
        for attempt in [*acknowledged, *unanswered]:
            rows = found.rows.get((attempt.phone.username, attempt.client_uuid), [])
            assert len(rows) == 1, (attempt.client_uuid, rows)
            row = rows[0]
            if attempt in acknowledged:
                assert row.id == first_ids[attempt.client_uuid]
            if row.photo_sha256 != attempt.photo_sha256:
                missing.append(row.id)
        assert not missing, f"rows whose photo is not the one sent: {missing}"
        # Rows are never half-written; files may be: a worker killed while
        # writing a photo's temporary file, or between its fsync and the
        # commit of its row, leaves a file that no row names.
        halves = found.halves()
        partial = halves.pop("partial_files")
        assert halves == {name: [] for name in halves}, halves
        assert found.count() == len(acknowledged) + len(unanswered)
        # The nightly purge (deploy/systemd/pantau-daily.service) removes them.
        orphans = len(found.unreferenced_files)
        purge = deployed.manage(
            "purge_unreferenced_uploads", "--older-than-minutes", "0"
        )
        swept = integrity(deployed)
        assert swept.unreferenced_files == []
        assert swept.halves() == {name: [] for name in swept.halves()}
        assert swept.count() == found.count()
        audit = deployed.manage("verify_audit_log")

        figures(
            checkins_sent=len(load.attempts),
            answered_201=len(acknowledged),
            in_flight_at_kill=in_flight,
            no_answer_at_kill=len(unanswered),
            retries_answered=retried,
            acknowledged_found_with_matching_sha256=len(acknowledged),
            rows_in_database=found.count(),
            half_records=0,
            unreferenced_photo_files_after_kill=orphans,
            part_files_after_kill=len(partial),
            purge=purge.strip(),
            files_without_row_after_purge=0,
            workers_killed=len(originals),
            replacement_started_after_s=started_after,
            replacement_serving_after_s=serving_after,
            answered_201_while_only_the_replacement_ran=answered_by_replacement,
            audit_log=audit.strip().splitlines()[-1] if audit.strip() else "",
        )


async def _replacement(deployed: Deployment, before: set[int], killed_at: float) -> int:
    """The pid of the worker started in place of the one killed."""
    while True:
        new = set(deployed.worker_pids()) - before
        if new:
            (pid,) = new
            return pid
        assert time.monotonic() - killed_at < 30, "no replacement worker"
        await asyncio.sleep(0.05)
