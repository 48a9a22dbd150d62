from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from backend.attendance.models import Holiday
from tests.attendance.builders import MON, TUE, WED, WIT, at, workplace
from tests.conftest import client_for
from tests.factories import CheckInFactory

URL = "/api/v1/attendance/"


@pytest.fixture
def alice(org: Any) -> APIClient:
    return client_for(org.alice.user)


def days_by_date(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {day["date"]: day for day in body["days"]}


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_it_defaults_to_the_current_month_up_to_today(
    org: Any, alice: APIClient
) -> None:
    response = alice.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["from"], body["to"]) == ("2025-02-01", "2025-02-12")
    assert [day["date"] for day in body["days"]][:2] == ["2025-02-01", "2025-02-02"]
    assert len(body["days"]) == 12
    today = body["days"][-1]
    # Wednesday 10:00: not settled yet.
    assert today["is_working_day"] is True and today["status"] is None


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_to_defaults_to_today_and_from_to_the_first_of_its_month(
    org: Any, alice: APIClient
) -> None:
    body = alice.get(URL, {"to": "2025-01-20"}).json()
    assert (body["from"], body["to"]) == ("2025-01-01", "2025-01-20")
    body = alice.get(URL, {"from": "2025-02-10"}).json()
    assert (body["from"], body["to"]) == ("2025-02-10", "2025-02-12")


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_it_returns_each_day_with_its_codes_times_and_deductions(
    org: Any, alice: APIClient
) -> None:
    office = workplace(org.bkd, name="Kantor BKD")
    CheckInFactory(employee=org.alice, workplace=office, captured_at=at(MON, "08:01"))
    CheckInFactory(
        employee=org.alice,
        workplace=office,
        kind="out",
        captured_at=at(MON, "15:00"),
    )
    CheckInFactory(employee=org.alice, captured_at=at(TUE, "07:20"))

    response = alice.get(URL, {"from": "2025-02-03", "to": "2025-02-09"})
    assert response.status_code == 200
    days = days_by_date(response.json())
    assert days["2025-02-03"] == {
        "date": "2025-02-03",
        "status": "TL",
        "codes": ["TL", "PSW"],
        "is_working_day": True,
        "timezone": "Asia/Jakarta",
        "schedule": {
            "start": "2025-02-03T07:30:00+07:00",
            "end": "2025-02-03T16:00:00+07:00",
            "break_minutes": 60,
            "grace_minutes": 0,
        },
        "first_in": "2025-02-03T08:01:00+07:00",
        "last_out": "2025-02-03T15:00:00+07:00",
        "minutes_late": 31,
        "minutes_early": 60,
        "worked_minutes": 6 * 60 + 59 - 60,
        "late_band": 2,
        "early_band": 2,
        "deduction_band": 2,
        "deduction_percent": 2.0,
        "workplace": {"id": office.pk, "name": "Kantor BKD"},
        "mode": "office",
        "notes": [],
    }
    tuesday = days["2025-02-04"]
    assert (tuesday["status"], tuesday["deduction_band"]) == ("PSW", 4)
    assert [note["code"] for note in tuesday["notes"]] == ["no_check_out"]
    assert tuesday["notes"][0]["message"]
    assert days["2025-02-05"]["status"] == "TK"
    saturday = days["2025-02-08"]
    assert saturday["is_working_day"] is False and saturday["schedule"] is None
    assert saturday["status"] is None


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_times_keep_the_workplace_zone(org: Any, alice: APIClient) -> None:
    office = workplace(org.bkd, name="Kantor Jayapura", zone=WIT)
    CheckInFactory(
        employee=org.alice, workplace=office, captured_at=at(MON, "07:29", WIT)
    )
    day = days_by_date(
        alice.get(URL, {"from": "2025-02-03", "to": "2025-02-03"}).json()
    )["2025-02-03"]
    assert day["first_in"] == "2025-02-03T07:29:00+09:00"
    assert day["schedule"]["start"] == "2025-02-03T07:30:00+09:00"
    assert day["timezone"] == WIT
    assert day["minutes_late"] == 0


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_holidays_and_days_to_come_have_no_status(org: Any, alice: APIClient) -> None:
    Holiday.objects.create(date=WED, name="Libur")
    days = days_by_date(
        alice.get(URL, {"from": "2025-02-05", "to": "2025-02-28"}).json()
    )
    assert days["2025-02-05"]["is_working_day"] is False
    assert days["2025-02-05"]["status"] is None
    assert days["2025-02-06"]["status"] == "TK"
    assert days["2025-02-13"]["status"] is None
    assert days["2025-02-13"]["schedule"] is not None


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
def test_an_employee_sees_only_their_own_days(org: Any) -> None:
    CheckInFactory(employee=org.alice, captured_at=at(MON, "07:25"))
    CheckInFactory(employee=org.bob, captured_at=at(TUE, "07:25"))
    params = {"from": "2025-02-03", "to": "2025-02-04"}

    alice_days = days_by_date(client_for(org.alice.user).get(URL, params).json())
    assert alice_days["2025-02-03"]["first_in"] is not None
    assert alice_days["2025-02-04"]["status"] == "TK"

    bob_days = days_by_date(client_for(org.bob.user).get(URL, params).json())
    assert bob_days["2025-02-03"]["status"] == "TK"
    assert bob_days["2025-02-04"]["first_in"] is not None

    # Query parameters cannot ask for somebody else.
    other = client_for(org.alice.user).get(URL, {**params, "employee": org.bob.pk})
    assert days_by_date(other.json())["2025-02-04"]["status"] == "TK"


