"""The auditor desk and the recap page: who may open them, the queue's
scope and filters, decisions with CSRF and their effect on the supervisor's
counts, photos only through the authorized views, the recap's downloads."""

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

from backend.activity.selectors import team_summary
from backend.attendance.flags import make_flag
from backend.attendance.models import CheckIn
from backend.audit.desk import audit_units
from backend.audit.models import CheckInReview
from backend.performance.selectors import recap_units
from tests.factories import EmployeeFactory
from tests.web.desk_cast import NOW, browser_for, build_day, checkin

DESK = "/audit/"
RECAP = "/audit/rekap/"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def day(org: Any) -> SimpleNamespace:
    return build_day(org)


def queue_ids(response: Any) -> list[int]:
    return [
        int(pk) for pk in re.findall(r'data-checkin="(\d+)"', response.content.decode())
    ]


def test_the_desk_is_for_auditors_and_unit_admins(org: Any, day: Any) -> None:
    assert Client().get(DESK).status_code == 302
    assert browser_for(org.alice.user).get(DESK).status_code == 403
    assert browser_for(org.bob.user).get(DESK).status_code == 403
    assert browser_for(org.audi).get(DESK).status_code == 200
    assert browser_for(org.uma).get(DESK).status_code == 200


def test_an_auditor_sees_the_flagged_check_ins_of_their_instansi(
    org: Any, day: Any
) -> None:
    response = browser_for(org.audi).get(DESK)
    # Riskiest first: the mock location (critical) before poor accuracy.
    assert queue_ids(response) == [day.alice_flagged.pk, day.charlie_flagged.pk]
    html = response.content.decode()
    assert "mock_location" in html and "Karim" not in html
    assert queue_ids(browser_for(org.oscar).get(DESK)) == [day.kampar_flagged.pk]


def test_a_unit_admin_sees_their_unit_only(org: Any, day: Any) -> None:
    assert queue_ids(browser_for(org.uma).get(DESK)) == [day.alice_flagged.pk]


def test_the_filters_narrow_the_queue_and_refuse_bad_input(org: Any, day: Any) -> None:
    audi = browser_for(org.audi)
    by_unit = audi.get(DESK, {"unit": org.dinkes.pk})
    assert queue_ids(by_unit) == [day.charlie_flagged.pk]
    by_flag = audi.get(DESK, {"flag": "mock_location"})
    assert queue_ids(by_flag) == [day.alice_flagged.pk]
    assert queue_ids(audi.get(DESK, {"date_from": "2026-11-26"})) == []
    assert queue_ids(audi.get(DESK, {"status": "rejected"})) == []
    # A unit of another instansi is not a choice for this auditor.
    outside = audi.get(DESK, {"unit": org.kampar_opd.pk})
    assert outside.status_code == 400
    assert "kampar" not in outside.content.decode().lower().split("<form")[1][:2000]
    backwards = audi.get(DESK, {"date_from": "2026-11-25", "date_to": "2026-11-01"})
    assert backwards.status_code == 400


def test_each_item_has_its_map_photo_flags_and_pattern(org: Any, day: Any) -> None:
    html = (
        browser_for(org.audi)
        .get(DESK, headers={"Accept-Language": "en"})
        .content.decode()
    )
    pk = day.alice_flagged.pk
    assert f'src="/api/v1/checkins/{pk}/thumbnail/"' in html
    assert f'href="/api/v1/checkins/{pk}/photo/"' in html
    assert "/media" not in html
    case = re.search(rf'id="case-{pk}"[^>]*data-case="([^"]*)"', html)
    assert case
    data = json.loads(case.group(1).replace("&quot;", '"'))
    assert data["workplace"]["name"] == "Kantor BKD"
    assert data["exif"] == {"latitude": 43.47, "longitude": 11.88}
    assert "The phone reported a mock (fake) location provider." in html
    assert "2 check-ins, 1 flagged" in html


