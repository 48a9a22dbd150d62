"""The dashboard summary: today's counts for the people a viewer may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from backend.activity.selectors import TeamSummary, team_summary
from backend.attendance.models import CheckIn, Workplace
from tests.factories import CheckInFactory
from tests.realtime.conftest import NOW, WIB, apost_checkin, feed

LATER = NOW.replace(hour=9, minute=0)  # 09:00 WIB, the morning is settled


def checkin(
    employee: Any, office: Workplace, hour: int, minute: int, **extra: Any
) -> Any:
    return CheckInFactory(
        employee=employee,
        workplace=office,
        captured_at=NOW.replace(hour=hour, minute=minute),
        **extra,
    )


@pytest.mark.django_db
def test_it_counts_present_late_absent_flexible_and_flagged(
    org: Any, office: Workplace
) -> None:
    checkin(org.alice, office, 7, 20)
    checkin(org.alice, office, 7, 25, status=CheckIn.Status.NEEDS_REVIEW)
    checkin(org.bob, office, 7, 50, mode=CheckIn.Mode.FLEXIBLE)
    checkin(org.charlie, office, 7, 10)  # another team
    # dina (head of BKD) sees herself, bob and alice; she has not come in.
    summary = team_summary(org.dina.user, now=LATER)
    assert summary == TeamSummary(
        date=dt.date(2026, 11, 25),
        total=3,
        present=2,
        late=1,
        absent=1,
        flexible=1,
        flagged=1,
    )
    assert team_summary(org.alice.user, now=LATER).total == 1
    assert team_summary(org.erik.user, now=LATER).present == 1


@pytest.mark.django_db
def test_auditors_count_the_flagged_people_of_their_instansi(
    org: Any, office: Workplace
) -> None:
    checkin(org.alice, office, 7, 20, status=CheckIn.Status.NEEDS_REVIEW)
    checkin(org.charlie, office, 7, 20, status=CheckIn.Status.NEEDS_REVIEW)
    checkin(org.kampar_staff, office, 7, 20, status=CheckIn.Status.NEEDS_REVIEW)
    audi = team_summary(org.audi, now=LATER)
    assert (audi.total, audi.present, audi.flagged) == (0, 0, 2)
    assert team_summary(org.oscar, now=LATER).flagged == 1


@pytest.mark.django_db
def test_nobody_is_absent_on_a_day_off(org: Any, office: Workplace) -> None:
    saturday = dt.datetime(2026, 11, 28, 9, 0, tzinfo=WIB)
    summary = team_summary(org.dina.user, now=saturday)
    assert (summary.total, summary.absent, summary.present) == (3, 0, 0)


@pytest.mark.django_db(transaction=True)
async def test_the_summary_comes_on_connect_and_on_request(
    org: Any, office: Workplace
) -> None:
    async with feed(org.dina.user, summary=False) as dina:
        first = await dina.receive_json_from(5)
        assert first == {
            "type": "summary",
            "data": {
                "date": "2026-11-25",
                "total": 3,
                "present": 0,
                "late": 0,
                "absent": 3,
                "flexible": 0,
                "flagged": 0,
            },
        }
        await apost_checkin(org.alice)
        await dina.send_json_to({"type": "summary"})
        while (message := await dina.receive_json_from(5))["type"] != "summary":
            pass
        assert message["data"]["present"] == 1
        assert message["data"]["absent"] == 2


@pytest.mark.django_db(transaction=True)
async def test_a_late_arrival_counts_as_late(org: Any, office: Workplace) -> None:
    with time_machine.travel(LATER, tick=True):
        await apost_checkin(org.alice)
        async with feed(org.bob.user, summary=False) as bob:
            data = (await bob.receive_json_from(5))["data"]
    assert (data["total"], data["present"], data["late"]) == (2, 1, 1)