@time_machine.travel(at(date(2025, 2, 12), "10:00"), tick=False)
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-02-30"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2025-13-01"}, "to"),
        ({"from": "2025-02-10", "to": "2025-02-01"}, "to"),
        ({"from": "2025-01-01", "to": "2025-04-04"}, "to"),
        # With only "from", "to" is today: the error is the caller's "from".
        ({"from": "2025-02-20"}, "from"),
        ({"from": "2024-11-01"}, "from"),
        # Outside the calendar: the dates given that are.
        ({"from": "1999-12-31", "to": "2000-01-02"}, "from"),
        ({"from": "2099-12-30", "to": "2100-01-01"}, "to"),
        ({"from": "1999-12-01", "to": "1999-12-05"}, "from,to"),
        ({"to": "1999-12-05"}, "to"),
    ],
)
def test_it_names_the_field_of_a_bad_range(
    org: Any, alice: APIClient, params: dict[str, str], field: str
) -> None:
    response = alice.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert list(body["fields"]) == field.split(",")
    assert all(messages[0] for messages in body["fields"].values())


@time_machine.travel(at(date(2025, 4, 4), "10:00"), tick=False)
def test_it_accepts_93_days(org: Any, alice: APIClient) -> None:
    response = alice.get(URL, {"from": "2025-01-01", "to": "2025-04-03"})
    assert response.status_code == 200
    assert len(response.json()["days"]) == 93


def test_an_account_without_an_employee_record_is_refused(org: Any) -> None:
    response = client_for(org.audi).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "no_employee"


def test_an_anonymous_caller_is_refused(org: Any, api: APIClient) -> None:
    response = api.get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@time_machine.travel(at(date(2025, 4, 4), "10:00"), tick=False)
def test_a_longer_range_costs_no_extra_queries(org: Any, alice: APIClient) -> None:
    for offset in range(0, 60, 2):
        CheckInFactory(
            employee=org.alice, captured_at=at(MON + timedelta(days=offset), "07:40")
        )

    def count(params: dict[str, str]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice.get(URL, params).status_code == 200
        return len(queries)

    count({"from": "2025-02-03", "to": "2025-02-03"})  # the token is now cached
    one_day = count({"from": "2025-02-03", "to": "2025-02-03"})
    assert count({"from": "2025-01-03", "to": "2025-04-04"}) == one_day


def test_the_schema_documents_the_attendance_call(db: Any) -> None:
    schema = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/attendance/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"from", "to"}
    assert {"200", "400", "403"} <= set(operation["responses"])
