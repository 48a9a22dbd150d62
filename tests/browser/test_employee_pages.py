"""The employee's other pages in a real browser: the daily report with
evidence, history, flexible work, the language switch, and the basics of
login, CSP and CSRF on the running server."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import WebServer

UNIT = "BKD-B3"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def api(server: WebServer, method: str, path: str, token: str | None, body: Any) -> Any:
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(  # noqa: S310 - a loopback http:// URL
        server.base_url + path,
        data=json.dumps(body).encode(),
        headers=headers,
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise AssertionError(
            f"{method} {path}: {error.code} {error.read()!r}"
        ) from None


def token_for(server: WebServer, username: str) -> str:
    body = {"username": username, "password": server.password}
    return str(api(server, "POST", "/api/v1/auth/token/", None, body)["token"])


def agreed_plan(server: WebServer, employee: dict[str, Any]) -> None:
    """An SKP for this year, drafted by ``employee`` and agreed by the
    supervisor, through the API as the phone app does it (the demo seeds
    one for every employee below the kepala OPD: then that one is used)."""
    mine = token_for(server, employee["username"])
    try:
        current = api(server, "GET", "/api/v1/plans/current/", mine, None)
    except AssertionError:  # 404: none yet
        current = None
    if current is not None and current["status"] == "agreed":
        return
    year = dt.datetime.now(dt.UTC).year
    skp = api(
        server,
        "POST",
        "/api/v1/plans/",
        mine,
        {
            "year": year,
            "rhks": [
                {
                    "text": "Layanan administrasi kepegawaian tepat waktu",
                    "indicators": [
                        {
                            "aspect": "kuantitas",
                            "text": "Berkas selesai",
                            "target": 200,
                            "unit": "berkas",
                        }
                    ],
                    "action_plans": [
                        {"month": m, "text": "Verifikasi berkas"} for m in range(1, 13)
                    ],
                }
            ],
        },
    )
    api(server, "POST", f"/api/v1/plans/{skp['id']}/submit/", mine, {})
    rater = token_for(server, employee["supervisor"])
    api(
        server,
        "POST",
        f"/api/v1/plans/{skp['id']}/review/",
        rater,
        {"decision": "agree"},
    )


def test_an_employee_sends_a_daily_report_with_evidence(
    new_context: Any, login: Any, web_server: WebServer, tmp_path: Any
) -> None:
    employee = web_server.employees(UNIT)[3]
    agreed_plan(web_server, employee)
    page = new_context().new_page()
    login(page, employee["username"])
    page.goto("/laporan/baru/")
    page.select_option("select[name=rhk]", index=1)
    page.fill("textarea[name=description]", "Verifikasi 12 berkas kenaikan pangkat")
    page.fill("input[name=output_quantity]", "12")
    page.fill("input[name=output_unit]", "berkas")
    page.fill("input[name=start_time]", "08:00")
    page.fill("input[name=end_time]", "10:30")
    document = tmp_path / "nota-dinas.pdf"
    document.write_bytes(PDF)
    page.set_input_files("input[name=documents]", str(document))
    page.fill("textarea[name=links]", "https://example.org/berkas/12")
    page.click("#report-form button[type=submit]")
    page.wait_for_url("**/laporan/")
    listing = page.locator("main").inner_text()
    assert "Verifikasi 12 berkas kenaikan pangkat" in listing
    assert "2" in listing  # two evidence items: the PDF and the link


def test_history_and_flexible_work_pages_open(
    new_context: Any, login: Any, web_server: WebServer
) -> None:
    employee = web_server.employees(UNIT)[4]
    page = new_context().new_page()
    login(page, employee["username"])
    page.goto("/riwayat/")
    assert page.locator("table.table tbody tr").count() == 31
    page.goto("/kerja-fleksibel/baru/")
    page.check("input[name=location_type][value=other]")
    assert page.locator("[data-for=other]").is_visible()
    assert page.locator("[data-for=other_office]").is_hidden()
    page.click("#use-position")
    expect(page.locator("input[name=latitude]")).not_to_have_value("")
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).date()
    tomorrow = today + dt.timedelta(days=1)
    while tomorrow.weekday() >= 5:
        tomorrow += dt.timedelta(days=1)
    page.fill("input[name=date_from]", tomorrow.isoformat())
    page.fill("input[name=date_to]", tomorrow.isoformat())
    page.fill("input[name=address]", "Jl. Jend. Sudirman, Pekanbaru")
    page.fill("textarea[name=reason]", "Pendampingan verifikasi lapangan")
    page.click("#flex-form button[type=submit]")
    page.wait_for_url("**/kerja-fleksibel/")
    assert "Pendampingan verifikasi lapangan" in page.content()


def test_the_language_switch_changes_the_page_language(
    page: Any, web_server: WebServer
) -> None:
    page.goto("/masuk/")
    assert page.get_attribute("html", "lang") == "id"
    page.click("form.lang button[value=en]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("h1").inner_text() == "Log in to Pantau"


def test_pages_carry_a_csp_and_run_no_inline_script(
    page: Any, login: Any, web_server: WebServer
) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    response = page.goto("/masuk/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert f"ws://127.0.0.1:{web_server.port}" in policy
    login(page, web_server.employees(UNIT)[4]["username"])
    for path in ["/", "/presensi/", "/riwayat/", "/laporan/baru/", "/kerja-fleksibel/"]:
        page.goto(path)
        inline = page.evaluate(
            "Array.from(document.scripts).filter(s => !s.src).length"
        )
        assert inline == 0, path
    # An injected inline script is blocked by the policy.
    page.goto("/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.injected === undefined")
    assert violations


def test_a_post_without_the_csrf_token_is_refused(web_server: WebServer) -> None:
    employee = web_server.employees(UNIT)[4]
    request = urllib.request.Request(  # noqa: S310 - a loopback http:// URL
        web_server.base_url + "/masuk/",
        data=f"username={employee['username']}&password={web_server.password}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310
        status = 200
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 403
