"""Dates at the ends of the calendar (year 1, year 9999) in queries and
bodies: a 400 naming the field, or an empty answer; never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import client_for

QUERIES = [
    "/api/v1/checkins/?from=0001-01-01&to=9999-12-31",
    "/api/v1/audit/checkins/?from=0001-01-01&to=9999-12-31",
    "/api/v1/audit/patterns/coordinates/?from=0001-01-01&to=9999-12-31",
    "/api/v1/team/evaluations/?period=9999-Q4",
    "/api/v1/team/evaluations/?period=0001-01",
    "/api/v1/exports/kinerja/?period=9999-12",
    "/api/v1/plans/current/?year=9999",
]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=9999-12-25&to=9999-12-31", "to"),
        ("from=0001-01-01&to=0001-01-05", "to"),
        ("to=0505-09-22", "to"),
        ("from=1900-01-01", "from"),
    ],
)
def test_attendance_refuses_days_outside_the_calendar_it_knows(
    org: Any, query: str, field: str
) -> None:
    response = client_for(org.alice.user).get(f"/api/v1/attendance/?{query}")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()["fields"]


@pytest.mark.parametrize("url", QUERIES)
@pytest.mark.parametrize("who", ["alice", "bob", "audi"])
def test_list_filters_take_any_date(org: Any, url: str, who: str) -> None:
    account = getattr(org, who)
    response = client_for(getattr(account, "user", account)).get(url)
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")


def test_evaluations_of_far_periods(org: Any) -> None:
    client = client_for(org.bob.user)
    for period in ("9999-Q4", "9999-12", "0001-01", "9999", "0001"):
        url = f"/api/v1/evaluations/{org.alice.pk}/{period}/"
        assert client.get(url).status_code < 500, period
        assert client.put(url, {}, format="json").status_code < 500, period
