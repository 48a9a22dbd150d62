"""The web app's pages: who may open what, login rules, CSRF, CSP, and
photos only through the authorized API views."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from backend.accounts.selectors import AUDITOR, web_areas
from backend.accounts.services import consent_accept
from backend.attendance.flags import make_flag
from backend.attendance.models import Workplace
from backend.flexwork.models import FlexRequest
from backend.performance.models import DailyReport
from tests.conftest import PASSWORD
from tests.factories import CheckInFactory, agreed_skp

WIB = dt.timezone(dt.timedelta(hours=7))
# A Wednesday morning in Pekanbaru.
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def browser_for(user: Any, *, consent: bool = True) -> Client:
    """A logged-in browser session (privacy notice accepted unless told)."""
    if consent:
        consent_accept(user=user)
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post("/masuk/", {"username": username, "password": password})


# --- login, privacy notice, landing by role -------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(db: Any) -> None:
    response = Client().get("/presensi/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/?next=%2Fpresensi%2F"


def test_an_employee_logs_in_by_nip_and_accepts_the_notice_first(org: Any) -> None:
    client = Client()
    response = login(client, org.alice.nip)
    assert response.status_code == 302
    assert response["Location"] == "/privasi/"
    # Until accepted, every page leads back to the notice.
    assert client.get("/")["Location"].startswith("/privasi/")
    refused = client.post("/privasi/", {})
    assert refused.status_code == 400
    accepted = client.post("/privasi/", {"accept": "yes"})
    assert accepted["Location"] == "/"
    assert client.get("/").status_code == 200
    assert org.alice.user.privacy_consents.count() == 1


@pytest.mark.parametrize(
    ("who", "start"),
    [("alice", "/"), ("bob", "/atasan/"), ("uma", "/atasan/"), ("audi", "/audit/")],
)
def test_login_lands_each_role_where_its_work_starts(
    org: Any, who: str, start: str
) -> None:
    person = getattr(org, who)
    user = getattr(person, "user", person)
    consent_accept(user=user)
    username = person.nip if hasattr(person, "nip") else user.username
    response = login(Client(), username)
    assert response.status_code == 302
    assert response["Location"] == start


def test_a_wrong_password_is_refused_and_the_account_locks(
    org: Any, settings: Any
) -> None:
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        response = login(client, org.alice.nip, "salah")
        assert response.status_code == 400
    locked = login(client, org.alice.nip)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same rule as the API's token login: one lockout for both.
    api = client.post(
        "/api/v1/auth/token/",
        {"username": org.alice.nip, "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429


def test_login_ignores_a_next_url_on_another_host(org: Any) -> None:
    consent_accept(user=org.alice.user)
    client = Client()
    response = client.post(
        "/masuk/",
        {
            "username": org.alice.nip,
            "password": PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_logout_is_a_post(org: Any) -> None:
    client = browser_for(org.alice.user)
    assert client.get("/keluar/").status_code == 405
    assert client.post("/keluar/")["Location"] == "/masuk/"
    assert client.get("/").status_code == 302


# --- access by role ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/presensi/", "/laporan/", "/laporan/baru/", "/riwayat/", "/kerja-fleksibel/"],
)
def test_employee_pages_open_for_employees_only(org: Any, path: str) -> None:
    assert browser_for(org.alice.user).get(path).status_code == 200
    assert browser_for(org.audi).get(path).status_code == 403


def test_home_sends_accounts_without_an_employee_record_to_their_area(
    org: Any,
) -> None:
    assert browser_for(org.audi).get("/")["Location"] == "/audit/"
    assert browser_for(org.uma).get("/")["Location"] == "/atasan/"


def test_the_nav_shows_links_by_role(org: Any) -> None:
    alice = browser_for(org.alice.user).get("/").content.decode()
    assert 'href="/presensi/"' in alice
    assert 'href="/atasan/"' not in alice
    assert 'href="/audit/"' not in alice
    bob = browser_for(org.bob.user).get("/").content.decode()
    assert 'href="/atasan/"' in bob
    audi = browser_for(org.audi).get("/audit/", follow=False)
    assert audi.status_code in (200, 302)


# --- today, history, photos ------------------------------------------------


@pytest.fixture
def office(org: Any) -> Workplace:
    return Workplace.objects.create(
        name="Kantor BKD", unit=org.bkd, latitude="0.507930", longitude="101.449550"
    )


def test_home_shows_todays_check_in_with_its_flags(org: Any, office: Workplace) -> None:
    CheckInFactory(
        employee=org.alice,
        workplace=office,
        captured_at=dt.datetime(2026, 11, 25, 7, 24, 40, tzinfo=WIB),
        status="needs_review",
        flags=[
            make_flag(
                "geofence_outside", workplace="Kantor BKD", distance=240, accuracy=12
            )
        ],
    )
    page = browser_for(org.alice.user).get("/").content.decode()
    assert "07:24" in page
    assert "Kantor BKD" in page
    assert "240 m" in page


def test_photos_appear_only_through_the_authorized_api_views(
    org: Any, office: Workplace
) -> None:
    checkin = CheckInFactory(employee=org.alice, workplace=office)
    page = browser_for(org.alice.user).get("/riwayat/").content.decode()
    sources = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert sources == [f"/api/v1/checkins/{checkin.pk}/thumbnail/"]
    assert "checkins/x.jpg" not in page
    assert "/media" not in page
    # The same URL through another employee's session is not there at all.
    outsider = browser_for(org.charlie.user).get(sources[0])
    assert outsider.status_code == 404


# --- CSRF and CSP -------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(org: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/masuk/", {"username": org.alice.nip, "password": PASSWORD})
    assert response.status_code == 403
    consent_accept(user=org.alice.user)
    client.force_login(org.alice.user)
    assert client.post("/kerja-fleksibel/baru/", {}).status_code == 403
    api = client.post("/api/v1/checkins/", {})
    assert api.status_code == 403


def test_every_form_carries_the_csrf_token(org: Any) -> None:
    client = browser_for(org.alice.user)
    for path in ["/", "/laporan/baru/", "/kerja-fleksibel/baru/", "/privasi/"]:
        page = client.get(path).content.decode()
        forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", page, re.S)
        assert forms, path
        for form in forms:
            assert 'name="csrfmiddlewaretoken"' in form, (path, form[:80])


def test_pages_have_a_csp_without_inline_scripts(org: Any) -> None:
    client = browser_for(org.alice.user)
    for path in ["/", "/presensi/", "/riwayat/", "/laporan/baru/"]:
        response = client.get(path)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "'unsafe-inline'" not in policy
        assert "ws://testserver" in policy
        page = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"\son[a-z]+=", page), path


def test_the_map_tile_host_is_allowed_for_images(org: Any, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    response = Client().get("/masuk/")
    assert "https://*.tile.example.org" in response["Content-Security-Policy"]


# --- the installable app -------------------------------------------------------


def test_the_service_worker_is_served_from_the_root_scope(db: Any) -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    assert "/presensi/" in response.content.decode()


def test_the_manifest_names_the_app_and_its_icons(db: Any) -> None:
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"].startswith("application/manifest+json")
    body = response.json()
    assert body["start_url"] == "/"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}


# --- flexible work and daily reports through the services ------------------------


def test_an_employee_asks_for_flexible_work(org: Any, office: Workplace) -> None:
    client = browser_for(org.alice.user)
    response = client.post(
        "/kerja-fleksibel/baru/",
        {
            "date_from": "2026-11-26",
            "date_to": "2026-11-26",
            "weekdays_only": "on",
            "location_type": "other_office",
            "workplace": office.pk,
            "reason": "Rapat koordinasi",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    request = FlexRequest.objects.get(employee=org.alice)
    assert [day.date for day in request.days.all()] == [dt.date(2026, 11, 26)]
    assert "Rapat koordinasi" in client.get("/kerja-fleksibel/").content.decode()


def test_a_flexible_work_request_for_a_past_day_names_the_field(org: Any) -> None:
    response = browser_for(org.alice.user).post(
        "/kerja-fleksibel/baru/",
        {
            "date_from": "2026-11-20",
            "date_to": "2026-11-20",
            "location_type": "other",
            "latitude": "0.5",
            "longitude": "101.4",
            "radius_m": "100",
            "address": "Jl. Sudirman",
            "reason": "Kunjungan",
        },
    )
    assert response.status_code == 400
    assert "past days" in response.content.decode()
    assert not FlexRequest.objects.exists()


def test_an_employee_sends_a_daily_report_once_for_a_double_submit(org: Any) -> None:
    skp = agreed_skp(org.alice)
    rhk = skp.rhks.get()
    client = browser_for(org.alice.user)
    form = client.get("/laporan/baru/").content.decode()
    client_uuid = re.search(r'name="client_uuid" value="([^"]+)"', form).group(1)
    data = {
        "client_uuid": client_uuid,
        "date": "2026-11-25",
        "rhk": rhk.pk,
        "description": "Verifikasi berkas mutasi",
        "output_quantity": "4",
        "output_unit": "berkas",
        "start_time": "08:00",
        "end_time": "09:00",
        "work_mode": "office",
        "links": "https://example.org/berkas",
    }
    first = client.post("/laporan/baru/", data)
    assert first.status_code == 302, first.content.decode()[:3000]
    second = client.post("/laporan/baru/", data)
    assert second.status_code == 302
    report = DailyReport.objects.get(employee=org.alice)
    assert report.status == DailyReport.Status.SUBMITTED
    assert report.evidence.get().url == "https://example.org/berkas"
    assert "Verifikasi berkas mutasi" in client.get("/laporan/").content.decode()


def test_a_report_with_an_end_before_its_start_is_refused_with_the_field(
    org: Any,
) -> None:
    rhk = agreed_skp(org.alice).rhks.get()
    response = browser_for(org.alice.user).post(
        "/laporan/baru/",
        {
            "client_uuid": "0b7c2f0e-8f5e-4a86-9f6e-0d3f4b2c1a11",
            "date": "2026-11-25",
            "rhk": rhk.pk,
            "description": "x",
            "output_quantity": "1",
            "output_unit": "berkas",
            "start_time": "10:00",
            "end_time": "09:00",
            "work_mode": "office",
        },
    )
    assert response.status_code == 400
    assert not DailyReport.objects.exists()


def test_evidence_photos_need_their_position(org: Any) -> None:
    rhk = agreed_skp(org.alice).rhks.get()
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    response = browser_for(org.alice.user).post(
        "/laporan/baru/",
        {
            "client_uuid": "0b7c2f0e-8f5e-4a86-9f6e-0d3f4b2c1a12",
            "date": "2026-11-25",
            "rhk": rhk.pk,
            "description": "x",
            "output_quantity": "1",
            "output_unit": "berkas",
            "start_time": "08:00",
            "end_time": "09:00",
            "work_mode": "office",
            "photos": photo,
            "photos_meta": "[]",
        },
    )
    assert response.status_code == 400
    assert "position" in response.content.decode()


def test_an_account_without_any_area_is_told_so(db: Any) -> None:
    from tests.factories import UserFactory

    plain = UserFactory(username="tamu")
    consent_accept(user=plain)
    client = Client()
    response = login(client, "tamu")
    assert response["Location"] == "/tanpa-akses/"
    assert client.get("/tanpa-akses/").status_code == 403
    refused = client.get("/presensi/")
    assert refused.status_code == 403
    assert b"<html" in refused.content


def test_a_unit_admin_has_the_audit_desk_in_the_menu(org: Any) -> None:
    # Unit admins review their unit's flagged check-ins (backend.audit).
    assert AUDITOR in web_areas(org.uma)
