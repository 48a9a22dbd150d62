"""Flags that name another employee (a reused photo, a shared device, shared
coordinates) name them only to readers who may see every employee named:
the employee whose check-in carries the flag, and a supervisor, unit admin
or auditor who may not see one of the named, read an anonymous message, in
the API, the web app and on the live feed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from backend.accounts.services import consent_accept
from backend.activity.models import ActivityEvent
from backend.attendance.flags import KINDS, Names, make_flag, render_flags
from backend.attendance.models import CheckIn, Workplace
from backend.organization import services as organization_services
from backend.organization.visibility import nameable_employees
from realtime.messages import event_message
from tests.api.test_checkins_api import clean_jpeg, payload, post
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.realtime.conftest import (  # noqa: F401 - autouse fixtures
    _fresh_channel_layer,
    _frozen,
    feed,
    next_event,
)

NAMING = {"photo_reused", "coordinates_shared", "device_shared"}
SPOT = {"latitude": 0.5079312, "longitude": 101.4495531}


def _copy_alice(org: Any) -> dict[str, Any]:
    """Alice checks in; then bob with her photo, her phone and her exact
    coordinates. Bob's 201 body."""
    photo = clean_jpeg()
    first = post(
        client_for(org.alice.user),
        payload(photo_bytes=photo, device_id="shared-phone", **SPOT),
    )
    assert first.status_code == 201, first.json()
    response = post(
        client_for(org.bob.user),
        payload(photo_bytes=photo, device_id="shared-phone", **SPOT),
    )
    assert response.status_code == 201, response.json()
    body: dict[str, Any] = response.json()
    assert {flag["code"] for flag in body["flags"]} >= NAMING
    return body


