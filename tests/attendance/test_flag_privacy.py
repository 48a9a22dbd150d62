"""Flags that name another employee (a reused photo, a shared device, shared
coordinates) name them to supervisors and auditors only: the employee whose
check-in carries the flag reads an anonymous message, in the API, the web app
and on the live feed."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.utils import translation

from backend.accounts.services import consent_accept
from backend.attendance.flags import KINDS, make_flag, render_flags
from backend.attendance.models import CheckIn, Workplace
from tests.api.test_checkins_api import clean_jpeg, payload, post
from tests.conftest import client_for
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
            "photo_reused", checkin_id=7, who="Alice (1990)", when="2026-11-25 07:00"
        ),
        make_flag("device_shared", count=1, names="Alice (1990)"),
        make_flag("accuracy_poor", accuracy=90, limit=50),
    ]
    with translation.override("en"):
        for_others = render_flags(flags)
        for_subject = render_flags(flags, for_subject=True)
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
