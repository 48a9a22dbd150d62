"""Screenshots of the employee screens at 360 px, for the README.

With ``PANTAU_SCREENSHOTS=<folder>`` they are written there (the README
shows the ones in docs/screenshots/: commit them), otherwise to a temp
folder, so ``make test`` still walks every screen without touching the tree:

    PANTAU_SCREENSHOTS=docs/screenshots .venv/bin/python -m pytest \
        tests/browser/test_employee_screenshots.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import ROOT, WebServer
from tests.browser.test_employee_pages import agreed_plan

UNIT = "DINKES-B3"


def _folder(tmp_path: Path) -> Path:
    target = os.environ.get("PANTAU_SCREENSHOTS")
    if not target:
        return tmp_path
    folder = Path(target) if Path(target).is_absolute() else ROOT / target
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_employee_screens(
    new_context: Any, login: Any, web_server: WebServer, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    employee = web_server.employees(UNIT)[0]
    agreed_plan(web_server, employee)
    office = web_server.workplace("Dinas Kesehatan")
    context = new_context(
        geolocation={
            "latitude": office["latitude"],
            "longitude": office["longitude"],
            "accuracy": 12,
        }
    )
    page = context.new_page()

    def shot(name: str) -> None:
        page.wait_for_timeout(300)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    page.goto("/masuk/")
    shot("employee-login")

    login(page, employee["username"])
    page.goto("/presensi/")
    expect(page.locator("#pos-acc")).to_have_text(re.compile(r" m$"))
    page.locator("#take-photo:not([disabled])").click()
    page.wait_for_selector("#photo-preview:not([hidden])")
    shot("employee-checkin")

    page.locator("#send:not([disabled])").click()
    page.wait_for_selector("#result-status.verified, #result-status.needs_review")
    page.goto("/")
    page.wait_for_selector("[data-testid=checked-in]")
    shot("employee-home")

    page.goto("/presensi/?kind=out")
    expect(page.locator("#pos-acc")).to_have_text(re.compile(r" m$"))
    page.locator("#take-photo:not([disabled])").click()
    page.wait_for_selector("#photo-preview:not([hidden])")
    context.set_offline(True)
    page.locator("#send:not([disabled])").click()
    page.wait_for_selector("#queue li")
    page.locator("#queue-heading").scroll_into_view_if_needed()
    shot("employee-offline-queue")
    context.set_offline(False)
    expect(page.locator("#queue li")).to_have_count(0)

    page.goto("/laporan/baru/")
    page.select_option("select[name=rhk]", index=1)
    page.fill("textarea[name=description]", "Verifikasi 12 berkas kenaikan pangkat")
    page.fill("input[name=output_quantity]", "12")
    page.fill("input[name=output_unit]", "berkas")
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "10:30")
    shot("employee-report")

    for name in (
        "employee-login",
        "employee-checkin",
        "employee-home",
        "employee-offline-queue",
        "employee-report",
    ):
        assert (folder / f"{name}.png").stat().st_size > 5000