def _anonymous_photo_message() -> str:
    """The subject's text of ``photo_reused`` as pages and the API show it
    by default (Indonesian)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(KINDS["photo_reused"].subject_message)


def _names_alice(text: str, org: Any) -> bool:
    return org.alice.nip in text or org.alice.name in text


def _web(user: Any) -> Client:
    consent_accept(user=user)
    client = Client()
    client.force_login(user)
    return client


def test_every_flag_that_names_someone_has_an_anonymous_message() -> None:
    for code in ("photo_reused", "photo_near_duplicate", *NAMING):
        kind = KINDS[code]
        assert kind.subject_message is not None, code
        assert "%(who)s" not in str(kind.subject_message)
        assert "%(names)s" not in str(kind.subject_message)
    flags = [
        make_flag(
            "photo_reused",
            checkin_id=7,
            who="Alice (1990)",
            when="2026-11-25 07:00",
            employee_ids=[3],
        ),
        make_flag("device_shared", count=1, names="Alice (1990)", employee_ids=[3]),
        make_flag("accuracy_poor", accuracy=90, limit=50),
    ]
    with translation.override("en"):
        for_others = render_flags(flags, names=Names(ids=frozenset({3})))
        for_subject = render_flags(
            flags, for_subject=True, names=Names(ids=frozenset({3}))
        )
    assert "Alice (1990)" in for_others[0]["message"]
    assert "Alice (1990)" in for_others[1]["message"]
    assert all("Alice" not in flag["message"] for flag in for_subject)
    assert for_subject[0]["message"] == (
        "The photo is identical to one used in an earlier check-in."
    )
    assert for_subject[1]["message"] == (
        "This device was also used by 1 other employee(s) recently."
    )
    # Flags that name nobody read the same for everyone.
    assert for_subject[2] == for_others[2]
    assert [f["code"] for f in for_subject] == [f["code"] for f in for_others]


def test_the_employee_never_reads_who_else_matched_in_the_api(
    org: Any, office: Workplace
) -> None:
    body = _copy_alice(org)
    assert not _names_alice(str(body), org)
    bob = client_for(org.bob.user)
    listed = bob.get("/api/v1/checkins/")
    assert listed.status_code == 200
    assert not _names_alice(listed.content.decode(), org)
    detail = bob.get(f"/api/v1/checkins/{body['id']}/")
    assert detail.status_code == 200
    assert not _names_alice(detail.content.decode(), org)
    messages = [flag["message"] for flag in detail.json()["flags"]]
    assert _anonymous_photo_message() in messages


def test_supervisors_and_auditors_read_who_else_matched(
    org: Any, office: Workplace
) -> None:
    body = _copy_alice(org)
    # Dina is bob's supervisor.
    detail = client_for(org.dina.user).get(f"/api/v1/checkins/{body['id']}/")
    assert detail.status_code == 200
    messages = {flag["code"]: flag["message"] for flag in detail.json()["flags"]}
    for code in NAMING:
        assert org.alice.name in messages[code], code
    assert org.alice.nip in messages["photo_reused"]
    queue = client_for(org.audi).get("/api/v1/audit/checkins/")
    assert queue.status_code == 200
    assert org.alice.nip in queue.content.decode()
    desk = _web(org.audi).get("/audit/")
    assert desk.status_code == 200
    assert org.alice.nip in desk.content.decode()


def test_the_employee_never_reads_who_else_matched_in_the_web_app(
    org: Any, office: Workplace
) -> None:
    _copy_alice(org)
    bob = _web(org.bob.user)
    for url in ("/", "/riwayat/"):
        response = bob.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _anonymous_photo_message() in html
        assert not _names_alice(html, org), url


@database_sync_to_async
def _acopy_alice(org: Any) -> dict[str, Any]:
    return _copy_alice(org)


async def _events_of(socket: Any, checkin_id: int) -> list[dict[str, Any]]:
    """The created and flagged events of ``checkin_id``."""
    received: list[dict[str, Any]] = []
    while len(received) < 2:
        message = await next_event(socket)
        if message["data"].get("checkin_id") == checkin_id:
            received.append(message)
    return received


@pytest.mark.django_db(transaction=True)
async def test_the_feed_hides_who_else_matched_from_the_employee_only(
    org: Any, office: Workplace
) -> None:
    async with (
        feed(org.bob.user) as bob,
        feed(org.dina.user) as dina,
    ):
        body = await _acopy_alice(org)
        for message in await _events_of(bob, body["id"]):
            assert message["data"]["flags"], message
            assert not _names_alice(str(message), org), message
        for message in await _events_of(dina, body["id"]):
            flags = {f["code"]: f["message"] for f in message["data"]["flags"]}
            assert org.alice.nip in flags["photo_reused"], message
    assert await database_sync_to_async(CheckIn.objects.count)() == 2


def test_a_flag_names_only_whom_the_reader_may_see_every_one_of() -> None:
    both = make_flag(
        "coordinates_shared", count=2, names="Alice, Bob", employee_ids=[3, 4]
    )
    stored_before_ids = make_flag("device_shared", count=1, names="Alice")

    def message(flag: dict[str, Any], names: Names | None) -> str:
        with translation.override("en"):
            return render_flags([flag], names=names)[0]["message"]

    assert "Alice, Bob" in message(both, Names(ids=frozenset({3, 4, 9})))
    for reader in (Names(ids=frozenset({3})), Names(), None):
        assert "Alice" not in message(both, reader)
        assert "2 other employee(s)" in message(both, reader)
    # Without ids no one can tell whom it names: only a superuser is told.
    assert "Alice" not in message(stored_before_ids, Names(ids=frozenset({3})))
    assert "Alice" in message(stored_before_ids, Names(everyone=True))


def test_names_are_told_to_whoever_may_see_the_flagged_records(org: Any) -> None:
    cast = [org.alice.pk, org.charlie.pk, org.kampar_staff.pk]
    assert nameable_employees(org.bob.user, cast) == {org.alice.pk}
    assert nameable_employees(org.erik.user, cast) == {org.charlie.pk}
    assert nameable_employees(org.uma, cast) == {org.alice.pk}
    # Flags are on flagged records: an auditor is told their instansi's.
    assert nameable_employees(org.audi, cast) == {org.alice.pk, org.charlie.pk}
    assert nameable_employees(org.oscar, cast) == {org.kampar_staff.pk}
    assert nameable_employees(org.root, cast) == set(cast)


def _reuse_alice_photo(org: Any, employee: Any) -> int:
    """Alice checks in; then ``employee`` with her photo, her phone and her
    exact coordinates. The id of ``employee``'s check-in."""
    photo = clean_jpeg()
    first = post(
        client_for(org.alice.user),
        payload(photo_bytes=photo, device_id="shared-phone", **SPOT),
    )
    assert first.status_code == 201, first.json()
    response = post(
        client_for(employee.user),
        payload(photo_bytes=photo, device_id="shared-phone", **SPOT),
    )
    assert response.status_code == 201, response.json()
    assert {flag["code"] for flag in response.json()["flags"]} >= NAMING
    return int(response.json()["id"])


