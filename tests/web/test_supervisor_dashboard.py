"""The supervisor dashboard: who may open it, what each viewer sees, the
map's data, the queues' inline decisions with CSRF, and bounded queries."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from backend.attendance.team_map import team_checkins, team_geofences
from backend.flexwork.models import FlexRequest
from backend.performance.models import DailyReport
from tests.factories import EmployeeFactory
from tests.web.desk_cast import NOW, TODAY, browser_for, build_day, checkin

DASHBOARD = "/atasan/"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def day(org: Any) -> SimpleNamespace:
    return build_day(org)


def map_data(response: Any) -> dict[str, Any]:
    match = re.search(
        r'<script id="team-map-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page carries its map data"
    return json.loads(match.group(1))


def counts(response: Any) -> dict[str, int]:
    return {
        key: int(value)
        for key, value in re.findall(
            r'data-count="(\w+)">(\d+)<', response.content.decode()
        )
    }


def test_an_anonymous_visitor_is_sent_to_the_login(db: Any) -> None:
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")


def test_an_employee_without_a_team_is_refused(org: Any, day: Any) -> None:
    assert browser_for(org.alice.user).get(DASHBOARD).status_code == 403
    assert browser_for(org.audi).get(DASHBOARD).status_code == 403


def test_a_supervisor_sees_only_their_team(org: Any, day: Any) -> None:
    response = browser_for(org.bob.user).get(DASHBOARD)
    assert response.status_code == 200
    assert 'href="/audit/"' not in response.content.decode()
    data = map_data(response)
    shown = {point["checkin_id"] for point in data["checkins"]}
    assert shown == {day.alice_in.pk, day.alice_flagged.pk, day.bob_late.pk}
    assert [fence["name"] for fence in data["geofences"]] == ["Kantor BKD"]
    assert "Charlie" not in response.content.decode()
    # Bob and Alice: both in (Bob after 07:30), Alice flagged; Dina above
    # him is not his to see.
    assert counts(response) == {
        "present": 2,
        "late": 1,
        "absent": 0,
        "flexible": 0,
        "flagged": 1,
        "total": 2,
    }


def test_a_unit_admin_sees_their_unit_and_nothing_else(org: Any, day: Any) -> None:
    response = browser_for(org.uma).get(DASHBOARD)
    assert response.status_code == 200
    data = map_data(response)
    assert {point["name"] for point in data["checkins"]} == {"Alice Staf", "Bob Kabid"}
    assert counts(response)["total"] == 3  # Dina, Bob, Alice
    assert counts(response)["absent"] == 1  # Dina
    # A unit admin is no rater: no reports to review, and flexible work is
    # decided by the supervisors.
    assert f'data-report="{day.report.pk}"' not in response.content.decode()
    assert f'data-flex="{day.flex.pk}"' not in response.content.decode()
    # Unit admins audit and export: the dashboard links their desks.
    assert 'href="/audit/"' in response.content.decode()
    assert 'href="/audit/rekap/"' in response.content.decode()


def test_the_map_draws_circles_and_polygons_of_the_team(org: Any, day: Any) -> None:
    data = map_data(browser_for(org.erik.user).get(DASHBOARD))
    (fence,) = data["geofences"]
    assert fence["name"] == "Kantor Dinkes"
    assert len(fence["polygon"]) == 3
    (point,) = data["checkins"]
    assert point["status"] == "needs_review"
    assert point["flags"][0]["code"] == "accuracy_poor"
    assert data["tile_url"] == ""


def test_the_tile_server_is_a_setting(org: Any, day: Any, settings: Any) -> None:
    settings.MAP_TILE_URL = "https://tiles.example.id/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© OpenStreetMap"
    response = browser_for(org.bob.user).get(DASHBOARD)
    assert map_data(response)["tile_url"] == settings.MAP_TILE_URL
    assert "https://tiles.example.id" in response["Content-Security-Policy"]


def test_the_page_has_no_inline_script(org: Any, day: Any) -> None:
    html = browser_for(org.bob.user).get(DASHBOARD).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_queues_list_what_the_supervisor_decides(org: Any, day: Any) -> None:
    html = browser_for(org.bob.user).get(DASHBOARD).content.decode()
    assert f'data-report="{day.report.pk}"' in html
    assert f'data-flex="{day.flex.pk}"' in html
    # Dina is above Bob: she may decide Alice's flexible work, not review
    # her report (she is not her rater).
    html = browser_for(org.dina.user).get(DASHBOARD).content.decode()
    assert f'data-flex="{day.flex.pk}"' in html
    assert f'data-report="{day.report.pk}"' not in html


def _csrf(client: Client) -> str:
    client.get(DASHBOARD)
    return str(client.cookies["csrftoken"].value)


def test_deciding_needs_the_csrf_token(org: Any, day: Any) -> None:
    bob = browser_for(org.bob.user, csrf=True)
    url = f"/atasan/laporan/{day.report.pk}/"
    assert bob.post(url, {"decision": "approve"}).status_code == 403
    token = _csrf(bob)
    response = bob.post(url, {"decision": "approve", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    day.report.refresh_from_db()
    assert day.report.status == DailyReport.Status.APPROVED


def test_returning_a_report_needs_a_comment_and_says_which_field(
    org: Any, day: Any
) -> None:
    bob = browser_for(org.bob.user)
    url = f"/atasan/laporan/{day.report.pk}/"
    headers = {"X-Requested-With": "fetch"}
    refused = bob.post(url, {"decision": "return"}, headers=headers)
    assert refused.status_code == 400
    assert "comment" in refused.json()["fields"]
    day.report.refresh_from_db()
    assert day.report.status == DailyReport.Status.SUBMITTED
    done = bob.post(
        url, {"decision": "return", "comment": "Lampirkan bukti"}, headers=headers
    )
    assert done.status_code == 200
    assert done.json()["status"] == "returned"
    bad = bob.post(url, {"decision": "maybe"}, headers=headers)
    assert bad.status_code == 400 and "decision" in bad.json()["fields"]


def test_only_the_raters_review_and_outsiders_get_404(org: Any, day: Any) -> None:
    url = f"/atasan/laporan/{day.report.pk}/"
    # Dina sees Alice's report but is not her rater.
    assert (
        browser_for(org.dina.user).post(url, {"decision": "approve"}).status_code == 403
    )
    # Erik may not even see it.
    assert (
        browser_for(org.erik.user).post(url, {"decision": "approve"}).status_code == 404
    )
    day.report.refresh_from_db()
    assert day.report.status == DailyReport.Status.SUBMITTED


def test_a_supervisor_decides_flexible_work_inline(org: Any, day: Any) -> None:
    bob = browser_for(org.bob.user)
    url = f"/atasan/fleksibel/{day.flex.pk}/"
    response = bob.post(
        url,
        {"decision": "reject", "comment": "Jadwal bentrok"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == FlexRequest.Status.REJECTED
    assert (
        browser_for(org.erik.user).post(url, {"decision": "approve"}).status_code == 404
    )
    assert browser_for(org.uma).post(url, {"decision": "approve"}).status_code == 403


def test_the_team_selectors_count_what_the_viewer_may_see(org: Any, day: Any) -> None:
    assert team_checkins(org.bob.user, day=TODAY).count() == 3
    assert team_checkins(org.erik.user, day=TODAY).count() == 1
    assert team_checkins(org.alice.user, day=TODAY).count() == 2  # her own
    assert team_checkins(org.audi, day=TODAY).count() == 0
    assert team_checkins(org.root, day=TODAY).count() == 5
    assert [f.name for f in team_geofences(org.uma)] == ["Kantor BKD"]
    assert [f.name for f in team_geofences(org.root)] == ["Kantor BKD", "Kantor Dinkes"]
    assert team_geofences(org.audi) == []


def _dashboard_queries(user: Any) -> int:
    client = browser_for(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_queries_for_a_larger_team(
    org: Any, day: Any
) -> None:
    few = _dashboard_queries(org.bob.user)
    for number in range(12):
        staff = EmployeeFactory(
            unit=org.mutasi, supervisor=org.bob, name=f"Staf {number}"
        )
        checkin(staff, at=NOW.replace(hour=7, minute=number), workplace=day.bkd)
    many = _dashboard_queries(org.bob.user)
    assert many == few
    assert many <= 40


def test_the_map_shows_todays_approved_flexible_places(org: Any, day: Any) -> None:
    from backend.flexwork.services import flex_request_create, flex_request_decide

    request = flex_request_create(
        employee=org.alice,
        dates=[TODAY],
        location_type="other",
        reason="Verifikasi lapangan",
        latitude=0.53,
        longitude=101.46,
        radius_m=150,
        address="Kantor Camat Tampan",
    )
    flex_request_decide(request=request, decider=org.bob.user, decision="approve")
    (place,) = map_data(browser_for(org.bob.user).get(DASHBOARD))["flex_places"]
    assert place["name"] == "Alice Staf"
    assert place["label"] == "Kantor Camat Tampan"
    assert place["geofence"]["radius_m"] == 150
    assert map_data(browser_for(org.erik.user).get(DASHBOARD))["flex_places"] == []
