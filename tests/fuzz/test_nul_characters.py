"""A NUL character in any query parameter or JSON string: PostgreSQL text
cannot hold one, so it must be refused (or ignored) before the database
sees it, as a 4xx JSON answer; never a 5xx. Runs in both passes; the
PostgreSQL one is where it matters."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import client_for


def _get_operations_with_query(db: Any) -> list[tuple[str, list[str]]]:
    schema = Client().get("/api/v1/schema/", {"format": "json"}).json()
    found = []
    for path, item in schema["paths"].items():
        get = item.get("get")
        if not get:
            continue
        names = [p["name"] for p in get.get("parameters", []) if p["in"] == "query"]
        if names:
            found.append((path.replace("{kind}", "coordinates"), names))
    return found


def test_nul_in_every_query_parameter(org: Any) -> None:
    operations = _get_operations_with_query(None)
    assert len(operations) >= 8
    for who in (org.alice.user, org.bob.user, org.audi):
        client = client_for(who)
        for path, names in operations:
            url = path.replace("{employee_id}", str(org.alice.pk))
            url = url.replace("{period}", "2026-11").replace("{id}", "1")
            for name in names:
                response = client.get(url, {name: "x\x00y", "scope": "team"})
                assert response.status_code < 500, (url, name, response.content[:300])
                assert response["Content-Type"].startswith("application/json"), url


def test_nul_in_json_strings(org: Any) -> None:
    client = client_for(org.alice.user)
    for url, body in (
        ("/api/v1/flex-requests/", {"dates": ["2026-11-30"], "reason": "a\x00b"}),
        ("/api/v1/plans/", {"year": 2026, "rhks": [{"kind": "utama", "text": "\x00"}]}),
        ("/api/v1/me/consent/", {"version": "\x00"}),
        ("/api/v1/auth/token/", {"username": "\x00", "password": "\x00"}),
    ):
        response = client.post(url, body, format="json")
        assert 400 <= response.status_code < 500, (url, response.content[:300])
