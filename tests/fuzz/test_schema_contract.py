"""The OpenAPI schema documents the error answers of every operation.

Cheap (no requests): runs in every ``make test``; the fuzzer in
test_schema_fuzz.py checks the answers themselves.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

BODY_METHODS = {"post", "put", "patch"}


def _schema(db: Any) -> dict[str, Any]:
    response = Client().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_operation_documents_its_error_answers(db: Any) -> None:
    schema = _schema(db)
    error = {"$ref": "#/components/schemas/Error"}
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) > 30
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"401", "403", "404", "503"}
        if method in BODY_METHODS:
            expected |= {"400", "413", "415"}
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            expected.add("400")
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected:
            content = responses[code]["content"]["application/json"]
            assert content["schema"] == error, (method, path, code)
    login = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in login


def test_list_operations_document_their_pagination_envelope(db: Any) -> None:
    schema = _schema(db)
    for path in ("/api/v1/checkins/", "/api/v1/reports/", "/api/v1/team/reports/"):
        ok = schema["paths"][path]["get"]["responses"]["200"]
        ref = ok["content"]["application/json"]["schema"]["$ref"]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"next", "previous", "results"} <= set(component["properties"])


def test_field_errors_may_nest_per_item(db: Any) -> None:
    fields = _schema(db)["components"]["schemas"]["Error"]["properties"]["fields"]
    kinds = {option["type"] for option in fields["additionalProperties"]["oneOf"]}
    assert kinds == {"array", "object"}
