"""Who hears about what: the feed shows exactly what the REST API would let
the socket's user see, for the whole cast."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async

from backend.activity.audience import audience_q, can_see
from backend.activity.models import ActivityEvent
from backend.activity.services import event_record
from backend.attendance.models import Workplace
from backend.organization import services as org_services
from backend.organization.models import RoleAssignment
from backend.organization.visibility import can_view_employee, viewer_for
from realtime.groups import event_groups, user_group, viewer_groups
from realtime.publish import publish_doorbells
from tests.conftest import client_for
from tests.realtime.conftest import apost_checkin, feed, next_event


@pytest.mark.django_db(transaction=True)
async def test_a_checkin_reaches_the_employee_the_supervisors_and_unit_admins(
    org: Any, office: Workplace
) -> None:
    async with (
        feed(org.alice.user) as alice,
        feed(org.bob.user) as bob,
        feed(org.dina.user) as dina,
        feed(org.uma) as uma,
        feed(org.root) as root,
        feed(org.erik.user) as erik,
        feed(org.charlie.user) as charlie,
        feed(org.audi) as audi,
        feed(org.oscar) as oscar,
    ):
        body = await apost_checkin(org.alice)

        for socket in (alice, bob, dina, uma, root):
            message = await next_event(socket)
            assert message["type"] == "checkin.created"
            assert message["data"]["checkin_id"] == body["id"]
            assert message["actor"] == {
                "nip": org.alice.nip,
                "name": "Alice Staf",
                "unit": "Bidang Mutasi",
            }
        # Another team's check-in comes next for erik and charlie: nothing of
        # alice's came before it. Dinas Kesehatan has no workplace, so it is
        # flagged, and the auditor of the instansi hears of that only.
        other = await apost_checkin(org.charlie)
        assert other["status"] == "needs_review"
        for socket in (erik, charlie):
            message = await next_event(socket)
            assert message["data"]["checkin_id"] == other["id"]
        message = await next_event(audi)
        assert (message["type"], message["data"]["checkin_id"]) == (
            "checkin.flagged",
            other["id"],
        )
        for socket in (oscar, alice, bob):
            assert await socket.receive_nothing(0.3)


@pytest.mark.django_db(transaction=True)
async def test_an_employee_receives_only_their_own_events(
    org: Any, office: Workplace
) -> None:
    async with feed(org.alice.user) as alice:
        await apost_checkin(org.bob)  # her supervisor
        await apost_checkin(org.dina)
        own = await apost_checkin(org.alice)
        message = await next_event(alice)
        assert message["data"]["checkin_id"] == own["id"]
        assert await alice.receive_nothing(0.3)


@pytest.mark.django_db(transaction=True)
async def test_auditors_hear_only_of_flagged_checkins_in_their_instansi(
    org: Any, office: Workplace
) -> None:
    async with feed(org.audi) as audi, feed(org.oscar) as oscar:
        await apost_checkin(org.alice)  # clean: not for auditors
        flagged = await apost_checkin(org.alice, outside=True)
        message = await next_event(audi)
        assert message["type"] == "checkin.flagged"
        assert message["data"]["checkin_id"] == flagged["id"]
        codes = {flag["code"] for flag in message["data"]["flags"]}
        assert "geofence_outside" in codes
        assert await audi.receive_nothing(0.3)
        assert await oscar.receive_nothing(0.1)


@pytest.mark.django_db(transaction=True)
async def test_a_supervisor_gets_created_then_flagged_with_rendered_flags(
    org: Any, office: Workplace
) -> None:
    headers = [(b"accept-language", b"en")]
    async with feed(org.bob.user, headers=headers) as bob:
        body = await apost_checkin(org.alice, outside=True)
        created = await next_event(bob)
        flagged = await next_event(bob)
    assert [created["type"], flagged["type"]] == ["checkin.created", "checkin.flagged"]
    assert flagged["id"] > created["id"]
    data = flagged["data"]
    assert data["checkin_id"] == body["id"]
    assert data["status"] == "needs_review"
    assert data["kind"] == "in"
    assert data["position"]["accuracy_m"] == 8.0
    assert data["workplace"]["name"] == "Kantor BKD"
    assert data["thumbnail_url"].endswith(f"/api/v1/checkins/{body['id']}/thumbnail/")
    outside = next(f for f in data["flags"] if f["code"] == "geofence_outside")
    assert outside["severity"] == "warning"
    assert outside["message"].startswith("Position is outside the workplace")


@pytest.mark.django_db
def test_the_audience_rules_match_visibility_for_the_whole_cast(org: Any) -> None:
    """audience_q (replay), can_see (live) and the groups (doorbells) all
    agree with visibility.can_view_employee, the rule of the REST API."""
    employees = [org.alice, org.bob, org.dina, org.charlie, org.erik, org.kampar_staff]
    events = [
        event_record(type="checkin.created", actor=employee, data={}, flagged=flagged)
        for employee in employees
        for flagged in (False, True)
    ]
    users = [e.user for e in employees] + [org.uma, org.audi, org.oscar, org.root]
    for user in users:
        viewer = viewer_for(user)
        allowed = {
            event.pk
            for event in events
            if can_view_employee(user, event.employee, flagged=event.flagged)
        }
        assert allowed, user
        by_query = set(
            ActivityEvent.objects.filter(audience_q(viewer)).values_list(
                "pk", flat=True
            )
        )
        in_memory = {event.pk for event in events if can_see(viewer, event)}
        rung = {
            event.pk
            for event in events
            if set(event_groups(event)) & set(viewer_groups(viewer))
        }
        assert by_query == in_memory == rung == allowed, user
    # Spot checks of the rules themselves.
    alice_flagged = events[1]
    assert can_see(viewer_for(org.audi), alice_flagged)
    assert not can_see(viewer_for(org.audi), events[0])
    assert not can_see(viewer_for(org.oscar), alice_flagged)
    assert not can_see(viewer_for(org.erik.user), events[0])


def test_group_names_are_valid_channel_group_names() -> None:
    from channels.layers import BaseChannelLayer

    from realtime.groups import group_name

    layer = BaseChannelLayer()
    for name in (group_name("employee", 123456789), group_name("all")):
        assert layer.require_valid_group_name(name)


# --- roles and the hierarchy change under an open socket ------------------


@database_sync_to_async
def revoke_unit_admin(user: Any) -> None:
    org_services.role_revoke(
        assignment=RoleAssignment.objects.get(user=user, role="unit_admin")
    )


@database_sync_to_async
def sees_over_rest(user: Any, checkin_id: int) -> bool:
    response = client_for(user).get(f"/api/v1/checkins/{checkin_id}/")
    return bool(response.status_code == 200)


@pytest.mark.django_db(transaction=True)
async def test_a_revoked_unit_admin_stops_receiving_the_units_events(
    org: Any, office: Workplace
) -> None:
    async with feed(org.uma) as uma:
        await revoke_unit_admin(org.uma)
        body = await apost_checkin(org.alice)
        assert not await sees_over_rest(org.uma, body["id"])
        assert await uma.receive_nothing(1.0)


@pytest.mark.django_db(transaction=True)
async def test_a_new_unit_admin_receives_the_units_events_without_reconnecting(
    org: Any, office: Workplace
) -> None:
    async with feed(org.charlie.user) as charlie:
        await database_sync_to_async(org_services.role_assign)(
            user=org.charlie.user, role="unit_admin", unit=org.bkd
        )
        body = await apost_checkin(org.alice)
        assert await sees_over_rest(org.charlie.user, body["id"])
        message = await next_event(charlie)
        assert message["data"]["checkin_id"] == body["id"]


@pytest.mark.django_db(transaction=True)
async def test_a_re_chained_supervisor_still_receives_their_teams_events(
    org: Any, office: Workplace
) -> None:
    async with feed(org.bob.user) as bob, feed(org.dina.user) as dina:
        # Bob (alice's supervisor) now reports to erik: his chain and the
        # chains of everyone below him change.
        await database_sync_to_async(org_services.employee_update)(
            org.bob, supervisor=org.erik
        )
        body = await apost_checkin(org.alice)
        assert await sees_over_rest(org.bob.user, body["id"])
        assert not await sees_over_rest(org.dina.user, body["id"])
        message = await next_event(bob)
        assert message["data"]["checkin_id"] == body["id"]
        assert await dina.receive_nothing(1.0)


@pytest.mark.django_db(transaction=True)
async def test_the_admin_of_a_moved_unit_still_receives_its_events(
    org: Any, office: Workplace
) -> None:
    async with feed(org.uma) as uma:
        # BKD, which uma administers, moves under Dinas Kesehatan.
        await database_sync_to_async(org_services.unit_update)(
            org.bkd, parent=org.dinkes
        )
        body = await apost_checkin(org.alice)
        assert await sees_over_rest(org.uma, body["id"])
        message = await next_event(uma)
        assert message["data"]["checkin_id"] == body["id"]


def test_re_chaining_rings_every_re_chained_users_group_after_commit(
    org: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        org_services.employee_update(org.bob, supervisor=org.erik)
    rung: dict[str, Any] = {}
    for callback in callbacks:
        if getattr(callback, "func", None) is publish_doorbells:
            rung.update(callback.args[0])
    # Bob and alice below him: both supervise (or are) someone new.
    assert rung == {
        user_group(org.bob.user.pk): {"type": "viewer.changed", "id": None},
        user_group(org.alice.user.pk): {"type": "viewer.changed", "id": None},
    }
