"""POST/GET /api/v1/reports/ and the review flow: the contract, idempotency,
evidence upload safety, who may review, signals and feed events."""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from PIL import Image
from rest_framework.test import APIClient

from backend.activity.models import ActivityEvent
from backend.audit.chain import verify
from backend.audit.models import AuditEntry
from backend.lib.photos import inspect_photo
from backend.performance.models import DailyReport, ReportEvidence, ReportReview
from tests.api.test_checkins_api import spread_over_the_bands
from tests.conftest import client_for
from tests.factories import CheckInFactory, agreed_skp

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
WIB = dt.timezone(dt.timedelta(hours=7))
# A Wednesday afternoon in Pekanbaru.
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=WIB)
SITE = (0.533333, 101.450000)  # a field visit in Pekanbaru
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def skp(org: Any) -> Any:
    return agreed_skp(org.alice)


def jpeg(side: int = 480, name: str = "mobile_HMD_Nokia_8.3_5G_1280.jpg") -> bytes:
    """A photo as the phone app sends it: re-encoded, no EXIF."""
    with Image.open(PHOTOS / name) as image:
        image = image.convert("RGB")
        image.thumbnail((side, side))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()


def upload(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def payload(skp: Any, **overrides: Any) -> dict[str, Any]:
    rhk = skp.rhks.get()
    data: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "date": "2026-11-25",
        "rhk": rhk.pk,
        "action_plan": rhk.action_plans.get().pk,
        "description": "Verifikasi 12 berkas usulan mutasi",
        "output_quantity": "12",
        "output_unit": "dokumen",
        "start_time": "08:00",
        "end_time": "11:30",
        "work_mode": "office",
    }
    photos = overrides.pop("photos", None)
    if photos is not None:
        data["photos"] = [upload(p, f"bukti{i}.jpg") for i, p in enumerate(photos)]
        data["photos_meta"] = overrides.pop(
            "photos_meta",
            (
                "["
                + ",".join(
                    f'{{"latitude": {SITE[0]}, "longitude": {SITE[1]}, '
                    f'"accuracy_m": 10, "captured_at": "2026-11-25T09:30:00+07:00"}}'
                    for _ in photos
                )
                + "]"
            ),
        )
    data.update(overrides)
    return data


