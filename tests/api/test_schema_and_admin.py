from __future__ import annotations

from typing import Any

from django.test import Client


def test_the_openapi_schema_describes_the_login_contract(db: Any) -> None:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    login = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert "200" in login["responses"]
    assert "/api/v1/me/" in schema["paths"]


def test_the_docs_page_loads_without_a_cdn(db: Any) -> None:
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_the_admin_lists_employees_searchable_by_nip_and_filtered_by_opd(
    org: Any,
) -> None:
    client = Client()
    client.force_login(org.root)
    response = client.get("/admin/organization/employee/", {"q": org.alice.nip})
    assert response.status_code == 200
    assert org.alice.name in response.content.decode()
    assert org.charlie.name not in response.content.decode()

    by_name = client.get("/admin/organization/employee/", {"q": "Charlie"})
    assert org.charlie.name in by_name.content.decode()

    filtered = client.get("/admin/organization/employee/", {"opd": org.bkd.path})
    html = filtered.content.decode()
    assert org.alice.name in html and org.charlie.name not in html

    for url in (
        "/admin/",
        "/admin/organization/unit/",
        "/admin/organization/roleassignment/",
        "/admin/attendance/workplace/",
        f"/admin/organization/employee/{org.alice.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_admin_changes_a_supervisor_through_the_service(org: Any) -> None:
    client = Client()
    client.force_login(org.root)
    url = f"/admin/organization/employee/{org.charlie.pk}/change/"
    form = {
        "nip": org.charlie.nip,
        "name": org.charlie.name,
        "status": "PNS",
        "unit": org.charlie.unit_id,
        "supervisor": org.bob.pk,
        "jabatan": "",
        "jabatan_kind": "",
        "golongan": "",
        "placement_date": "",
        "domisili_address": "",
        "domisili_latitude": "",
        "domisili_longitude": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    org.charlie.refresh_from_db()
    assert org.charlie.chain == f"/{org.dina.pk}/{org.bob.pk}/"


def _schema() -> dict[str, Any]:
    return Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()


def test_no_description_in_the_schema_is_a_base_class_note(db: Any) -> None:
    components = _schema()["components"]["schemas"]
    descriptions = {
        name: component.get("description", "") for name, component in components.items()
    }
    assert not {name for name, text in descriptions.items() if "DRF" in text}


def _parameters(operation: dict[str, Any]) -> dict[str, Any]:
    return {p["name"]: p["schema"] for p in operation["parameters"]}


def test_the_lists_paged_by_hand_document_their_paging(db: Any) -> None:
    paths = _schema()["paths"]
    checkins = _parameters(paths["/api/v1/checkins/"]["get"])
    assert checkins["cursor"] == {"type": "string"}
    assert checkins["page_size"] == {"type": "integer"}
    assert checkins["from"] == checkins["to"] == {"type": "string", "format": "date"}
    assert {"cursor", "page_size"} <= set(_parameters(paths["/api/v1/reports/"]["get"]))
    queue = _parameters(paths["/api/v1/audit/checkins/"]["get"])
    assert {"page", "page_size"} <= set(queue)
    assert queue["from"] == {"type": "string", "format": "date"}


def test_the_check_in_answer_is_typed_as_the_contract_says(db: Any) -> None:
    components = _schema()["components"]["schemas"]

    def enum(reference: dict[str, Any]) -> set[str]:
        name = reference["$ref"].rsplit("/", 1)[-1]
        return set(components[name]["enum"])

    answer = components["CheckInOutput"]["properties"]
    # After an audit decision also accepted or rejected.
    assert {"verified", "needs_review"} <= enum(answer["status"])
    assert enum(answer["kind"]) == {"in", "out"}
    assert enum(answer["geofence"]) == {"inside", "outside", "uncertain"}
    assert enum(answer["mode"]) == {"office", "flexible"}
    assert answer["workplace"]["nullable"] is True
    workplace = answer["workplace"]["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert set(components[workplace]["properties"]) == {"id", "name"}
    flag = components[answer["flags"]["items"]["$ref"].rsplit("/", 1)[-1]]
    assert set(flag["properties"]) == {"code", "severity", "message"}
    assert "impossible_travel" in enum(flag["properties"]["code"])
    assert enum(flag["properties"]["severity"]) == {"info", "warning", "critical"}
