"""Plans, evaluations, the unit view and the export endpoint through the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from backend.performance.models import PredikatOverride, Skp
from tests.conftest import client_for
from tests.factories import agreed_skp

NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_phone_reads_the_current_plan(org: Any) -> None:
    alice = client_for(org.alice.user)
    assert alice.get("/api/v1/plans/current/").status_code == 404
    bob_skp = agreed_skp(org.bob, rater=org.dina)
    created = alice.post(
        "/api/v1/plans/",
        {
            "year": 2026,
            "rhks": [
                {
                    "kind": "utama",
                    "text": "Verifikasi usulan mutasi",
                    "parent_rhk": bob_skp.rhks.get().pk,
                    "indicators": [
                        {
                            "aspect": "kuantitas",
                            "text": "Berkas diverifikasi",
                            "target": "100",
                            "unit": "berkas",
                        },
                        {
                            "aspect": "waktu",
                            "text": "Selesai dalam",
                            "target": "3",
                            "unit": "hari",
                        },
                    ],
                    "action_plans": [{"month": 11, "text": "Verifikasi tahap 1"}],
                }
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert created.json()["rater"]["nip"] == org.bob.nip
    submitted = alice.post(f"/api/v1/plans/{plan_id}/submit/")
    assert submitted.json()["status"] == "submitted"
    bob = client_for(org.bob.user)
    assert (
        alice.post(
            f"/api/v1/plans/{plan_id}/review/", {"decision": "agree"}, format="json"
        ).status_code
        == 403
    )
    agreed = bob.post(
        f"/api/v1/plans/{plan_id}/review/", {"decision": "agree"}, format="json"
    )
    assert agreed.json()["status"] == "agreed"

    current = alice.get("/api/v1/plans/current/").json()
    assert current["id"] == plan_id and current["year"] == 2026
    rhk = current["rhks"][0]
    assert rhk["parent_rhk"]["text"] == bob_skp.rhks.get().text
    assert [i["aspect"] for i in rhk["indicators"]] == ["kuantitas", "waktu"]
    assert rhk["action_plans"][0]["month"] == 11
    assert (
        client_for(org.charlie.user).get(f"/api/v1/plans/{plan_id}/").status_code == 404
    )

    comments = f"/api/v1/rhk/{rhk['id']}/comments/"
    assert (
        bob.post(comments, {"text": "Fokus ke tepat waktu"}, format="json").status_code
        == 201
    )
    assert alice.get(comments).json()[0]["text"] == "Fokus ke tepat waktu"
    assert Skp.objects.get(pk=plan_id).status == "agreed"


def test_the_rater_evaluates_with_an_override_and_others_read_it(org: Any) -> None:
    skp = agreed_skp(org.alice)
    indicator = skp.rhks.get().indicators.get()
    url = f"/api/v1/evaluations/{org.alice.pk}/2026-Q3/"
    bob = client_for(org.bob.user)
    body = {
        "rating_hasil_kerja": "di_atas",
        "rating_perilaku_kerja": "di_bawah",
        "realisations": [{"indicator": indicator.pk, "realisation": "95"}],
        "perilaku_notes": {"kolaboratif": "Kurang aktif"},
        "predikat_override": "butuh_perbaikan",
    }
    missing_reason = bob.put(url, body, format="json")
    assert missing_reason.status_code == 400
    assert "override_reason" in missing_reason.json()["fields"]
    body["override_reason"] = "Pelanggaran sudah dibina"
    response = bob.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    evaluation = response.json()["evaluation"]
    assert evaluation["predikat_matrix"] == "kurang"
    assert evaluation["predikat"] == "butuh_perbaikan"
    assert evaluation["overrides"][0]["reason"] == "Pelanggaran sudah dibina"
    assert response.json()["recap"]["period"] == "2026-Q3"
    assert PredikatOverride.objects.count() == 1

    assert client_for(org.alice.user).get(url).json()["evaluation"]["predikat"] == (
        "butuh_perbaikan"
    )
    assert client_for(org.alice.user).put(url, body, format="json").status_code == 403
    assert client_for(org.charlie.user).get(url).status_code == 404

    team = client_for(org.uma).get(
        "/api/v1/team/evaluations/", {"period": "2026-Q3", "unit": "BKD"}
    )
    rows = {row["employee"]["nip"]: row for row in team.json()["employees"]}
    assert set(rows) == {org.dina.nip, org.bob.nip, org.alice.nip}
    assert rows[org.alice.nip]["predikat"] == "butuh_perbaikan"
    assert rows[org.bob.nip]["evaluated"] is False
    bob_team = client_for(org.bob.user).get(
        "/api/v1/team/evaluations/", {"period": "2026-Q3"}
    )
    assert [r["employee"]["nip"] for r in bob_team.json()["employees"]] == [
        org.alice.nip
    ]


def test_only_unit_admins_and_auditors_export_the_recap(org: Any) -> None:
    url = "/api/v1/exports/kinerja/"
    params = {"period": "2026-10", "unit": "BKD", "file_format": "csv"}
    for user in (org.bob.user, org.alice.user, org.oscar):
        assert client_for(user).get(url, params).status_code == 403, user
    # The auditors of the instansi export any of its units (for TPP).
    assert client_for(org.audi).get(url, params).status_code == 200
    assert (
        client_for(org.audi).get(url, {**params, "unit": "DINKES"}).status_code == 200
    )
    assert (
        client_for(org.audi).get(url, {**params, "unit": "BKPSDM"}).status_code == 403
    )
    response = client_for(org.uma).get(url, params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = b"".join(response.streaming_content).decode()
    assert text.splitlines()[0].startswith("period,period_start,period_end,nip")
    assert org.alice.nip in text and org.charlie.nip not in text
    xlsx = client_for(org.root).get(url, {**params, "file_format": "xlsx"})
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")
    assert client_for(org.uma).get(url, {**params, "unit": "DINKES"}).status_code == 403
