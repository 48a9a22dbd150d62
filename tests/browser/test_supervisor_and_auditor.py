"""The supervisor dashboard and the auditor desk in a real browser.

These tests use the demo people of Bidang Pembinaan SMA (unit DISDIK-B1) and
the Inspektorat's auditors, so the employee tests (BKD-B3) leave their
counts alone. Check-ins are made through the phone API with a token, as a
phone would, while the pages are open.

With ``PANTAU_SCREENSHOTS=<folder>`` the tests save desktop screenshots of
the dashboard, the desk and the recap page there (docs/screenshots/ holds
the ones shown in the README).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.api.test_checkins_api import clean_jpeg
from tests.browser.conftest import WebServer

UNIT = "DISDIK-B1"
DESKTOP = {"width": 1280, "height": 900}
LIVE_TIMEOUT_MS = 15_000


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("PANTAU_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def api_checkin(
    server: WebServer,
    account: dict[str, Any],
    *,
    offset: float,
    photo: bytes,
    **extra: Any,
) -> dict[str, Any]:
    """A check-in through the phone API, logged in with a token."""
    place = server.workplace("Pendidikan Provinsi")
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        token = client.post(
            "/api/v1/auth/token/",
            json={"username": account["nip"], "password": server.password},
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Token {token.json()['token']}"}
        response = client.post(
            "/api/v1/checkins/",
            headers=headers,
            data={
                "client_uuid": str(uuid.uuid4()),
                "kind": "in",
                # Each check-in its own coordinates: exactly shared ones are
                # flagged (coordinates_shared).
                "latitude": f"{place['latitude'] + offset:.6f}",
                "longitude": f"{place['longitude'] + offset:.6f}",
                "accuracy_m": "8",
                "captured_at": dt.datetime.now(dt.UTC).isoformat(),
                **extra,
            },
            files={"photo": ("photo.jpg", photo, "image/jpeg")},
        )
        assert response.status_code == 201, response.text
        client.post("/api/v1/auth/logout/", headers=headers)
        return dict(response.json())


def _account(server: WebServer, role: str, unit: str) -> dict[str, Any]:
    return next(
        account
        for account in server.accounts
        if account["role"] == role and account["unit"] == unit
    )


def _count(page: Any, key: str) -> int:
    return int(page.text_content(f'[data-count="{key}"]'))


def _wait_count(page: Any, key: str, expected: int) -> None:
    expect(page.locator(f'[data-count="{key}"]')).to_have_text(
        str(expected), timeout=LIVE_TIMEOUT_MS
    )


def _open_dashboard(
    new_context: Callable[..., Any], login: Callable[..., None], username: str
) -> Any:
    page = new_context(viewport=DESKTOP).new_page()
    login(page, username)
    page.goto("/atasan/")
    page.wait_for_selector('#feed-state[data-state="live"]', timeout=LIVE_TIMEOUT_MS)
    return page


def test_the_dashboard_shows_a_new_check_in_live_and_draws_the_geofence(
    web_server: WebServer, new_context: Callable[..., Any], login: Callable[..., None]
) -> None:
    supervisor = _account(web_server, "supervisor", UNIT)
    staff = web_server.employees(UNIT)[0]
    page = _open_dashboard(new_context, login, supervisor["username"])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The map draws the workplace geofence (a Leaflet circle path) without
    # any tile server.
    assert page.locator("#team-map path.geofence").count() >= 1
    assert page.locator("#team-map.map-blank").count() == 1
    present = _count(page, "present")
    markers = page.locator("#team-map path.checkin-marker").count()

    created = api_checkin(
        web_server,
        staff,
        offset=0.00011,
        photo=clean_jpeg("orientation_portrait_6.jpg"),
    )

    page.wait_for_selector(
        f'#checkin-list tr[data-checkin="{created["id"]}"]', timeout=LIVE_TIMEOUT_MS
    )
    assert staff["name"] in page.text_content("#feed")
    _wait_count(page, "present", present + 1)
    assert page.locator("#team-map path.checkin-marker").count() == markers + 1
    assert errors == []
    _shot(page, "supervisor-dashboard.png")


def test_an_auditor_rejects_a_flagged_check_in_and_the_counts_change(
    web_server: WebServer, new_context: Callable[..., Any], login: Callable[..., None]
) -> None:
    supervisor = _account(web_server, "supervisor", UNIT)
    staff = web_server.employees(UNIT)[1]
    auditor = web_server.account("auditor")
    dashboard = _open_dashboard(new_context, login, supervisor["username"])
    flagged_before = _count(dashboard, "flagged")
    present_before = _count(dashboard, "present")

    created = api_checkin(
        web_server,
        staff,
        offset=-0.00013,
        photo=clean_jpeg("mobile_HMD_Nokia_8.3_5G_1280.jpg"),
        is_mock="true",
    )
    assert created["status"] == "needs_review"
    _wait_count(dashboard, "flagged", flagged_before + 1)
    _wait_count(dashboard, "present", present_before + 1)

    desk = new_context(viewport=DESKTOP).new_page()
    login(desk, auditor["username"])
    desk.goto("/audit/?flag=mock_location")
    item = desk.locator(f"#case-{created['id']}")
    item.wait_for()
    # The map beside the queue shows the workplace and the reported position.
    item.click()
    desk.wait_for_selector("#audit-map path.geofence")
    assert desk.locator("#audit-map path.reported-marker").count() == 1
    _shot(desk, "auditor-desk.png")

    # Keyboard: r asks for the note first, Ctrl+Enter rejects with it.
    item.focus()
    desk.keyboard.press("r")
    note = desk.locator(f"#note-{created['id']}")
    assert note.evaluate("node => node === document.activeElement")
    note.type("Lokasi palsu (aplikasi fake GPS)")
    desk.keyboard.press("Control+Enter")
    desk.wait_for_selector(f"#case-{created['id']}.decided")
    assert re.search(
        "rejected|ditolak",
        desk.text_content(f"#case-{created['id']} [data-status-badge]") or "",
        re.I,
    )

    # The supervisor's open page follows: the check-in no longer counts.
    _wait_count(dashboard, "flagged", flagged_before)
    _wait_count(dashboard, "present", present_before)
    dashboard.wait_for_selector(
        f'#checkin-list tr[data-checkin="{created["id"]}"].status-rejected',
        timeout=LIVE_TIMEOUT_MS,
    )


def test_the_audit_desk_moves_through_the_queue_with_the_keyboard(
    web_server: WebServer, new_context: Callable[..., Any], login: Callable[..., None]
) -> None:
    staff = web_server.employees(UNIT)[2:4]
    created = [
        api_checkin(
            web_server,
            person,
            offset=0.0002 * (number + 1),
            photo=clean_jpeg(shade=40 + 60 * number),
            is_mock="true",
        )
        for number, person in enumerate(staff)
    ]
    desk = new_context(viewport=DESKTOP).new_page()
    login(desk, web_server.account("auditor")["username"])
    desk.goto("/audit/?flag=mock_location")
    first = desk.get_attribute("#audit-desk", "data-current")
    assert first
    desk.keyboard.press("j")
    second = desk.get_attribute("#audit-desk", "data-current")
    assert second != first
    desk.keyboard.press("k")
    assert desk.get_attribute("#audit-desk", "data-current") == first
    # Accept the current one: focus moves on to the next open item.
    desk.keyboard.press("a")
    desk.wait_for_selector(f"#case-{first}.decided")
    expect(desk.locator("#audit-desk")).not_to_have_attribute("data-current", first)
    focused = desk.evaluate("document.activeElement.id")
    assert focused == f"case-{desk.get_attribute('#audit-desk', 'data-current')}"
    assert {c["id"] for c in created} & {
        int(pk)
        for pk in desk.eval_on_selector_all(
            ".audit-item", "items => items.map(i => i.dataset.checkin)"
        )
    }


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_unit_admin_downloads_the_recap(
    web_server: WebServer,
    new_context: Callable[..., Any],
    login: Callable[..., None],
    fmt: str,
) -> None:
    admin = web_server.account("unit_admin")
    page = new_context(viewport=DESKTOP, accept_downloads=True).new_page()
    login(page, admin["username"])
    page.goto("/audit/rekap/")
    page.select_option("#id_unit", label="Dinas Kesehatan (DINKES)")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector(".recap-table tbody tr")
    if fmt == "csv":
        _shot(page, "recap.png")
    with page.expect_download() as info:
        page.click(f'a[href*="file_format={fmt}"]')
    download = info.value
    assert download.suggested_filename.endswith(f".{fmt}")
    content = Path(download.path()).read_bytes()
    if fmt == "csv":
        assert content.decode().startswith("period,")
    else:
        assert content[:2] == b"PK"


def test_the_desks_fit_a_phone_screen(
    web_server: WebServer, new_context: Callable[..., Any], login: Callable[..., None]
) -> None:
    pages = {
        _account(web_server, "supervisor", UNIT)["username"]: "/atasan/",
        web_server.account("auditor")["username"]: "/audit/",
        web_server.account("unit_admin")["username"]: "/audit/rekap/",
    }
    for username, path in pages.items():
        page = new_context().new_page()  # 360 px wide
        login(page, username)
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
