"""Flexible-work requests: each rule, the supervisor's decision, and an
approved location turning check-ins there into verified flexible ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.audit.models import AuditEntry
from backend.flexwork.models import FlexDecision, FlexPolicy, FlexRequest
from backend.organization import services
from tests.api.test_checkins_api import NOW, clean_jpeg, payload, post
from tests.conftest import client_for

URL = "/api/v1/flex-requests/"
HOME = (0.4700, 101.4000)  # well away from the office
WED = "2026-11-25"  # NOW's day; the week runs Mon 23rd - Sun 29th


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def ask(client: APIClient, *dates: str, **overrides: Any) -> Any:
    body = {
        "dates": list(dates) or [WED],
        "location_type": "other",
        "latitude": HOME[0],
        "longitude": HOME[1],
        "radius_m": 100,
        "address": "Jl. Sudirman 1, Pekanbaru",
        "reason": "Finishing the mutation report without interruptions.",
    }
    body.update(overrides)
    return client.post(URL, body, format="json")


def decide(client: APIClient, pk: int, decision: str = "approve") -> Any:
    return client.post(
        f"{URL}{pk}/decision/", {"decision": decision, "comment": "ok"}, format="json"
    )


def test_an_employee_asks_and_the_supervisor_approves(org: Any) -> None:
    response = ask(client_for(org.alice.user))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending" and body["dates"] == [WED]
    assert AuditEntry.objects.filter(action="flex.requested").count() == 1

    assert decide(client_for(org.charlie.user), body["id"]).status_code == 404
    assert decide(client_for(org.alice.user), body["id"]).status_code == 403
    approved = decide(client_for(org.bob.user), body["id"])
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert approved.json()["decisions"][0]["by"] == org.bob.user.username
    entry = AuditEntry.objects.get(action="flex.decided")
    assert (entry.before["status"], entry.after["status"]) == ("pending", "approved")

    # A changed mind: rejected later, both decisions kept.
    decide(client_for(org.dina.user), body["id"], "reject")
    assert FlexRequest.objects.get(pk=body["id"]).status == "rejected"
    assert FlexDecision.objects.filter(request_id=body["id"]).count() == 2


def test_at_most_two_location_days_a_week(org: Any) -> None:
    alice = client_for(org.alice.user)
    assert ask(alice, "2026-11-25", "2026-11-26").status_code == 201
    refused = ask(alice, "2026-11-27")
    assert refused.status_code == 400
    assert refused.json()["code"] == "flex_max_days"
    assert "2" in refused.json()["message"]
    # The next week is another week.
    assert ask(alice, "2026-12-01").status_code == 201


def test_the_weekly_limit_is_configurable_per_instansi(org: Any) -> None:
    FlexPolicy.objects.create(instansi=org.riau, max_days_per_week=3)
    assert (
        ask(
            client_for(org.alice.user), "2026-11-25", "2026-11-26", "2026-11-27"
        ).status_code
        == 201
    )


def test_a_day_already_asked_for_is_refused(org: Any) -> None:
    alice = client_for(org.alice.user)
    ask(alice)
    assert ask(alice).json()["code"] == "flex_date_taken"


def test_not_for_employees_under_sanction(org: Any) -> None:
    services.employee_update(org.alice, under_sanction=True)
    refused = ask(client_for(org.alice.user))
    assert (refused.status_code, refused.json()["code"]) == (400, "flex_under_sanction")
    FlexPolicy.objects.create(instansi=org.riau, exclude_under_sanction=False)
    assert ask(client_for(org.alice.user)).status_code == 201


def test_not_for_newly_placed_employees(org: Any) -> None:
    services.employee_update(org.alice, placement_date=dt.date(2026, 6, 1))
    refused = ask(client_for(org.alice.user))
    assert refused.json()["code"] == "flex_new_placement"
    services.employee_update(org.alice, placement_date=dt.date(2025, 6, 1))
    assert ask(client_for(org.alice.user)).status_code == 201


def test_the_unit_share_caps_approvals(org: Any) -> None:
    # Bidang Mutasi has two staff (bob, alice); 50 % lets one out a day.
    first = ask(client_for(org.bob.user)).json()
    assert decide(client_for(org.dina.user), first["id"]).status_code == 200
    refused = ask(client_for(org.alice.user))
    assert refused.json()["code"] == "flex_unit_share"
    FlexPolicy.objects.create(instansi=org.riau, unit_share_percent=100)
    second = ask(client_for(org.alice.user)).json()
    assert decide(client_for(org.bob.user), second["id"]).json()["status"] == "approved"


def test_flexible_work_can_be_switched_off(org: Any) -> None:
    FlexPolicy.objects.create(instansi=org.riau, enabled=False)
    assert ask(client_for(org.alice.user)).json()["code"] == "flex_disabled"


def test_bad_locations_are_refused_with_the_field(org: Any) -> None:
    alice = client_for(org.alice.user)
    home = ask(alice, location_type="home")
    assert home.status_code == 400 and "location_type" in home.json()["fields"]
    wide = ask(alice, radius_m=5000)
    assert "radius_m" in wide.json()["fields"]
    past = ask(alice, "2026-11-20")
    assert "dates" in past.json()["fields"]


def test_an_approved_place_makes_a_check_in_there_verified_and_flexible(
    org: Any, office: Any
) -> None:
    alice = client_for(org.alice.user)
    there = {"latitude": HOME[0], "longitude": HOME[1] + 0.0002}
    request = ask(alice).json()

    pending = post(alice, payload(photo_bytes=clean_jpeg(), **there)).json()
    assert pending["status"] == "needs_review"
    assert {flag["code"] for flag in pending["flags"]} >= {"flexible_unapproved"}

    decide(client_for(org.bob.user), request["id"])
    approved = post(
        alice, payload(photo_bytes=clean_jpeg("mobile_jolla.jpg"), **there)
    ).json()
    assert approved["status"] == "verified", approved["flags"]
    assert (approved["mode"], approved["geofence"]) == ("flexible", "inside")
    assert approved["workplace"] is None

    # Outside the approved circle it is still unapproved flexible work.
    elsewhere = post(
        alice,
        payload(
            photo_bytes=clean_jpeg("orientation_portrait_6.jpg"),
            latitude=0.6,
            longitude=101.6,
        ),
    ).json()
    assert elsewhere["mode"] == "office"
    assert "flexible_unapproved" in {flag["code"] for flag in elsewhere["flags"]}


def test_another_office_is_its_workplace_in_flexible_mode(
    org: Any, office: Any
) -> None:
    from backend.attendance.models import Workplace

    dinkes = Workplace.objects.create(
        name="Kantor Dinkes",
        unit=org.dinkes,
        latitude="0.4800",
        longitude="101.4200",
        radius_m=80,
    )
    alice = client_for(org.alice.user)
    request = ask(alice, location_type="other_office", workplace=dinkes.pk).json()
    decide(client_for(org.bob.user), request["id"])
    body = post(alice, payload(latitude=0.4800, longitude=101.4201)).json()
    assert body["status"] == "verified", body["flags"]
    assert body["mode"] == "flexible"
    assert body["workplace"] == {"id": dinkes.pk, "name": "Kantor Dinkes"}


def test_supervisors_list_their_teams_requests(org: Any) -> None:
    ask(client_for(org.alice.user))
    team = client_for(org.bob.user).get(URL, {"scope": "team"}).json()
    assert [item["employee"]["name"] for item in team] == [org.alice.name]
    assert client_for(org.charlie.user).get(URL, {"scope": "team"}).json() == []
    mine = client_for(org.alice.user).get(URL).json()
    assert len(mine) == 1


def test_requests_and_decisions_reach_the_feed_of_the_team(org: Any) -> None:
    from backend.activity.models import ActivityEvent
    from backend.activity.selectors import events_visible_to

    asked = ask(client_for(org.alice.user))
    assert asked.status_code == 201, asked.json()
    decide(client_for(org.bob.user), asked.json()["id"])

    requested, decided = ActivityEvent.objects.filter(
        type__startswith="flex."
    ).order_by("id")
    assert (requested.type, decided.type) == ("flex.requested", "flex.decided")
    assert decided.actor_nip == org.bob.nip
    assert decided.data["status"] == "approved"
    assert decided.data["dates"] == [WED]
    # The team sees both; another team sees neither.
    for viewer in (org.alice.user, org.bob.user, org.dina.user):
        seen = {e.type for e in events_visible_to(viewer, after=0, limit=100).events}
        assert {"flex.requested", "flex.decided"} <= seen
    assert not [
        e
        for e in events_visible_to(org.erik.user, after=0, limit=100).events
        if e.type.startswith("flex.")
    ]