def post(client: APIClient, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/reports/", data, format="multipart")


def codes(flags: list[dict[str, Any]]) -> set[str]:
    return {flag["code"] for flag in flags}


# --- the contract --------------------------------------------------------


def test_it_records_a_submitted_report_with_evidence(org: Any, skp: Any) -> None:
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    data = payload(skp, photos=[jpeg()], documents=[upload(PDF, "sk.pdf")])
    data["links"] = ["https://drive.example.go.id/berkas/12"]
    response = post(client_for(org.alice.user), data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "submitted"
    assert body["employee"]["nip"] == org.alice.nip
    assert body["rhk"]["text"] == skp.rhks.get().text
    assert body["output_quantity"] == 12
    assert [e["kind"] for e in body["evidence"]] == ["photo", "document", "link"]
    photo, document, link = body["evidence"]
    assert photo["latitude"] == SITE[0]
    assert photo["download_url"].endswith(
        f"/api/v1/reports/{body['id']}/evidence/{photo['id']}/"
    )
    assert photo["thumbnail_url"]
    assert document["thumbnail_url"] is None
    assert link["link"] == "https://drive.example.go.id/berkas/12"
    assert link["download_url"] is None
    assert body["signals"] == []
    assert body["support"] == "supported"

    report = DailyReport.objects.get()
    stored = report.evidence.get(kind="photo").file.name
    assert stored.startswith("reports/2026/11/25/") and stored.endswith(".jpg")
    assert report.evidence.get(kind="document").file.name.endswith(".pdf")
    event = ActivityEvent.objects.get(type="report.submitted")
    assert event.employee_id == org.alice.pk
    assert event.data["report_id"] == report.pk


def test_a_draft_is_not_announced_until_it_is_submitted(org: Any, skp: Any) -> None:
    alice = client_for(org.alice.user)
    response = post(alice, payload(skp, submit="false"))
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "draft"
    assert not ActivityEvent.objects.filter(type="report.submitted").exists()
    # bob does not see drafts in his queue
    bob = client_for(org.bob.user)
    assert bob.get("/api/v1/team/reports/").json()["results"] == []

    submitted = alice.post(f"/api/v1/reports/{response.json()['id']}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert ActivityEvent.objects.filter(type="report.submitted").count() == 1


def test_a_retry_with_the_same_client_uuid_answers_the_same_report(
    org: Any, skp: Any
) -> None:
    alice = client_for(org.alice.user)
    data = payload(skp, photos=[jpeg()])
    first = post(alice, data)
    assert first.status_code == 201
    again = payload(skp, photos=[jpeg()], client_uuid=data["client_uuid"])
    second = post(alice, again)
    assert second.status_code == 200, second.json()
    assert second.json()["id"] == first.json()["id"]
    assert DailyReport.objects.count() == 1
    assert ReportEvidence.objects.count() == 1
    assert ActivityEvent.objects.filter(type="report.submitted").count() == 1


def test_reusing_a_client_uuid_for_other_content_is_a_conflict(
    org: Any, skp: Any
) -> None:
    alice = client_for(org.alice.user)
    data = payload(skp)
    assert post(alice, data).status_code == 201
    other = payload(skp, client_uuid=data["client_uuid"], description="Lain")
    response = post(alice, other)
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_it_refuses_an_rhk_of_someone_elses_skp(org: Any, skp: Any) -> None:
    bob_skp = agreed_skp(org.bob, rater=org.dina)
    data = payload(skp, rhk=bob_skp.rhks.get().pk, action_plan="")
    response = post(client_for(org.alice.user), data)
    assert response.status_code == 400
    assert "rhk" in response.json()["fields"]


def test_it_refuses_a_report_for_a_day_to_come(org: Any, skp: Any) -> None:
    response = post(client_for(org.alice.user), payload(skp, date="2026-11-26"))
    assert response.status_code == 400
    assert "date" in response.json()["fields"]


def test_it_refuses_an_end_before_the_start(org: Any, skp: Any) -> None:
    data = payload(skp, start_time="11:00", end_time="10:00")
    response = post(client_for(org.alice.user), data)
    assert response.status_code == 400
    assert "end_time" in response.json()["fields"]


# --- evidence upload safety ---------------------------------------------


def test_it_refuses_a_document_that_is_not_a_pdf_by_content(
    org: Any, skp: Any, settings: Any
) -> None:
    fake = upload(b"<html><script>alert(1)</script></html>", "laporan.pdf")
    response = post(client_for(org.alice.user), payload(skp, documents=[fake]))
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert DailyReport.objects.count() == 0
    assert not (Path(settings.MEDIA_ROOT) / "reports").exists()


def test_it_refuses_a_photo_that_is_not_a_photo(org: Any, skp: Any) -> None:
    response = post(client_for(org.alice.user), payload(skp, photos=[PDF]))
    assert response.status_code == 415
    assert DailyReport.objects.count() == 0


def test_it_refuses_a_truncated_pdf(org: Any, skp: Any) -> None:
    cut = upload(PDF[: len(PDF) // 2], "sk.pdf")
    response = post(client_for(org.alice.user), payload(skp, documents=[cut]))
    assert response.status_code == 400
    assert response.json()["code"] == "damaged_document"


def test_it_refuses_a_document_over_the_size_limit(
    org: Any, skp: Any, settings: Any
) -> None:
    settings.REPORT_DOCUMENT_MAX_BYTES = 2048
    big = upload(PDF[:-7] + b" " * 4096 + b"\n%%EOF\n", "besar.pdf")
    response = post(client_for(org.alice.user), payload(skp, documents=[big]))
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_declared_over_the_evidence_limit_is_a_413_naming_the_uploads(
    org: Any, skp: Any, settings: Any
) -> None:
    settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES = 300 * 1024
    photo = (PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg").read_bytes()
    response = post(client_for(org.alice.user), payload(skp, photos=[photo]))
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "300 KB" in body["message"]
    assert set(body["fields"]) == {"photos", "documents"}
    assert not DailyReport.objects.exists()


def test_it_refuses_more_evidence_files_than_allowed(
    org: Any, skp: Any, settings: Any
) -> None:
    settings.REPORT_EVIDENCE_MAX_FILES = 2
    docs = [upload(PDF, f"{i}.pdf") for i in range(3)]
    response = post(client_for(org.alice.user), payload(skp, documents=docs))
    assert response.status_code == 400
    assert DailyReport.objects.count() == 0


def test_it_refuses_evidence_over_the_total_size(
    org: Any, skp: Any, settings: Any
) -> None:
    settings.REPORT_EVIDENCE_MAX_TOTAL_BYTES = len(PDF) + 10
    docs = [upload(PDF, "a.pdf"), upload(PDF, "b.pdf")]
    response = post(client_for(org.alice.user), payload(skp, documents=docs))
    assert response.status_code == 413


def test_each_photo_needs_its_position_and_time(org: Any, skp: Any) -> None:
    data = payload(skp, photos=[jpeg()], photos_meta="[]")
    response = post(client_for(org.alice.user), data)
    assert response.status_code == 400
    assert "photos_meta" in response.json()["fields"]


def test_a_pdf_is_served_as_an_attachment_to_those_who_may_see_it(
    org: Any, skp: Any
) -> None:
    data = payload(skp, documents=[upload(PDF, "sk.pdf")])
    body = post(client_for(org.alice.user), data).json()
    url = body["evidence"][0]["download_url"]
    response = client_for(org.bob.user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    for outsider in (org.charlie.user, org.erik.user, org.oscar):
        assert client_for(outsider).get(url).status_code == 404


def test_photos_are_served_re_encoded_without_exif(org: Any, skp: Any) -> None:
    original = (PHOTOS / "gps_DSCN0010.jpg").read_bytes()
    body = post(client_for(org.alice.user), payload(skp, photos=[original])).json()
    evidence = body["evidence"][0]
    assert evidence["exif"]["latitude"] is not None
    bob = client_for(org.bob.user)
    for url in (evidence["download_url"], evidence["thumbnail_url"]):
        response = bob.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        served = b"".join(response.streaming_content)
        assert served != original
        with Image.open(io.BytesIO(served)) as image:
            assert not image.getexif()
    assert client_for(org.charlie.user).get(evidence["download_url"]).status_code == 404


def test_opening_evidence_is_audited_for_everyone_but_its_owner(
    org: Any, skp: Any
) -> None:
    data = payload(skp, photos=[jpeg()], documents=[upload(PDF, "sk.pdf")])
    body = post(client_for(org.alice.user), data).json()
    photo, document = body["evidence"]
    urls = [photo["download_url"], photo["thumbnail_url"], document["download_url"]]
    alice = client_for(org.alice.user)
    for url in urls:
        assert alice.get(url).status_code == 200, url
    assert not AuditEntry.objects.filter(action__endswith=".accessed").exists()
    bob = client_for(org.bob.user)
    for url in urls:
        assert bob.get(url).status_code == 200, url
    entries = AuditEntry.objects.filter(action__endswith=".accessed").order_by("id")
    assert [
        (e.action, e.target_type, e.target_id, e.after["variant"]) for e in entries
    ] == [
        ("photo.accessed", "performance.reportevidence", str(photo["id"]), "photo"),
        ("photo.accessed", "performance.reportevidence", str(photo["id"]), "thumbnail"),
        (
            "document.accessed",
            "performance.reportevidence",
            str(document["id"]),
            "document",
        ),
    ]
    assert {e.actor_id for e in entries} == {org.bob.user_id}
    assert {e.after["report_id"] for e in entries} == {body["id"]}
    assert verify().ok


def test_a_pixel_cap_lowered_later_still_serves_evidence_already_accepted(
    org: Any, skp: Any, settings: Any
) -> None:
    body = post(client_for(org.alice.user), payload(skp, photos=[jpeg()])).json()
    item = body["evidence"][0]
    settings.PHOTO_MAX_PIXELS = 50_000  # the photo has 480 x 206 pixels
    bob = client_for(org.bob.user)
    for url in (item["download_url"], item["thumbnail_url"]):
        response = bob.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_a_lost_evidence_original_is_served_as_its_thumbnail_or_a_410(
    org: Any, skp: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = post(client_for(org.alice.user), payload(skp, photos=[jpeg()])).json()
    item = body["evidence"][0]
    stored = ReportEvidence.objects.get(pk=item["id"])
    original = Path(settings.MEDIA_ROOT) / stored.file.name
    original.unlink()
    bob = client_for(org.bob.user)
    with caplog.at_level(logging.ERROR, logger="mobile_api.errors"):
        for url in (item["download_url"], item["thumbnail_url"]):
            response = bob.get(url)
            assert response.status_code == 410, url
            assert response.json()["code"] == "photo_unavailable"
    assert f"report evidence {item['id']}:" in caplog.text
    # A thumbnail made while the original was there stands in for it.
    original.write_bytes(jpeg())
    assert bob.get(item["thumbnail_url"]).status_code == 200
    original.unlink()
    response = bob.get(item["download_url"])
    assert response.status_code == 200
    assert response["X-Photo-Original-Purged"] == "true"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        assert max(served.size) == 320


def test_a_damaged_evidence_original_is_a_410_logged_as_an_error(
    org: Any, skp: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = post(client_for(org.alice.user), payload(skp, photos=[jpeg()])).json()
    item = body["evidence"][0]
    stored = ReportEvidence.objects.get(pk=item["id"])
    original = Path(settings.MEDIA_ROOT) / stored.file.name
    original.write_bytes(original.read_bytes()[:2000])
    bob = client_for(org.bob.user)
    with caplog.at_level(logging.ERROR, logger="mobile_api.errors"):
        for url in (item["download_url"], item["thumbnail_url"]):
            response = bob.get(url)
            assert response.status_code == 410, url
            assert response.json()["code"] == "photo_unavailable"
    assert caplog.text.count(f"report evidence {item['id']}:") == 2


def test_a_lost_pdf_is_a_410(org: Any, skp: Any) -> None:
    data = payload(skp, documents=[upload(PDF, "sk.pdf")])
    item = post(client_for(org.alice.user), data).json()["evidence"][0]
    stored = ReportEvidence.objects.get(pk=item["id"])
    (Path(settings.MEDIA_ROOT) / stored.file.name).unlink()
    response = client_for(org.bob.user).get(item["download_url"])
    assert response.status_code == 410
    assert response.json()["code"] == "document_unavailable"


# --- signals for the reviewer -------------------------------------------


def test_field_work_without_geotagged_photos_is_weaker(org: Any, skp: Any) -> None:
    data = payload(
        skp,
        work_mode="flexible",
        place_name="Kantor Camat Tampan",
        latitude=SITE[0],
        longitude=SITE[1],
    )
    body = post(client_for(org.alice.user), data).json()
    assert "field_work_unsupported" in codes(body["signals"])
    assert body["support"] == "weak"


def test_evidence_taken_far_from_the_claimed_place_is_flagged(
    org: Any, skp: Any
) -> None:
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    data = payload(
        skp,
        photos=[jpeg()],
        work_mode="flexible",
        place_name="Kantor Camat Tampan",
        latitude=SITE[0] + 0.05,  # about 5.5 km north of where the photo was
        longitude=SITE[1],
    )
    body = post(client_for(org.alice.user), data).json()
    assert codes(body["signals"]) == {"evidence_far_from_place"}
    message = body["signals"][0]["message"]
    assert "Kantor Camat Tampan" in message


def test_a_geotagged_photo_at_the_claimed_place_supports_field_work(
    org: Any, skp: Any
) -> None:
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    data = payload(
        skp,
        photos=[jpeg()],
        work_mode="flexible",
        latitude=SITE[0],
        longitude=SITE[1] + 0.001,
    )
    body = post(client_for(org.alice.user), data).json()
    assert body["signals"] == []
    assert body["support"] == "supported"


def test_a_day_without_check_in_is_shown_to_the_reviewer(org: Any, skp: Any) -> None:
    body = post(client_for(org.alice.user), payload(skp)).json()
    assert "attendance_missing" in codes(body["signals"])


def test_a_flagged_check_in_that_day_is_shown_to_the_reviewer(
    org: Any, skp: Any
) -> None:
    CheckInFactory(
        employee=org.alice,
        captured_at=NOW.replace(hour=7, minute=20),
        status="needs_review",
    )
    body = post(client_for(org.alice.user), payload(skp)).json()
    assert codes(body["signals"]) == {"attendance_flagged"}


def test_the_same_evidence_photo_in_two_reports_is_flagged(org: Any, skp: Any) -> None:
    alice = client_for(org.alice.user)
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    photo = jpeg()
    first = post(alice, payload(skp, photos=[photo])).json()
    second = post(alice, payload(skp, photos=[photo])).json()
    assert first["evidence"][0]["flags"] == []
    flags = second["evidence"][0]["flags"]
    assert codes(flags) == {"evidence_reused"}
    assert "evidence_flagged" in codes(second["signals"])
    # The reviewer reads which report holds the photo and whose it is; the
    # report's own employee is told no names (the match may be someone else's).
    assert org.alice.nip not in flags[0]["message"]
    reviewed = client_for(org.bob.user).get(f"/api/v1/reports/{second['id']}/")
    assert reviewed.status_code == 200
    message = reviewed.json()["evidence"][0]["flags"][0]["message"]
    assert str(first["id"]) in message and org.alice.nip in message


def test_a_resized_copy_of_an_evidence_photo_is_a_near_duplicate(
    org: Any, skp: Any
) -> None:
    alice = client_for(org.alice.user)
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    first = post(alice, payload(skp, photos=[jpeg()])).json()
    copy = post(alice, payload(skp, photos=[jpeg(side=640)])).json()
    other = post(alice, payload(skp, photos=[jpeg(name="mobile_jolla.jpg")])).json()
    assert first["evidence"][0]["flags"] == []
    assert codes(copy["evidence"][0]["flags"]) == {"evidence_near_duplicate"}
    assert other["evidence"][0]["flags"] == []


def test_a_near_duplicate_evidence_photo_is_found_behind_many_sharing_a_band(
    org: Any, skp: Any
) -> None:
    alice = client_for(org.alice.user)
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    copy = jpeg(side=640)
    phash = inspect_photo(copy, max_bytes=1 << 24, max_pixels=10**8).phash
    # Earlier evidence that shares the copy's first band and no other bit:
    # more than one batch of candidates, all weighed before the match.
    far = phash[:4] + f"{~int(phash[4:], 16) & (1 << 48) - 1:012x}"
    earlier = DailyReport.objects.get(pk=post(alice, payload(skp)).json()["id"])
    ReportEvidence.objects.bulk_create(
        ReportEvidence(
            report=earlier,
            kind="photo",
            position=position,
            phash=far,
            phash_band0=far[0:4],
            phash_band1=far[4:8],
            phash_band2=far[8:12],
            phash_band3=far[12:16],
        )
        for position in range(600)
    )
    original = post(alice, payload(skp, photos=[jpeg()])).json()
    assert original["evidence"][0]["flags"] == []
    second = post(alice, payload(skp, photos=[copy])).json()
    assert codes(second["evidence"][0]["flags"]) == {"evidence_near_duplicate"}


@pytest.mark.parametrize(("distance", "flagged"), [(6, True), (7, False)])
def test_a_near_duplicate_evidence_photo_is_found_up_to_the_limit(
    org: Any, skp: Any, distance: int, flagged: bool
) -> None:
    alice = client_for(org.alice.user)
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    photo = jpeg(side=640)
    phash = inspect_photo(photo, max_bytes=1 << 24, max_pixels=10**8).phash
    # Differences dealt round the four bands (limit 6).
    near = spread_over_the_bands(phash, distance)
    earlier = DailyReport.objects.get(pk=post(alice, payload(skp)).json()["id"])
    ReportEvidence.objects.create(
        report=earlier,
        kind="photo",
        position=0,
        phash=near,
        phash_band0=near[0:4],
        phash_band1=near[4:8],
        phash_band2=near[8:12],
        phash_band3=near[12:16],
    )
    report = post(alice, payload(skp, photos=[photo])).json()
    found = codes(report["evidence"][0]["flags"])
    assert ("evidence_near_duplicate" in found) is flagged


def test_evidence_photo_time_outside_the_claimed_hours_is_flagged(
    org: Any, skp: Any
) -> None:
    CheckInFactory(employee=org.alice, captured_at=NOW.replace(hour=7, minute=20))
    meta = (
        f'[{{"latitude": {SITE[0]}, "longitude": {SITE[1]}, "accuracy_m": 10, '
        '"captured_at": "2026-11-25T14:30:00+07:00"}]'
    )
    body = post(
        client_for(org.alice.user), payload(skp, photos=[jpeg()], photos_meta=meta)
    ).json()
    assert "evidence_outside_hours" in codes(body["signals"])


# --- review ---------------------------------------------------------------


def _submitted(org: Any, skp: Any) -> int:
    response = post(client_for(org.alice.user), payload(skp))
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def test_the_supervisor_sees_submitted_reports_and_approves(org: Any, skp: Any) -> None:
    report_id = _submitted(org, skp)
    bob = client_for(org.bob.user)
    queue = bob.get("/api/v1/team/reports/", {"status": "submitted"}).json()
    assert [r["id"] for r in queue["results"]] == [report_id]
    response = bob.post(
        f"/api/v1/reports/{report_id}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    assert response.json()["reviewed_by"]["nip"] == org.bob.nip
    assert (
        bob.get("/api/v1/team/reports/", {"status": "submitted"}).json()["results"]
        == []
    )
    review = ReportReview.objects.get()
    assert (review.reviewer, review.decision) == (org.bob, "approve")
    event = ActivityEvent.objects.get(type="report.reviewed")
    assert event.employee_id == org.alice.pk
    assert event.actor_nip == org.bob.nip
    assert event.data["status"] == "approved"


def test_a_returned_report_needs_a_comment_and_can_be_resubmitted(
    org: Any, skp: Any
) -> None:
    report_id = _submitted(org, skp)
    bob = client_for(org.bob.user)
    url = f"/api/v1/reports/{report_id}/review/"
    no_comment = bob.post(url, {"decision": "return"}, format="json")
    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()["fields"]
    returned = bob.post(
        url, {"decision": "return", "comment": "Lampirkan SK"}, format="json"
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "Lampirkan SK"

    # a returned report cannot be approved until it is resubmitted
    assert bob.post(url, {"decision": "approve"}, format="json").status_code == 400

    alice = client_for(org.alice.user)
    again = alice.post(
        f"/api/v1/reports/{report_id}/submit/",
        {"description": "Verifikasi 12 berkas, SK terlampir"},
        format="json",
    )
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "submitted"
    assert again.json()["description"].endswith("SK terlampir")
    approved = bob.post(url, {"decision": "approve"}, format="json")
    assert approved.json()["status"] == "approved"
    assert list(
        ReportReview.objects.order_by("id").values_list("decision", flat=True)
    ) == ["return", "approve"]
    assert ActivityEvent.objects.filter(type="report.submitted").count() == 2
    assert ActivityEvent.objects.filter(type="report.reviewed").count() == 2


def test_nobody_reviews_their_own_report(org: Any, skp: Any) -> None:
    report_id = _submitted(org, skp)
    response = client_for(org.alice.user).post(
        f"/api/v1/reports/{report_id}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    assert DailyReport.objects.get().status == "submitted"


def test_only_the_employees_raters_may_review(org: Any, skp: Any) -> None:
    report_id = _submitted(org, skp)
    url = f"/api/v1/reports/{report_id}/review/"
    # dina sees alice (up the chain) and uma administers BKD, but neither
    # rates her; charlie cannot even see the report.
    for user, expected in ((org.dina.user, 403), (org.charlie.user, 404)):
        response = client_for(user).post(url, {"decision": "approve"}, format="json")
        assert response.status_code == expected, user
    assert client_for(org.uma).post(url, {"decision": "approve"}).status_code == 404
    assert DailyReport.objects.get().status == "submitted"


def test_the_skp_rater_may_review_too(org: Any) -> None:
    skp = agreed_skp(org.alice, rater=org.dina)
    report_id = _submitted(org, skp)
    queue = client_for(org.dina.user).get("/api/v1/team/reports/").json()
    assert [r["id"] for r in queue["results"]] == [report_id]
    response = client_for(org.dina.user).post(
        f"/api/v1/reports/{report_id}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200


def test_comments_form_a_thread_on_a_report(org: Any, skp: Any) -> None:
    report_id = _submitted(org, skp)
    url = f"/api/v1/reports/{report_id}/comments/"
    bob, alice = client_for(org.bob.user), client_for(org.alice.user)
    assert bob.post(url, {"text": "Sudah bagus"}, format="json").status_code == 201
    assert alice.post(url, {"text": "Terima kasih"}, format="json").status_code == 201
    thread = alice.get(url).json()
    assert [(c["author"], c["text"]) for c in thread] == [
        (org.bob.name, "Sudah bagus"),
        (org.alice.name, "Terima kasih"),
    ]
    assert client_for(org.charlie.user).get(url).status_code == 404


def test_the_list_shows_only_the_callers_reports(org: Any, skp: Any) -> None:
    _submitted(org, skp)
    assert (
        len(client_for(org.alice.user).get("/api/v1/reports/").json()["results"]) == 1
    )
    assert client_for(org.bob.user).get("/api/v1/reports/").json()["results"] == []


def test_the_list_refuses_a_cursor_it_did_not_make(org: Any) -> None:
    refused = client_for(org.alice.user).get("/api/v1/reports/", {"cursor": "x"})
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["cursor"]
