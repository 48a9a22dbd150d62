"""The audit queue, decisions on flagged check-ins, their effect on the day,
revision history, photo access logging and the pattern views."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from backend.activity.models import ActivityEvent
from backend.attendance.models import CheckIn, Workplace
from backend.audit.chain import verify
from backend.audit.models import AuditEntry, CheckInReview
from tests.api.test_checkins_api import NOW, clean_jpeg, payload, post
from tests.conftest import OFFICE, client_for

QUEUE = "/api/v1/audit/checkins/"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def flagged(org: Any, office: Workplace) -> dict[str, Any]:
    """Alice: one mock-location check-in (critical), one poor-accuracy one
    (warning) and one clean one; Charlie (Dinkes): one flagged."""
    alice = client_for(org.alice.user)
    mock = post(alice, payload(is_mock="true", photo_bytes=clean_jpeg(shade=10))).json()
    poor = post(
        alice, payload(accuracy_m=250, photo_bytes=clean_jpeg("mobile_jolla.jpg"))
    ).json()
    clean = post(alice, payload(photo_bytes=clean_jpeg())).json()
    charlie = post(
        client_for(org.charlie.user),
        payload(
            device_id="charlie-phone",
            photo_bytes=clean_jpeg("orientation_portrait_6.jpg"),
        ),
    ).json()
    assert clean["status"] == "verified"
    return {"mock": mock, "poor": poor, "clean": clean, "charlie": charlie}


def ids(response: Any) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


def test_auditors_see_the_flagged_check_ins_of_their_instansi_riskiest_first(
    org: Any, flagged: dict[str, Any]
) -> None:
    response = client_for(org.audi).get(QUEUE)
    assert response.status_code == 200, response.json()
    found = ids(response)
    assert found[0] == flagged["mock"]["id"]
    assert set(found) == {
        flagged["mock"]["id"],
        flagged["poor"]["id"],
        flagged["charlie"]["id"],
    }
    item = response.json()["results"][0]
    assert item["risk"] >= 10
    assert {flag["code"] for flag in item["flags"]} >= {"mock_location"}
    assert item["thumbnail_url"].endswith(f"/checkins/{item['id']}/thumbnail/")
    assert item["workplace"]["name"] == "Kantor BKD"
    assert item["position"]["latitude"] == pytest.approx(OFFICE[0])
    assert item["pattern"]["checkins"] == 3 and item["pattern"]["flagged"] == 2


def test_the_queue_is_scoped_to_unit_admins_units_and_closed_to_others(
    org: Any, flagged: dict[str, Any]
) -> None:
    assert set(ids(client_for(org.uma).get(QUEUE))) == {
        flagged["mock"]["id"],
        flagged["poor"]["id"],
    }
    assert ids(client_for(org.oscar).get(QUEUE)) == []
    for who in (org.alice, org.bob):
        response = client_for(who.user).get(QUEUE)
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"


def test_the_queue_filters_by_unit_flag_and_dates(
    org: Any, flagged: dict[str, Any]
) -> None:
    audi = client_for(org.audi)
    assert ids(audi.get(QUEUE, {"unit": org.dinkes.pk})) == [flagged["charlie"]["id"]]
    assert ids(audi.get(QUEUE, {"flag": "mock_location"})) == [flagged["mock"]["id"]]
    assert ids(audi.get(QUEUE, {"from": "2026-11-26"})) == []
    assert audi.get(QUEUE, {"flag": "nonsense"}).status_code == 400


@pytest.mark.parametrize("page", ["2", "0", "last-but-one"])
def test_the_queue_refuses_a_page_it_does_not_have(
    org: Any, flagged: dict[str, Any], page: str
) -> None:
    assert client_for(org.audi).get(QUEUE, {"page": "last"}).status_code == 200
    response = client_for(org.audi).get(QUEUE, {"page": page})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["page"]


def test_a_rejection_needs_a_note(org: Any, flagged: dict[str, Any]) -> None:
    url = f"{QUEUE}{flagged['mock']['id']}/decision/"
    response = client_for(org.audi).post(url, {"verdict": "reject"})
    assert response.status_code == 400
    assert "note" in response.json()["fields"]
    assert CheckIn.objects.get(pk=flagged["mock"]["id"]).status == "needs_review"


def test_nobody_reviews_outside_their_scope_or_their_own(
    org: Any, flagged: dict[str, Any]
) -> None:
    url = f"{QUEUE}{flagged['charlie']['id']}/decision/"
    assert client_for(org.uma).post(url, {"verdict": "accept"}).status_code == 404
    assert client_for(org.oscar).post(url, {"verdict": "accept"}).status_code == 404
    own = f"{QUEUE}{flagged['mock']['id']}/decision/"
    assert client_for(org.alice.user).post(own, {"verdict": "accept"}).status_code in (
        403,
        404,
    )
    clean = f"{QUEUE}{flagged['clean']['id']}/decision/"
    assert client_for(org.audi).post(clean, {"verdict": "accept"}).status_code == 404


def test_a_rejected_check_in_no_longer_counts_and_the_day_becomes_tk(
    org: Any, flagged: dict[str, Any]
) -> None:
    # Only the mock-location check-in: drop the other two of the morning.
    CheckIn.objects.filter(
        pk__in=[flagged["poor"]["id"], flagged["clean"]["id"]]
    ).delete()
    alice = client_for(org.alice.user)
    day = {"from": "2026-11-25", "to": "2026-11-25"}
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        before = alice.get("/api/v1/attendance/", day).json()
    assert before["days"][0]["status"] != "TK"

    response = client_for(org.audi).post(
        f"{QUEUE}{flagged['mock']['id']}/decision/",
        {"verdict": "reject", "note": "Fake GPS app on the phone."},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status_after"] == "rejected"

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        after = alice.get("/api/v1/attendance/", day).json()
    assert after["days"][0]["status"] == "TK"
    detail = alice.get(f"/api/v1/checkins/{flagged['mock']['id']}/").json()
    assert detail["status"] == "rejected"


def test_decisions_can_be_revised_and_the_history_stays(
    org: Any, flagged: dict[str, Any]
) -> None:
    pk = flagged["poor"]["id"]
    url = f"{QUEUE}{pk}/decision/"
    assert client_for(org.audi).post(url, {"verdict": "accept"}).status_code == 201
    assert (
        client_for(org.uma)
        .post(url, {"verdict": "reject", "note": "Same spot as yesterday's fake."})
        .status_code
        == 201
    )
    assert CheckIn.objects.get(pk=pk).status == "rejected"
    assert list(
        CheckInReview.objects.filter(checkin_id=pk).values_list(
            "verdict", "status_before", "status_after"
        )
    ) == [
        ("accept", "needs_review", "accepted"),
        ("reject", "accepted", "rejected"),
    ]
    # The employee and her supervisor see the outcome and its history.
    for who in (org.alice.user, org.bob.user):
        history = client_for(who).get(f"/api/v1/checkins/{pk}/reviews/").json()
        assert [item["verdict"] for item in history] == ["accept", "reject"]
        assert history[1]["note"] == "Same spot as yesterday's fake."
    assert (
        client_for(org.charlie.user).get(f"/api/v1/checkins/{pk}/reviews/").status_code
        == 404
    )
    entries = AuditEntry.objects.filter(action="checkin.reviewed", target_id=str(pk))
    assert [entry.after["status"] for entry in entries] == ["accepted", "rejected"]
    assert entries[1].before == {"status": "accepted"}
    assert ActivityEvent.objects.filter(type="checkin.reviewed").count() == 2
    assert verify().ok


def test_check_in_creation_and_photo_access_by_others_are_audited(
    org: Any, flagged: dict[str, Any]
) -> None:
    pk = flagged["mock"]["id"]
    created = AuditEntry.objects.get(action="checkin.created", target_id=str(pk))
    assert created.actor_id == org.alice.user_id
    assert created.after["status"] == "needs_review"
    assert created.ip == "127.0.0.1"
    client_for(org.alice.user).get(f"/api/v1/checkins/{pk}/thumbnail/")
    assert not AuditEntry.objects.filter(action="photo.accessed").exists()
    assert client_for(org.audi).get(f"/api/v1/checkins/{pk}/photo/").status_code == 200
    accessed = AuditEntry.objects.get(action="photo.accessed")
    assert (accessed.actor_label, accessed.target_id) == ("audi", str(pk))
    assert accessed.after == {"variant": "photo"}


def test_pattern_views_find_shared_devices_and_coordinates(
    org: Any, office: Workplace
) -> None:
    spot = {"latitude": 0.5079, "longitude": 101.4496}
    post(
        client_for(org.alice.user),
        payload(device_id="shared-phone", photo_bytes=clean_jpeg(), **spot),
    )
    post(
        client_for(org.bob.user),
        payload(
            device_id="shared-phone",
            photo_bytes=clean_jpeg("mobile_jolla.jpg"),
            **spot,
        ),
    )
    uma = client_for(org.uma)
    devices = uma.get("/api/v1/audit/patterns/shared-devices/").json()["results"]
    assert devices[0]["key"] == {"device_id": "shared-phone"}
    assert {c["employee"]["name"] for c in devices[0]["checkins"]} == {
        org.alice.name,
        org.bob.name,
    }
    spots = uma.get("/api/v1/audit/patterns/shared-coordinates/").json()["results"]
    assert spots[0]["employees"] == 2
    top = uma.get("/api/v1/audit/patterns/top-flagged/").json()["results"]
    assert top[0]["employees"][0]["flagged"] >= 1
    assert uma.get("/api/v1/audit/patterns/reused-photos/").status_code == 200
    assert uma.get("/api/v1/audit/patterns/nonsense/").status_code == 404
    assert (
        client_for(org.oscar)
        .get("/api/v1/audit/patterns/shared-devices/")
        .json()["results"]
        == []
    )
    assert (
        client_for(org.alice.user)
        .get("/api/v1/audit/patterns/shared-devices/")
        .status_code
        == 403
    )
