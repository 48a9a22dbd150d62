"""An employee checks in from the phone's browser: position, live camera,
the API's answer, and the offline queue."""

from __future__ import annotations

import io
import re
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import WebServer

# The employee tests keep to one unit; other modules use other people.
UNIT = "BKD-B3"


def _employees(server: WebServer) -> list[dict[str, Any]]:
    return server.employees(UNIT)


def _take_photo_and_send(page: Any) -> None:
    expect(page.locator("#pos-acc")).to_have_text(re.compile(r" m$"))
    page.locator("#take-photo:not([disabled])").click()
    page.wait_for_selector("#photo-preview:not([hidden])")
    page.locator("#send:not([disabled])").click()


def test_employee_checks_in_with_position_and_camera_photo(
    new_context: Any, login: Any, web_server: WebServer
) -> None:
    employee = _employees(web_server)[0]
    page = new_context().new_page()
    login(page, employee["username"])
    assert page.url.rstrip("/") == web_server.base_url

    page.goto("/presensi/")
    expect(page.locator("#pos-acc")).to_have_text(re.compile(r" m$"))
    assert page.locator("#pos-acc").inner_text() == "± 8 m"
    assert page.locator("#pos-warning").is_hidden()

    _take_photo_and_send(page)
    result = page.locator("#result")
    result.wait_for(state="visible")
    page.wait_for_selector("#result-status.verified, #result-status.needs_review")
    assert (
        web_server.workplaces[0]["name"]
        in page.locator("#result-workplace").inner_text()
    )
    assert page.locator("#queue li").count() == 0

    # The check-in is stored, and its photo came from the camera shrunk to
    # at most 1280 px; the photo is fetched through the authorized view.
    listing = page.request.get("/api/v1/checkins/").json()
    stored = listing["results"][0]
    assert stored["kind"] == "in"
    assert abs(stored["latitude"] - web_server.workplaces[0]["latitude"]) < 1e-5
    photo = page.request.get(stored["photo_url"])
    assert photo.ok
    with Image.open(io.BytesIO(photo.body())) as image:
        assert max(image.size) == 1280

    page.goto("/")
    assert page.locator("[data-testid=checked-in]").count() == 1


def test_poor_accuracy_is_warned(
    new_context: Any, login: Any, web_server: WebServer
) -> None:
    place = web_server.workplaces[0]
    context = new_context(
        geolocation={
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "accuracy": 450,
        }
    )
    page = context.new_page()
    login(page, _employees(web_server)[1]["username"])
    page.goto("/presensi/")
    page.wait_for_selector("#pos-warning:not([hidden])")
    assert page.locator("#pos-acc").inner_text() == "± 450 m"


def test_offline_checkin_is_queued_and_sent_when_back_online(
    new_context: Any, login: Any, web_server: WebServer
) -> None:
    employee = _employees(web_server)[2]
    context = new_context()
    page = context.new_page()
    login(page, employee["username"])
    page.goto("/presensi/")
    before = page.request.get("/api/v1/checkins/").json()["results"]

    context.set_offline(True)
    _take_photo_and_send(page)
    page.wait_for_selector("#result-status.queued")
    queued = page.locator("#queue li")
    queued.first.wait_for()
    assert queued.count() == 1
    assert queued.first.get_attribute("data-state") == "waiting"

    context.set_offline(False)
    page.wait_for_selector("#result-status.verified, #result-status.needs_review")
    expect(page.locator("#queue li")).to_have_count(0)
    after = page.request.get("/api/v1/checkins/").json()["results"]
    assert len(after) == len(before) + 1


def test_the_check_in_page_opens_without_a_connection(
    new_context: Any, login: Any, web_server: WebServer
) -> None:
    context = new_context()
    page = context.new_page()
    login(page, _employees(web_server)[1]["username"])
    page.goto("/presensi/")
    # The service worker takes over the page once installed.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("#send")).to_be_visible()
    context.set_offline(True)
    page.goto("/presensi/")
    expect(page.locator("#take-photo")).to_be_visible()
    page.goto("/riwayat/")
    # A page that is not kept: the offline page instead.
    expect(page.locator("[data-testid=offline]")).to_be_visible()
    context.set_offline(False)
