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