def _flag_messages(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.content
    return {flag["code"]: flag["message"] for flag in response.json()["flags"]}


def test_an_auditor_of_another_instansi_is_not_told_the_names(
    org: Any, office: Workplace
) -> None:
    _reuse_alice_photo(org, org.kampar_staff)
    assert client_for(org.oscar).get("/api/v1/checkins/1/").status_code == 404
    queue = client_for(org.oscar).get("/api/v1/audit/checkins/")
    assert queue.status_code == 200
    flags = [flag for item in queue.json()["results"] for flag in item["flags"]]
    assert {flag["code"] for flag in flags} >= NAMING
    assert not _names_alice(str(flags), org), flags
    assert _anonymous_photo_message() in [flag["message"] for flag in flags]
    desk = _web(org.oscar).get("/audit/")
    assert desk.status_code == 200
    assert not _names_alice(desk.content.decode(), org)
    # A superuser sees everyone, so is told.
    everyone = client_for(org.root).get("/api/v1/audit/checkins/")
    assert org.alice.nip in everyone.content.decode()


def test_a_unit_admin_of_another_unit_is_not_told_the_names(
    org: Any, office: Workplace
) -> None:
    checkin_id = _reuse_alice_photo(org, org.charlie)
    dinkes_admin = UserFactory(username="ana")
    organization_services.role_assign(
        user=dinkes_admin, role="unit_admin", unit=org.dinkes
    )
    messages = _flag_messages(
        client_for(dinkes_admin).get(f"/api/v1/checkins/{checkin_id}/")
    )
    assert not _names_alice(str(messages), org), messages
    assert messages["photo_reused"] == _anonymous_photo_message()


def test_a_supervisor_is_told_only_the_names_of_their_own_people(
    org: Any, office: Workplace
) -> None:
    checkin_id = _reuse_alice_photo(org, org.charlie)
    # Erik supervises charlie, not alice.
    messages = _flag_messages(
        client_for(org.erik.user).get(f"/api/v1/checkins/{checkin_id}/")
    )
    assert not _names_alice(str(messages), org), messages
    # The auditor of their instansi may see both, so is told.
    messages = _flag_messages(
        client_for(org.audi).get(f"/api/v1/checkins/{checkin_id}/")
    )
    for code in NAMING:
        assert org.alice.name in messages[code], code
    assert org.alice.nip in messages["photo_reused"]


@database_sync_to_async
def _areuse_alice_photo(org: Any, employee: Any) -> int:
    return _reuse_alice_photo(org, employee)


@pytest.mark.django_db(transaction=True)
async def test_the_feed_names_someone_only_to_who_may_see_them(
    org: Any, office: Workplace
) -> None:
    async with (
        feed(org.erik.user) as erik,
        feed(org.audi) as audi,
        feed(org.root) as root,
    ):
        checkin_id = await _areuse_alice_photo(org, org.charlie)
        for message in await _events_of(erik, checkin_id):
            assert message["data"]["flags"], message
            assert not _names_alice(str(message), org), message
        for socket in (audi, root):
            received = await next_event(socket)
            while received["data"].get("checkin_id") != checkin_id:
                received = await next_event(socket)
            flags = {f["code"]: f["message"] for f in received["data"]["flags"]}
            assert org.alice.nip in flags["photo_reused"], received


def test_an_event_sent_as_stored_keeps_names_only_for_who_may_read_them() -> None:
    flags = [
        make_flag("device_shared", count=1, names="Alice Staf", employee_ids=[3]),
        make_flag("accuracy_poor", accuracy=90, limit=50),
    ]
    event = ActivityEvent(
        pk=1, type="checkin.flagged", at=timezone.now(), data={"flags": flags}
    )
    for names in (Names(ids=frozenset({4})), None):
        sent = event_message(event, raw=True, names=names)["data"]["flags"]
        assert "Alice" not in str(sent)
        assert sent[1] == flags[1]
    told = event_message(event, raw=True, names=Names(ids=frozenset({3})))
    assert told["data"]["flags"] == flags