def test_rejecting_needs_csrf_and_a_note_then_the_team_counts_change(
    org: Any, day: Any
) -> None:
    before = team_summary(org.bob.user)
    assert (before.present, before.flagged) == (2, 1)
    audi = browser_for(org.audi, csrf=True)
    url = f"/audit/{day.charlie_flagged.pk}/keputusan/"
    assert audi.post(url, {"verdict": "accept"}).status_code == 403
    audi.get(DESK)
    token = audi.cookies["csrftoken"].value
    fetch = {"X-Requested-With": "fetch"}
    refused = audi.post(
        url, {"verdict": "reject", "csrfmiddlewaretoken": token}, headers=fetch
    )
    assert refused.status_code == 400 and "note" in refused.json()["fields"]
    assert CheckIn.objects.get(pk=day.charlie_flagged.pk).status == "needs_review"

    url = f"/audit/{day.alice_flagged.pk}/keputusan/"
    done = audi.post(
        url,
        {"verdict": "reject", "note": "Lokasi palsu", "csrfmiddlewaretoken": token},
        headers=fetch,
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "rejected"
    review = CheckInReview.objects.get(checkin=day.alice_flagged)
    assert (review.verdict, review.note, review.reviewer) == (
        "reject",
        "Lokasi palsu",
        org.audi,
    )
    after = team_summary(org.bob.user)
    # Alice still counts by her clean 07:20 check-in; nothing awaits review.
    assert (after.present, after.flagged) == (2, 0)


def test_a_plain_form_post_returns_to_the_filtered_queue(org: Any, day: Any) -> None:
    uma = browser_for(org.uma)
    response = uma.post(
        f"/audit/{day.alice_flagged.pk}/keputusan/",
        {"verdict": "accept", "next": "/audit/?flag=mock_location"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/audit/?flag=mock_location"
    evil = uma.post(
        f"/audit/{day.alice_flagged.pk}/keputusan/",
        {"verdict": "accept", "next": "https://evil.example/"},
    )
    assert evil["Location"] == "/audit/"


def test_outsiders_cannot_decide(org: Any, day: Any) -> None:
    url = f"/audit/{day.charlie_flagged.pk}/keputusan/"
    assert browser_for(org.oscar).post(url, {"verdict": "accept"}).status_code == 404
    assert browser_for(org.uma).post(url, {"verdict": "accept"}).status_code == 404
    assert browser_for(org.bob.user).post(url, {"verdict": "accept"}).status_code == 403
    assert not CheckInReview.objects.exists()


def test_the_desk_costs_the_same_queries_for_a_longer_queue(org: Any, day: Any) -> None:
    def measure() -> int:
        client = browser_for(org.audi)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DESK).status_code == 200
        return len(queries)

    few = measure()
    for number in range(10):
        staff = EmployeeFactory(unit=org.dinkes, supervisor=org.erik)
        checkin(
            staff,
            at=NOW.replace(hour=7, minute=number),
            workplace=day.dinkes,
            flags=[make_flag("accuracy_zero")],
        )
    assert measure() == few


def test_the_choices_follow_the_scope(org: Any, day: Any) -> None:
    assert set(audit_units(org.uma)) == {org.bkd, org.mutasi}
    assert org.kampar_opd not in set(audit_units(org.audi))
    assert set(recap_units(org.uma)) == {org.bkd, org.mutasi}
    assert org.dinkes in set(recap_units(org.audi))
    assert org.kampar_opd not in set(recap_units(org.audi))
    assert not recap_units(org.alice.user).exists()


def test_the_recap_shows_the_unit_and_links_the_exports(org: Any, day: Any) -> None:
    uma = browser_for(org.uma)
    page = uma.get(RECAP, {"unit": org.bkd.pk, "period": "2026-11"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alice Staf" in html and "Charlie" not in html
    csv_link = (
        "/api/v1/exports/kinerja/?unit=BKD&amp;instansi=RIAU&amp;period=2026-11"
        "&amp;file_format=csv"
    )
    assert csv_link in html
    assert "file_format=xlsx" in html
    download = uma.get(csv_link.replace("&amp;", "&"))
    assert download.status_code == 200
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.startswith("period,") and "Alice Staf" in body


def test_the_recap_refuses_other_units_and_bad_periods(org: Any, day: Any) -> None:
    uma = browser_for(org.uma)
    assert (
        uma.get(RECAP, {"unit": org.dinkes.pk, "period": "2026-11"}).status_code == 400
    )
    assert uma.get(RECAP, {"unit": org.bkd.pk, "period": "2026-13"}).status_code == 400
    # Auditors export the units of their instansi, not of another one.
    page = browser_for(org.audi).get(RECAP, {"unit": org.bkd.pk, "period": "2026-11"})
    assert page.status_code == 200
    assert "file_format=csv" in page.content.decode()
    other = browser_for(org.oscar).get(RECAP, {"unit": org.bkd.pk, "period": "2026-11"})
    assert "file_format" not in other.content.decode()
