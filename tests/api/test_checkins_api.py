"""POST/GET /api/v1/checkins/: the contract, idempotency, evidence safety,
access by role, and every verification flag firing and not firing."""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import DataError, OperationalError, connection
from django.utils import translation
from PIL import Image, ImageCms
from PIL.ExifTags import Base
from rest_framework.test import APIClient

from backend.attendance import evidence
from backend.attendance.flags import render_flags
from backend.attendance.models import CheckIn, Holiday, Workplace
from backend.flexwork.models import FlexDay, FlexRequest
from backend.lib.photos import hamming_distance, inspect_photo
from tests.attendance.builders import schedule
from tests.conftest import OFFICE, client_for
from tests.factories import CheckInFactory
from tests.lib.test_photos import (
    GREEN,
    display_p3,
    jpeg_with_exif,
    max_channel_difference,
)

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
WIB = dt.timezone(dt.timedelta(hours=7))
# A Wednesday morning in Pekanbaru.
NOW = dt.datetime(2026, 11, 25, 7, 20, tzinfo=WIB)


def clean_jpeg(
    name: str = "mobile_HMD_Nokia_8.3_5G_1280.jpg",
    *,
    size: int = 640,
    shade: int | None = None,
) -> bytes:
    """A photo as the web app sends it: re-encoded, no EXIF."""
    with Image.open(PHOTOS / name) as image:
        image = image.convert("RGB")
        image.thumbnail((size, size))
        if shade is not None:
            image = Image.new("RGB", image.size, (shade, 255 - shade, shade // 2))
            for x in range(0, image.width, 7):
                image.putpixel((x, (x * shade) % image.height), (0, 0, 0))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        return out.getvalue()


def other_photo() -> bytes:
    return clean_jpeg("mobile_jolla.jpg")


def payload(**overrides: Any) -> dict[str, Any]:
    photo = overrides.pop("photo_bytes", None)
    data = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "in",
        "latitude": OFFICE[0],
        "longitude": OFFICE[1] + 0.0001,
        "accuracy_m": 8,
        "captured_at": NOW.isoformat(),
        "device_id": "android-alice-01",
    }
    data.update(overrides)
    if "photo" not in data:
        data["photo"] = io.BytesIO(photo if photo is not None else clean_jpeg())
        data["photo"].name = "selfie.jpg"
    return data


@pytest.fixture
def alice(org: Any, office: Workplace) -> APIClient:
    return client_for(org.alice.user)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def post(client: APIClient, data: dict[str, Any]) -> Any:
    return client.post("/api/v1/checkins/", data, format="multipart")


def codes(response: Any) -> set[str]:
    return {flag["code"] for flag in response.json()["flags"]}


# --- the contract --------------------------------------------------------


def test_it_verifies_a_clean_check_in_at_the_office(
    alice: APIClient, org: Any, office: Workplace
) -> None:
    data = payload()
    response = post(alice, data)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "verified", body["flags"]
    assert body["flags"] == []
    assert body["client_uuid"] == data["client_uuid"]
    assert body["kind"] == "in"
    assert body["geofence"] == "inside"
    assert body["workplace"] == {"id": office.pk, "name": "Kantor BKD"}
    assert 5 < body["distance_m"] < 20
    assert dt.datetime.fromisoformat(body["captured_at"]) == NOW
    assert body["received_at"]
    assert body["photo_url"].endswith(f"/api/v1/checkins/{body['id']}/photo/")
    assert body["thumbnail_url"].endswith(f"/api/v1/checkins/{body['id']}/thumbnail/")
    row = CheckIn.objects.get()
    assert row.employee == org.alice
    assert row.local_date == dt.date(2026, 11, 25)
    assert Path(row.photo.path).read_bytes() == data["photo"].getvalue()


def test_it_lists_only_the_callers_check_ins_with_date_filters(
    alice: APIClient, org: Any, office: Workplace
) -> None:
    post(alice, payload())
    post(client_for(org.bob.user), payload(photo_bytes=other_photo()))
    listed = alice.get("/api/v1/checkins/").json()
    assert [c["kind"] for c in listed["results"]] == ["in"]
    assert listed["next"] is None
    assert (
        alice.get("/api/v1/checkins/", {"from": "2026-11-26"}).json()["results"] == []
    )
    bad = alice.get("/api/v1/checkins/", {"from": "2026-11-26", "to": "2026-11-01"})
    assert bad.status_code == 400
    assert "to" in bad.json()["fields"]
    assert alice.get("/api/v1/checkins/", {"from": "kemarin"}).json()["fields"]["from"]


def test_the_list_pages_by_cursor_and_refuses_a_cursor_it_did_not_make(
    alice: APIClient,
) -> None:
    for minutes in range(3):
        moment = NOW - dt.timedelta(minutes=minutes)
        post(
            alice,
            payload(
                captured_at=moment.isoformat(),
                photo_bytes=clean_jpeg(size=200 + minutes),
            ),
        )
    first = alice.get("/api/v1/checkins/", {"page_size": 2}).json()
    second = alice.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1
    assert second["next"] is None
    # Forged: not base64; "p=2026"; times at the calendar's ends that
    # overflow on their way to UTC.
    forged = [
        base64.b64encode(f"p={position}".encode()).decode()
        for position in ("9999-12-31T23:00:00-07:00", "0001-01-01T00:00:00+07:00")
    ]
    for cursor in ("garbage", "cD0yMDI2", *forged):
        refused = alice.get("/api/v1/checkins/", {"cursor": cursor})
        assert refused.status_code == 400
        assert refused.json()["code"] == "validation_error"
        assert list(refused.json()["fields"]) == ["cursor"]


def test_a_replay_returns_the_original_body_and_no_second_row(alice: APIClient) -> None:
    data = payload()
    photo = data["photo"].getvalue()
    first = post(alice, data)
    again = post(alice, {**data, "photo": _file(photo)})
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 1


def test_a_replay_after_a_review_answers_the_check_in_as_it_stands(
    alice: APIClient, org: Any
) -> None:
    from backend.audit.services import checkin_review

    data = payload(latitude=0.6)  # outside the office: needs review
    photo = data["photo"].getvalue()
    first = post(alice, data)
    assert first.json()["status"] == "needs_review"
    checkin_review(
        checkin=CheckIn.objects.get(), reviewer=org.uma, verdict="reject", note="x"
    )
    again = post(alice, {**data, "photo": _file(photo)})
    assert again.status_code == 200
    assert again.json() == {**first.json(), "status": "rejected"}
    assert CheckIn.objects.count() == 1


def test_the_same_uuid_with_different_content_is_a_conflict(alice: APIClient) -> None:
    data = payload()
    photo = data["photo"].getvalue()
    post(alice, data)
    changed = post(alice, {**data, "photo": _file(photo), "latitude": 0.6})
    assert changed.status_code == 409
    assert changed.json()["code"] == "conflict"
    assert CheckIn.objects.count() == 1


def _file(data: bytes, name: str = "selfie.jpg") -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_a_lost_race_on_the_unique_constraint_answers_with_the_winner(
    org: Any, office: Workplace, monkeypatch: Any
) -> None:
    from backend.attendance import services

    photo = clean_jpeg()
    arguments = {
        "employee": org.alice,
        "client_uuid": uuid.uuid4(),
        "kind": "in",
        "latitude": OFFICE[0],
        "longitude": OFFICE[1],
        "accuracy_m": 5.0,
        "captured_at": NOW,
    }
    first = services.checkin_create(photo=io.BytesIO(photo), **arguments)
    # The second send did its existence check before the first committed.
    real = services._existing
    calls = iter([None])
    monkeypatch.setattr(services, "_existing", lambda *a: next(calls, None) or real(*a))
    second = services.checkin_create(photo=io.BytesIO(photo), **arguments)
    assert (first.created, second.created) == (True, False)
    assert second.checkin.pk == first.checkin.pk
    assert CheckIn.objects.count() == 1
    media = Path(first.checkin.photo.path).parent
    assert len(list(media.iterdir())) == 1  # the loser's file was removed


def test_an_employee_with_the_longest_name_can_check_in(
    alice: APIClient, org: Any
) -> None:
    from backend.audit.models import AuditEntry

    org.alice.name = ("Prof. Dr. Ir. Hj. " + "Siti Nurhaliza Binti Abdullah " * 7)[:200]
    org.alice.save()
    response = post(alice, payload())
    assert response.status_code == 201, response.json()
    label = AuditEntry.objects.get(action="checkin.created").actor_label
    assert len(label) == 200
    assert label.startswith("Prof. Dr. Ir. Hj. Siti")
    assert label.endswith(f"\u2026 ({org.alice.nip})")


@pytest.mark.parametrize("compound_is_polygon", [False, True])
def test_the_office_the_employee_stands_in_beats_a_compound_around_it(
    alice: APIClient, org: Any, office: Workplace, compound_is_polygon: bool
) -> None:
    # A government compound fenced for the whole OPD, about 2 km across,
    # its centre some 550 m from the office building the employee is in.
    lat, lon = OFFICE[0] + 0.005, OFFICE[1]
    d = 0.018
    Workplace.objects.create(
        name="Kompleks Perkantoran Gubernur",
        unit=org.bkd,
        latitude=str(lat),
        longitude=str(lon),
        radius_m=2000,
        polygon=(
            [
                [lat - d, lon - d],
                [lat - d, lon + d],
                [lat + d, lon + d],
                [lat + d, lon - d],
            ]
            if compound_is_polygon
            else None
        ),
    )
    body = post(alice, payload(latitude=OFFICE[0], longitude=OFFICE[1])).json()
    assert body["geofence"] == "inside"
    assert body["workplace"] == {"id": office.pk, "name": office.name}
    assert body["distance_m"] == 0


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()}


def test_a_write_the_database_refuses_leaves_no_photo_behind(
    alice: APIClient, monkeypatch: Any
) -> None:
    from backend.attendance import services

    def refuse(*rows: Any) -> None:
        raise DataError("value refused")

    monkeypatch.setattr(services, "insert_rows", refuse)
    before = _media_files()
    response = post(alice, payload())
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "non_field_errors": ["Masukan berisi nilai yang tidak dapat disimpan."]
    }
    assert not CheckIn.objects.exists()
    assert _media_files() == before


def _create_failing_write(
    employee: Any, monkeypatch: Any, *, database_answers: bool
) -> None:
    """A check-in whose INSERT fails as when the database is unavailable;
    afterwards the database answers the question whether the row is there,
    or not."""
    from backend.attendance import checkin_reads, services

    def unavailable(*arguments: Any) -> Any:
        raise OperationalError("disk I/O error")

    real_existing_id = checkin_reads.existing_id
    lookups = []

    def existing_id(*arguments: Any) -> Any:
        lookups.append(arguments)
        # The first lookup is the replay check, before anything is written.
        if len(lookups) > 1 and not database_answers:
            unavailable()
        return real_existing_id(*arguments)

    monkeypatch.setattr(services, "insert_rows", unavailable)
    monkeypatch.setattr(checkin_reads, "existing_id", existing_id)
    with pytest.raises(OperationalError):
        services.checkin_create(
            employee=employee,
            client_uuid=uuid.uuid4(),
            kind="in",
            latitude=OFFICE[0],
            longitude=OFFICE[1],
            accuracy_m=5.0,
            captured_at=NOW,
            photo=io.BytesIO(clean_jpeg()),
        )
    assert len(lookups) == 2


def test_a_write_that_fails_leaves_no_photo_behind(
    org: Any, office: Workplace, monkeypatch: Any
) -> None:
    before = _media_files()
    _create_failing_write(org.alice, monkeypatch, database_answers=True)
    assert not CheckIn.objects.exists()
    assert _media_files() == before


def test_a_failed_write_keeps_the_photo_when_the_database_cannot_be_asked(
    org: Any, office: Workplace, monkeypatch: Any
) -> None:
    before = _media_files()
    _create_failing_write(org.alice, monkeypatch, database_answers=False)
    # Whether a row committed is unknown: the nightly sweep decides.
    assert len(_media_files() - before) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_make_exactly_one_row(org: Any, office: Workplace) -> None:
    from backend.attendance import services

    photo = clean_jpeg()
    arguments = {
        "employee": org.alice,
        "client_uuid": uuid.uuid4(),
        "kind": "in",
        "latitude": OFFICE[0],
        "longitude": OFFICE[1],
        "accuracy_m": 5.0,
        "captured_at": NOW,
    }
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        try:
            barrier.wait()
            results.append(
                services.checkin_create(photo=io.BytesIO(photo), **arguments)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.created for r in results) == [False, True]
    assert CheckIn.objects.count() == 1


# --- times ----------------------------------------------------------------


def test_an_offline_check_in_within_the_window_is_accepted_and_flagged(
    alice: APIClient,
) -> None:
    captured = NOW - dt.timedelta(hours=71)
    response = post(alice, payload(captured_at=captured.isoformat()))
    assert response.status_code == 201
    assert "late_sync" in codes(response)
    assert CheckIn.objects.get().local_date == dt.date(2026, 11, 22)


@pytest.mark.parametrize(
    "captured", [NOW - dt.timedelta(hours=73), NOW + dt.timedelta(minutes=10)]
)
def test_a_capture_time_outside_the_window_is_a_400(
    alice: APIClient, captured: dt.datetime
) -> None:
    response = post(alice, payload(captured_at=captured.isoformat()))
    assert response.status_code == 400
    assert "captured_at" in response.json()["fields"]
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "later",
    [
        dt.timedelta(hours=73),  # retried after the offline window
        -dt.timedelta(minutes=10),  # the server's clock stepped back
    ],
)
def test_a_retry_is_answered_whatever_the_window_says_now(
    alice: APIClient, later: dt.timedelta
) -> None:
    data = payload()
    photo = data["photo"].getvalue()
    first = post(alice, data)
    assert first.status_code == 201
    with time_machine.travel(NOW + later, tick=False):
        again = post(alice, {**data, "photo": _file(photo)})
        changed = post(alice, {**data, "photo": _file(photo), "latitude": 0.6})
    assert again.status_code == 200
    assert again.json() == first.json()
    assert changed.status_code == 409
    assert changed.json()["code"] == "conflict"
    assert CheckIn.objects.count() == 1


def test_a_small_clock_skew_is_tolerated(alice: APIClient) -> None:
    ahead = NOW + dt.timedelta(seconds=60)
    assert post(alice, payload(captured_at=ahead.isoformat())).status_code == 201


# --- malformed fields -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("client_uuid", "not-a-uuid"),
        ("client_uuid", ""),
        ("kind", "lunch"),
        ("latitude", "utara"),
        ("latitude", "91"),
        ("longitude", "-181"),
        ("longitude", "NaN"),
        # Read by Python's float() as 5.0, 101.4 and 8.0: not what was meant.
        ("latitude", "0_5"),
        ("longitude", "\uff11\uff10\uff11.4"),
        ("accuracy_m", "\u0668"),
        ("accuracy_m", "-1"),
        ("accuracy_m", "jauh"),
        ("captured_at", "kemarin"),
        ("captured_at", "2026-11-25T07:20:00"),
        # Kept with its offset, but still one the server can move to UTC.
        ("captured_at", "0001-01-01T00:00:00+14:00"),
        ("is_mock", "mungkin"),
        ("device_id", "x" * 200),
        ("note", "x" * 600),
    ],
)
def test_a_malformed_field_is_a_400_naming_it(
    alice: APIClient, field: str, value: str
) -> None:
    response = post(alice, payload(**{field: value}))
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"], body
    assert body["code"] == "validation_error"
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("latitude", "utara", "Harus berupa angka yang valid."),
        ("client_uuid", "x", "Harus berupa UUID yang valid."),
        (
            "photo",
            "teks",
            "Data yang dikirim bukan berkas. Periksa jenis encoding pada formulir.",
        ),
    ],
)
def test_field_messages_are_indonesian_by_default(
    alice: APIClient, field: str, value: str, message: str
) -> None:
    response = post(alice, payload(**{field: value}))
    assert response.json()["fields"][field] == [message]


@pytest.mark.parametrize(
    "field",
    [
        "client_uuid",
        "kind",
        "latitude",
        "longitude",
        "accuracy_m",
        "captured_at",
        "photo",
    ],
)
def test_a_missing_field_is_a_400_naming_it(alice: APIClient, field: str) -> None:
    data = payload()
    del data[field]
    response = post(alice, data)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_json_instead_of_multipart_is_a_415(alice: APIClient) -> None:
    response = alice.post("/api/v1/checkins/", {"kind": "in"}, format="json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_an_account_without_employee_record_cannot_check_in(
    org: Any, office: Workplace
) -> None:
    response = post(client_for(org.audi), payload())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_anonymous_requests_are_refused(db: Any) -> None:
    assert APIClient().post("/api/v1/checkins/", {}).status_code == 401


# --- photo evidence -------------------------------------------------------------


def _converted(fmt: str) -> bytes:
    with Image.open(PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg") as image:
        out = io.BytesIO()
        image.convert("RGB").save(out, fmt)
        return out.getvalue()


@pytest.mark.parametrize(
    ("maker", "fmt"),
    [
        (lambda: (PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg").read_bytes(), "jpeg"),
        (lambda: _converted("PNG"), "png"),
        (lambda: _converted("WEBP"), "webp"),
        (lambda: (PHOTOS / "mobile_iphone_13_pro_max.HEIC").read_bytes(), "heif"),
    ],
)
def test_every_phone_photo_format_is_accepted_by_content(
    alice: APIClient, maker: Any, fmt: str
) -> None:
    # The name and declared type lie; the content decides.
    response = post(alice, payload(photo=_file(maker(), name="photo.txt")))
    assert response.status_code == 201, response.json()
    assert CheckIn.objects.get().photo_format == fmt


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", 415),
        (b"GIF89a" + b"\x00" * 100, 415),
        (b"just some text pretending to be a photo", 415),
        (b"", 400),
    ],
)
def test_what_is_not_a_supported_photo_is_refused(
    alice: APIClient, data: bytes, status: int
) -> None:
    response = post(alice, payload(photo=_file(data)))
    assert response.status_code == status
    assert response.json()["message"]
    assert not CheckIn.objects.exists()


def test_a_truncated_photo_is_a_400(alice: APIClient) -> None:
    whole = (PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg").read_bytes()
    response = post(alice, payload(photo=_file(whole[: len(whole) // 2])))
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_a_damaged_photo_never_causes_a_500(alice: APIClient) -> None:
    response = post(
        alice, payload(photo=_file((PHOTOS / "corrupted.jpg").read_bytes()))
    )
    assert response.status_code in (201, 400)


def test_a_decompression_bomb_is_a_400(alice: APIClient, settings: Any) -> None:
    settings.PHOTO_MAX_PIXELS = 1_000_000
    image = Image.new("L", (2000, 2000))
    out = io.BytesIO()
    image.save(out, "PNG")
    response = post(alice, payload(photo=_file(out.getvalue())))
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_pixels"


def test_an_oversized_photo_is_a_413(alice: APIClient, settings: Any) -> None:
    settings.PHOTO_MAX_BYTES = 50_000
    response = post(
        alice,
        payload(photo_bytes=(PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg").read_bytes()),
    )
    assert response.status_code == 413
    assert not CheckIn.objects.exists()


def test_a_body_declared_over_the_limit_is_a_413_naming_the_photo_and_its_limit(
    alice: APIClient, settings: Any
) -> None:
    # Refused from Content-Length alone, before the body is parsed.
    settings.PHOTO_MAX_BYTES = 500_000
    response = post(
        alice,
        payload(photo_bytes=(PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg").read_bytes()),
    )
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large"
    assert "488 KB" in body["message"]
    assert body["fields"] == {"photo": [body["message"]]}
    assert not CheckIn.objects.exists()


def test_served_copies_carry_no_exif_and_no_trailing_bytes(alice: APIClient) -> None:
    original = (PHOTOS / "gps_DSCN0010.jpg").read_bytes() + b"PK\x03\x04<html>"
    body = post(alice, payload(photo=_file(original))).json()
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = alice.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        served = b"".join(response.streaming_content)
        assert b"Exif" not in served[:4096]
        assert served.endswith(b"\xff\xd9")
        assert b"<html>" not in served
        with Image.open(io.BytesIO(served)) as image:
            assert not image.getexif()


def _with_exif_as(fmt: str) -> bytes:
    """The GPS-tagged camera photo re-saved as ``fmt``, its EXIF kept."""
    with Image.open(PHOTOS / "gps_DSCN0010.jpg") as image:
        exif = image.info["exif"]
        out = io.BytesIO()
        image.convert("RGB").save(out, fmt, exif=exif)
        return out.getvalue()


@pytest.mark.parametrize(
    "original",
    [
        pytest.param(lambda: _with_exif_as("PNG"), id="png"),
        pytest.param(lambda: _with_exif_as("WEBP"), id="webp"),
        pytest.param(
            lambda: (PHOTOS / "mobile_iphone_13_pro_max.HEIC").read_bytes(), id="heic"
        ),
    ],
)
def test_served_copies_of_every_format_carry_no_exif(
    alice: APIClient, original: Any
) -> None:
    body = post(alice, payload(photo=_file(original()))).json()
    # The original's EXIF was read (and is kept as facts, not served).
    assert CheckIn.objects.get().exif["make"]
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = alice.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        served = b"".join(response.streaming_content)
        assert b"Exif" not in served
        with Image.open(io.BytesIO(served)) as image:
            assert image.format == "JPEG"
            assert not image.getexif()


def test_an_iphone_photo_tagged_display_p3_is_served_in_srgb(
    alice: APIClient,
) -> None:
    p3 = display_p3()
    heic = io.BytesIO()
    Image.new("RGB", (64, 48), GREEN).save(heic, "HEIF", icc_profile=p3, quality=95)
    body = post(alice, payload(photo=_file(heic.getvalue(), "IMG_0001.HEIC"))).json()
    srgb = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), GREEN),
        ImageCms.ImageCmsProfile(io.BytesIO(p3)),
        ImageCms.createProfile("sRGB"),
    )
    assert srgb is not None
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = alice.get(url)
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
            assert "icc_profile" not in served.info
            shown = served.getpixel((32, 24))
        assert max_channel_difference(shown, srgb.getpixel((0, 0))) <= 4, url


def test_a_pixel_cap_lowered_later_still_serves_photos_already_accepted(
    alice: APIClient, org: Any, settings: Any
) -> None:
    body = post(alice, payload()).json()  # 640 x 275 pixels
    settings.PHOTO_MAX_PIXELS = 100_000
    bob = client_for(org.bob.user)
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = bob.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    # New uploads are held to the new cap.
    refused = post(alice, payload())
    assert refused.status_code == 400
    assert refused.json()["code"] == "too_many_pixels"


def test_a_lost_original_whose_thumbnail_is_left_is_served_as_its_thumbnail(
    alice: APIClient, org: Any
) -> None:
    body = post(alice, payload()).json()
    checkin = CheckIn.objects.get()
    evidence.thumbnail_file(checkin)
    Path(checkin.photo.path).unlink()  # what a purge that stopped halfway leaves
    bob = client_for(org.bob.user)
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = bob.get(url)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert bob.get(body["photo_url"])["X-Photo-Original-Purged"] == "true"
    assert not evidence.display_path(checkin).exists()


def test_a_lost_original_without_copies_is_a_410_logged_as_an_error(
    alice: APIClient, org: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = post(alice, payload()).json()
    Path(CheckIn.objects.get().photo.path).unlink()
    bob = client_for(org.bob.user)
    with caplog.at_level(logging.ERROR, logger="mobile_api.errors"):
        for url in (body["photo_url"], body["thumbnail_url"]):
            response = bob.get(url)
            assert response.status_code == 410, url
            assert response.json()["code"] == "photo_unavailable"
    errors = [r for r in caplog.records if r.name == "mobile_api.errors"]
    assert len(errors) == 2
    assert all(f"check-in {body['id']}:" in r.getMessage() for r in errors)
    assert all(r.levelno == logging.ERROR for r in errors)


def test_a_damaged_stored_original_is_a_410_logged_as_an_error(
    alice: APIClient, org: Any, caplog: pytest.LogCaptureFixture
) -> None:
    body = post(alice, payload()).json()
    original = Path(CheckIn.objects.get().photo.path)
    original.write_bytes(original.read_bytes()[:2000])
    bob = client_for(org.bob.user)
    with caplog.at_level(logging.ERROR, logger="mobile_api.errors"):
        for url in (body["photo_url"], body["thumbnail_url"]):
            response = bob.get(url)
            assert response.status_code == 410, url
            assert response.json()["code"] == "photo_unavailable"
    errors = [r for r in caplog.records if r.name == "mobile_api.errors"]
    assert [r.levelno for r in errors] == [logging.ERROR, logging.ERROR]
    assert all(f"check-in {body['id']}:" in r.getMessage() for r in errors)


# --- who may see a check-in and its photo -------------------------------------


@pytest.mark.parametrize(
    ("viewer", "flagged", "allowed"),
    [
        ("alice", False, True),
        ("bob", False, True),
        ("dina", False, True),
        ("charlie", False, False),
        ("erik", False, False),
        ("uma", False, True),
        ("audi", False, False),
        ("audi", True, True),
        ("oscar", True, False),
        ("root", False, True),
    ],
)
def test_photo_access_by_role(
    alice: APIClient, org: Any, viewer: str, flagged: bool, allowed: bool
) -> None:
    overrides = {"is_mock": "true"} if flagged else {}
    body = post(alice, payload(**overrides)).json()
    assert (body["status"] == "needs_review") is flagged
    who = getattr(org, viewer)
    client = client_for(who.user if hasattr(who, "user") else who)
    for url in (
        f"/api/v1/checkins/{body['id']}/",
        body["photo_url"],
        body["thumbnail_url"],
    ):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404), (viewer, url)


# --- verification flags -------------------------------------------------------------


def test_outside_the_geofence_is_flagged_as_unapproved_flexible_work(
    alice: APIClient,
) -> None:
    response = post(alice, payload(latitude=0.5200, longitude=101.4600))
    body = response.json()
    assert body["geofence"] == "outside"
    assert body["status"] == "needs_review"
    assert {"geofence_outside", "flexible_unapproved"} <= codes(response)
    assert body["distance_m"] > 1000


def test_outside_the_approved_flexible_place_names_it_and_the_distance(
    alice: APIClient, org: Any
) -> None:
    home = (0.4600, 101.4000)  # about 7 km from the office
    approve_flexible_day(org.alice, home, "Jl. Melati 5, Pekanbaru")
    # About 2 km north of the approved place, far from the office too.
    response = alice.post(
        "/api/v1/checkins/",
        payload(latitude=home[0] + 0.018, longitude=home[1]),
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["status"] == "needs_review"
    assert _en(response, "flexible_unapproved") == (
        "Checked in outside every assigned workplace and 1990 m from the nearest "
        "approved flexible-work location of this day (Jl. Melati 5, Pekanbaru)."
    )
    row = CheckIn.objects.get()
    assert row.flag_codes == ",flexible_unapproved,geofence_outside,"


def test_an_accuracy_circle_across_the_edge_is_uncertain(alice: APIClient) -> None:
    # 70 m from the centre of an 80 m fence, accuracy 30 m.
    response = post(
        alice, payload(latitude=OFFICE[0] + 0.00063, longitude=OFFICE[1], accuracy_m=30)
    )
    body = response.json()
    assert body["geofence"] == "uncertain"
    assert "geofence_uncertain" in codes(response)
    assert body["status"] == "verified"  # the position itself is inside


def test_poor_accuracy_is_flagged(alice: APIClient) -> None:
    response = post(alice, payload(accuracy_m=150))
    assert "accuracy_poor" in codes(response)
    assert "accuracy_poor" not in codes(post(alice, payload(accuracy_m=20)))


def test_accuracy_of_exactly_zero_is_flagged(alice: APIClient) -> None:
    assert "accuracy_zero" in codes(post(alice, payload(accuracy_m=0)))


def test_a_mock_location_is_flagged_critical(alice: APIClient) -> None:
    response = post(alice, payload(is_mock="true"))
    flag = next(f for f in response.json()["flags"] if f["code"] == "mock_location")
    assert flag["severity"] == "critical"
    assert "mock_location" not in codes(
        post(alice, payload(is_mock="false", photo_bytes=other_photo()))
    )


def test_impossible_travel_since_the_previous_check_in_is_flagged(
    alice: APIClient,
) -> None:
    earlier = NOW - dt.timedelta(minutes=15)
    # Teluk Kuantan, 115 km south across the equator, 15 minutes earlier.
    post(
        alice,
        payload(
            latitude=-0.528060,
            longitude=101.562030,
            captured_at=earlier.isoformat(),
            photo_bytes=other_photo(),
        ),
    )
    response = post(alice, payload())
    assert "impossible_travel" in codes(response)


def test_impossible_travel_to_a_later_check_in_sent_first_is_flagged(
    alice: APIClient,
) -> None:
    # Offline phones upload out of order: the check-in 10 minutes later at the
    # office arrived first; this one, 115 km away, comes after it.
    later = NOW - dt.timedelta(minutes=5)
    post(alice, payload(captured_at=later.isoformat(), photo_bytes=other_photo()))
    earlier = NOW - dt.timedelta(minutes=15)
    response = post(
        alice,
        payload(
            latitude=-0.528060, longitude=101.562030, captured_at=earlier.isoformat()
        ),
    )
    assert "impossible_travel" in codes(response)


@pytest.mark.parametrize(("north", "flagged"), [(0.0, False), (0.01, True)])
def test_two_check_ins_at_the_same_moment_are_impossible_travel_unless_together(
    alice: APIClient, north: float, flagged: bool
) -> None:
    # The same second: any distance beyond the two accuracy circles is
    # infinitely fast; the same place is no travel at all.
    post(alice, payload(photo_bytes=other_photo()))
    response = post(alice, payload(latitude=OFFICE[0] + north, kind="out"))
    assert ("impossible_travel" in codes(response)) is flagged


def test_a_few_metres_within_the_same_second_is_not_impossible_travel(
    alice: APIClient,
) -> None:
    # Capture times have one-second resolution: 15 m apart (5 m beyond both
    # accuracy circles) "in 0 s" is at least a second, 18 km/h.
    post(alice, payload(latitude=OFFICE[0], longitude=OFFICE[1], accuracy_m=5))
    response = post(
        alice,
        payload(
            latitude=OFFICE[0] + 0.000135,
            longitude=OFFICE[1],
            accuracy_m=5,
            kind="out",
            photo_bytes=other_photo(),
        ),
    )
    assert "impossible_travel" not in codes(response)


def _travel_message(response: Any) -> str:
    return next(
        f["message"]
        for f in response.json()["flags"]
        if f["code"] == "impossible_travel"
    )


@pytest.mark.parametrize(
    ("north", "accuracy_m", "earlier"),
    [
        # About 3 km in 30 s: the time is not "0 min".
        (0.027, 8, dt.timedelta(seconds=30)),
        # 10 km with 1 km accuracy each, in a minute: the speed comes from
        # the 8 km the accuracy circles leave, which the message names.
        (0.0904, 1000, dt.timedelta(minutes=1)),
    ],
)
def test_the_impossible_travel_message_names_the_figures_of_its_speed(
    alice: APIClient, north: float, accuracy_m: float, earlier: dt.timedelta
) -> None:
    post(
        alice,
        payload(
            latitude=OFFICE[0] + north,
            longitude=OFFICE[1],
            accuracy_m=accuracy_m,
            captured_at=(NOW - earlier).isoformat(),
            photo_bytes=other_photo(),
        ),
    )
    response = alice.post(
        "/api/v1/checkins/",
        payload(latitude=OFFICE[0], longitude=OFFICE[1], accuracy_m=accuracy_m),
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    message = _travel_message(response)
    speed = int(message.split("need ")[1].split(" km/h")[0])
    trip = int(message.split("at least ")[1].split(" m")[0])
    gap = int(message.split("(")[1].split(" m between")[0])
    seconds = int(message.split(" in ")[1].split(" s;")[0])
    assert seconds == earlier.total_seconds()
    assert trip == pytest.approx(gap - 2 * accuracy_m, abs=1)
    assert speed == pytest.approx(trip / seconds * 3.6, rel=0.01), message


def test_a_travel_flag_stored_with_the_earlier_wording_still_reads() -> None:
    stored = {
        "code": "impossible_travel",
        "severity": "critical",
        "params": {
            "speed": 400,
            "distance": 100_000,
            "minutes": 15,
            "limit": 300,
            "other_time": "2026-11-25 07:05",
        },
    }
    with translation.override("en"):
        [flag] = render_flags([stored])
    assert flag["message"].endswith("(100000 m in 15 min; limit 300 km/h).")


def test_plausible_travel_is_not_flagged(alice: APIClient) -> None:
    earlier = NOW - dt.timedelta(hours=3)
    post(
        alice,
        payload(
            latitude=0.46,
            longitude=101.40,
            captured_at=earlier.isoformat(),
            photo_bytes=other_photo(),
        ),
    )
    assert "impossible_travel" not in codes(post(alice, payload()))


def test_photo_exif_gps_far_from_the_position_is_flagged(alice: APIClient) -> None:
    # Taken in Tuscany, reported in Pekanbaru.
    response = post(
        alice, payload(photo=_file((PHOTOS / "gps_DSCN0010.jpg").read_bytes()))
    )
    assert "exif_gps_far" in codes(response)
    assert "exif_gps_far" not in codes(post(alice, payload(photo_bytes=other_photo())))


def test_photo_exif_time_far_from_the_capture_time_is_flagged(alice: APIClient) -> None:
    response = post(
        alice, payload(photo=_file((PHOTOS / "mobile_jolla.jpg").read_bytes()))
    )
    assert "exif_time_far" in codes(response)


@pytest.mark.parametrize(
    ("phone_clock", "flagged"),
    [(dt.timezone(dt.timedelta(hours=8)), False), (WIB, True)],
)
def test_exif_time_without_offset_is_read_on_the_phones_clock(
    alice: APIClient, org: Any, phone_clock: dt.tzinfo, flagged: bool
) -> None:
    # An approved place in Denpasar (WITA, UTC+8) for a Riau (WIB) employee.
    denpasar = (-8.65, 115.2167)
    approve_flexible_day(org.alice, denpasar, "Kantor Perwakilan, Denpasar")
    # The camera wrote the wall clock, 08:20, without OffsetTimeOriginal.
    photo = jpeg_with_exif(exif_ifd={Base.DateTimeOriginal: "2026:11:25 08:20:00"})
    # NOW is 08:20 in WITA: a phone on WITA time took it then; one on WIB
    # time says 07:20, an hour from its camera's clock.
    data = payload(
        latitude=denpasar[0],
        longitude=denpasar[1],
        captured_at=NOW.astimezone(phone_clock).isoformat(),
        photo=_file(photo),
    )
    response = post(alice, data)
    body = response.json()
    assert body["mode"] == "flexible"
    assert ("exif_time_far" in codes(response)) is flagged, body["flags"]
    # The time itself is the same instant, answered and kept as before.
    assert body["captured_at"] == NOW.isoformat()
    row = CheckIn.objects.get()
    assert row.captured_at == NOW
    assert row.local_date == NOW.date()
    # The same check-in sent again is recognised as the same.
    assert post(alice, {**data, "photo": _file(photo)}).status_code == 200


@pytest.mark.parametrize(
    ("original", "offset"),
    [("0001:01:01 00:00:00", "+14:00"), ("9999:12:31 23:59:59", "-12:00")],
)
def test_a_photo_time_at_the_ends_of_the_calendar_is_no_time_at_all(
    alice: APIClient, original: str, offset: str
) -> None:
    photo = jpeg_with_exif(
        exif_ifd={Base.DateTimeOriginal: original, Base.OffsetTimeOriginal: offset}
    )
    response = post(alice, payload(photo=_file(photo)))
    assert response.status_code == 201
    assert "exif_time_far" not in codes(response)


def test_the_same_photo_file_used_again_is_flagged_critical(
    alice: APIClient, org: Any
) -> None:
    photo = clean_jpeg()
    assert "photo_reused" not in codes(post(alice, payload(photo_bytes=photo)))
    response = post(client_for(org.bob.user), payload(photo_bytes=photo))
    flag = next(f for f in response.json()["flags"] if f["code"] == "photo_reused")
    assert flag["severity"] == "critical"
    # Bob is not told whose photo it was (tests/attendance/test_flag_privacy.py).
    assert org.alice.name not in flag["message"]


def test_a_resized_copy_of_an_earlier_photo_is_a_near_duplicate(
    alice: APIClient,
) -> None:
    post(alice, payload(photo_bytes=clean_jpeg(size=640)))
    response = post(alice, payload(photo_bytes=clean_jpeg(size=480)))
    assert "photo_near_duplicate" in codes(response)
    assert "photo_reused" not in codes(response)
    different = post(alice, payload(photo_bytes=other_photo()))
    assert "photo_near_duplicate" not in codes(different)


def far_in_all_but_one_band(phash: str) -> str:
    """A perceptual hash sharing ``phash``'s first band and no other bit."""
    return phash[:4] + f"{~int(phash[4:], 16) & (1 << 48) - 1:012x}"


def test_a_near_duplicate_is_found_behind_many_photos_sharing_a_band(
    alice: APIClient, org: Any
) -> None:
    copy = clean_jpeg(size=480)
    phash = inspect_photo(copy, max_bytes=1 << 24, max_pixels=10**8).phash
    far = far_in_all_but_one_band(phash)
    # Earlier photos (a plain wall, say) that share a band and nothing else:
    # more than one batch of candidates, all weighed before the match.
    CheckInFactory.create_batch(
        600,
        employee=org.charlie,
        photo_phash=far,
        phash_band0=far[0:4],
        phash_band1=far[4:8],
        phash_band2=far[8:12],
        phash_band3=far[12:16],
        captured_at=NOW - dt.timedelta(days=1),
    )
    original = post(alice, payload(photo_bytes=clean_jpeg(size=640)))
    assert "photo_near_duplicate" not in codes(original)
    response = post(alice, payload(photo_bytes=copy))
    assert "photo_near_duplicate" in codes(response)


def spread_over_the_bands(phash: str, bits: int) -> str:
    """``phash`` with ``bits`` bits flipped, dealt round the four bands: the
    hardest case for a search that probes the bands."""
    value = int(phash, 16)
    for i in range(bits):
        value ^= 1 << ((i % 4) * 16 + i // 4)
    return f"{value:016x}"


@pytest.mark.parametrize(
    ("limit", "distance", "flagged"),
    [
        (6, 4, True),
        (6, 5, True),
        (6, 6, True),
        (6, 7, False),
        (7, 7, True),
        (8, 8, True),
        (11, 11, True),
        (3, 4, False),
    ],
)
def test_a_near_duplicate_is_found_at_any_distance_up_to_the_limit(
    alice: APIClient,
    org: Any,
    settings: Any,
    limit: int,
    distance: int,
    flagged: bool,
) -> None:
    settings.FLAG_PHASH_DISTANCE = limit
    photo = clean_jpeg()
    phash = inspect_photo(photo, max_bytes=1 << 24, max_pixels=10**8).phash
    near = spread_over_the_bands(phash, distance)
    assert hamming_distance(near, phash) == distance
    CheckInFactory(
        employee=org.bob,
        photo_phash=near,
        phash_band0=near[0:4],
        phash_band1=near[4:8],
        phash_band2=near[8:12],
        phash_band3=near[12:16],
        captured_at=NOW - dt.timedelta(days=1),
    )
    response = post(alice, payload(photo_bytes=photo))
    assert ("photo_near_duplicate" in codes(response)) is flagged


def test_identical_coordinates_from_another_employee_the_same_day_are_flagged(
    alice: APIClient, org: Any
) -> None:
    spot = {"latitude": 0.5079312, "longitude": 101.4495531}
    post(alice, payload(**spot))
    bob = client_for(org.bob.user)
    response = post(
        bob, payload(**spot, photo_bytes=other_photo(), device_id="bob-phone")
    )
    assert "coordinates_shared" in codes(response)
    nearby = post(
        bob,
        payload(
            latitude=0.5079313,
            longitude=101.4495531,
            photo_bytes=clean_jpeg(shade=10),
            device_id="bob",
        ),
    )
    assert "coordinates_shared" not in codes(nearby)


def test_a_device_used_by_another_employee_is_flagged(
    alice: APIClient, org: Any
) -> None:
    post(alice, payload(device_id="shared-phone"))
    bob = client_for(org.bob.user)
    response = post(bob, payload(device_id="shared-phone", photo_bytes=other_photo()))
    assert "device_shared" in codes(response)
    post(
        alice,
        payload(
            device_id="alice-own", photo_bytes=clean_jpeg(shade=40), latitude=0.50795
        ),
    )
    again = post(
        alice,
        payload(
            device_id="alice-own", photo_bytes=clean_jpeg(shade=90), latitude=0.50796
        ),
    )
    assert "device_shared" not in codes(again)


def test_a_check_in_outside_the_schedule_window_is_flagged(alice: APIClient) -> None:
    night = dt.datetime(2026, 11, 25, 2, 0, tzinfo=WIB)
    response = post(alice, payload(captured_at=night.isoformat()))
    assert "outside_schedule" in codes(response)
    assert "outside_schedule" not in codes(
        post(alice, payload(photo_bytes=other_photo()))
    )


def _en(response: Any, code: str) -> str:
    return next(f["message"] for f in response.json()["flags"] if f["code"] == code)


def _sent_at(client: APIClient, moment: dt.datetime, **fields: Any) -> Any:
    with time_machine.travel(moment + dt.timedelta(minutes=1), tick=False):
        return client.post(
            "/api/v1/checkins/",
            payload(captured_at=moment.isoformat(), **fields),
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )


def test_a_shift_check_out_after_midnight_is_inside_the_day_befores_window(
    alice: APIClient, office: Workplace
) -> None:
    # Every day 15:00-23:00: pulang is expected from 15:00 to 05:00 next day.
    schedule(workplace=office, days=dict.fromkeys(range(7), ("15:00", "23:00", 30)))
    _sent_at(alice, dt.datetime(2026, 11, 25, 14, 55, tzinfo=WIB))
    response = _sent_at(
        alice,
        dt.datetime(2026, 11, 26, 0, 15, tzinfo=WIB),
        kind="out",
        photo_bytes=other_photo(),
    )
    assert "outside_schedule" not in codes(response), response.json()["flags"]
    late = _sent_at(
        alice,
        dt.datetime(2026, 11, 26, 5, 30, tzinfo=WIB),
        kind="out",
        photo_bytes=clean_jpeg(shade=30),
    )
    assert _en(late, "outside_schedule") == (
        "Check-out (pulang) at 2026-11-26 05:30 is outside the expected window "
        "2026-11-25 15:00-2026-11-26 05:00."
    )


def test_a_check_out_after_midnight_is_judged_by_the_day_it_ends(
    alice: APIClient,
) -> None:
    # Friday 07:30-16:30, pulang expected until 22:30; Saturday is off.
    friday_late = _sent_at(
        alice, dt.datetime(2026, 11, 27, 23, 30, tzinfo=WIB), kind="out"
    )
    assert "outside_schedule" in codes(friday_late)
    saturday_early = _sent_at(
        alice,
        dt.datetime(2026, 11, 28, 0, 30, tzinfo=WIB),
        kind="out",
        photo_bytes=other_photo(),
    )
    assert codes(saturday_early) == {"outside_schedule"}
    assert saturday_early.json()["status"] == "needs_review"
    assert "2026-11-27 07:30-2026-11-27 22:30" in _en(
        saturday_early, "outside_schedule"
    )
    # A day after Friday's start it is Saturday's, a day off.
    saturday_morning = _sent_at(
        alice,
        dt.datetime(2026, 11, 28, 9, 0, tzinfo=WIB),
        kind="out",
        photo_bytes=clean_jpeg(shade=30),
    )
    assert codes(saturday_morning) == {"non_working_day"}


def test_a_check_out_after_the_next_days_check_in_is_not_the_day_befores(
    alice: APIClient, office: Workplace
) -> None:
    schedule(workplace=office, days=dict.fromkeys(range(7), ("15:00", "23:00", 30)))
    _sent_at(alice, dt.datetime(2026, 11, 26, 0, 5, tzinfo=WIB))
    response = _sent_at(
        alice,
        dt.datetime(2026, 11, 26, 0, 15, tzinfo=WIB),
        kind="out",
        photo_bytes=other_photo(),
    )
    assert "outside_schedule" in codes(response)


def test_a_check_in_before_midnight_for_a_shift_starting_at_midnight_is_inside(
    alice: APIClient, office: Workplace
) -> None:
    # Every day 00:00-08:00: masuk is expected from 21:00 the evening before.
    schedule(workplace=office, days=dict.fromkeys(range(7), ("00:00", "08:00", 30)))
    response = _sent_at(alice, dt.datetime(2026, 11, 25, 23, 50, tzinfo=WIB))
    assert "outside_schedule" not in codes(response), response.json()["flags"]
    early = _sent_at(
        alice, dt.datetime(2026, 11, 25, 20, 0, tzinfo=WIB), photo_bytes=other_photo()
    )
    assert _en(early, "outside_schedule") == (
        "Check-in (masuk) at 2026-11-25 20:00 is outside the expected window "
        "2026-11-25 21:00-2026-11-26 08:00."
    )


def test_a_check_in_before_midnight_counts_for_the_shift_it_opens(
    alice: APIClient, office: Workplace
) -> None:
    schedule(workplace=office, days=dict.fromkeys(range(7), ("00:00", "08:00", 30)))
    opened = _sent_at(alice, dt.datetime(2026, 11, 25, 23, 50, tzinfo=WIB))
    _sent_at(
        alice,
        dt.datetime(2026, 11, 26, 8, 5, tzinfo=WIB),
        kind="out",
        photo_bytes=other_photo(),
    )
    assert CheckIn.objects.get(pk=opened.json()["id"]).local_date == dt.date(
        2026, 11, 26
    )
    with time_machine.travel(dt.datetime(2026, 11, 26, 12, 0, tzinfo=WIB), tick=False):
        days = alice.get(
            "/api/v1/attendance/", {"from": "2026-11-25", "to": "2026-11-26"}
        ).json()["days"]
    shift = days[1]
    assert shift["date"] == "2026-11-26"
    assert (shift["status"], shift["minutes_late"], shift["minutes_early"]) == (
        "H",
        0,
        0,
    )
    # The 25th's own shift, 00:00-08:00, had no masuk.
    assert days[0]["status"] == "TK"


def approve_flexible_day(
    employee: Any,
    place: tuple[float, float],
    address: str,
    day: dt.date | None = None,
) -> FlexRequest:
    """An approved flexible-work request for ``place`` on ``day``."""
    request = FlexRequest.objects.create(
        employee=employee,
        location_type=FlexRequest.LocationType.OTHER,
        latitude=place[0],
        longitude=place[1],
        radius_m=100,
        address=address,
        reason="Rapat koordinasi",
        status=FlexRequest.Status.APPROVED,
    )
    FlexDay.objects.create(request=request, employee=employee, date=day or NOW.date())
    return request


def test_a_flexible_check_in_away_from_workplaces_keeps_the_workplaces_schedule(
    alice: APIClient, org: Any, office: Workplace
) -> None:
    # Alice's only workplace runs an afternoon shift every day, 15:00-23:00;
    # the unit's week starts at 07:30.
    schedule(workplace=office, days=dict.fromkeys(range(7), ("15:00", "23:00", 30)))
    home = (0.4600, 101.4000)
    for day in (NOW.date(), NOW.date() + dt.timedelta(days=1)):
        approve_flexible_day(org.alice, home, "Jl. Melati 5, Pekanbaru", day)
    # 16:30: late for her shift, but inside its masuk window [12:00, 23:00].
    response = _sent_at(
        alice,
        dt.datetime(2026, 11, 25, 16, 30, tzinfo=WIB),
        latitude=home[0],
        longitude=home[1],
    )
    assert response.json()["mode"] == "flexible"
    assert response.json()["workplace"] is None
    assert "outside_schedule" not in codes(response), response.json()["flags"]
    # 08:00 suits the unit's week, not her shift.
    morning = _sent_at(
        alice,
        dt.datetime(2026, 11, 26, 8, 0, tzinfo=WIB),
        latitude=home[0],
        longitude=home[1],
        photo_bytes=other_photo(),
    )
    assert "outside_schedule" in codes(morning)


# --- every threshold is a setting -------------------------------------------
# Each flag's own tests above fire it and leave it quiet at the default
# thresholds; here each threshold is moved and the same kind of check-in
# gets the other answer.


def _at(moment: dt.datetime, client: APIClient, **fields: Any) -> Any:
    with time_machine.travel(moment, tick=False):
        return post(client, payload(captured_at=moment.isoformat(), **fields))


def _travelled(client: APIClient, org: Any) -> Any:
    # 10 km north, 20 minutes earlier: 30 km/h.
    earlier = NOW - dt.timedelta(minutes=20)
    post(
        client,
        payload(
            latitude=OFFICE[0] + 0.09,
            captured_at=earlier.isoformat(),
            photo_bytes=other_photo(),
        ),
    )
    return post(client, payload())


def _device_used_by_bob_days_ago(client: APIClient, org: Any) -> Any:
    ten_days_ago = NOW - dt.timedelta(days=10)
    CheckInFactory(employee=org.bob, device_id="shared-phone", captured_at=ten_days_ago)
    return post(client, payload(device_id="shared-phone"))


def _resized_copy_days_later(client: APIClient, org: Any) -> Any:
    _at(NOW - dt.timedelta(days=10), client, photo_bytes=clean_jpeg(size=640))
    return post(client, payload(photo_bytes=clean_jpeg(size=480)))


@pytest.mark.parametrize(
    ("setting", "value", "scenario", "code", "fires"),
    [
        (
            "FLAG_POOR_ACCURACY_M",
            50.0,
            lambda c, org: post(c, payload(accuracy_m=60)),
            "accuracy_poor",
            True,
        ),
        (
            "FLAG_SYNC_GAP_MINUTES",
            30,
            lambda c, org: post(
                c,
                payload(captured_at=(NOW - dt.timedelta(minutes=45)).isoformat()),
            ),
            "late_sync",
            True,
        ),
        ("FLAG_TRAVEL_SPEED_KMH", 20.0, _travelled, "impossible_travel", True),
        (
            "FLAG_EXIF_DISTANCE_M",
            20_000_000.0,
            lambda c, org: post(
                c, payload(photo=_file((PHOTOS / "gps_DSCN0010.jpg").read_bytes()))
            ),
            "exif_gps_far",
            False,
        ),
        (
            "FLAG_EXIF_TIME_MINUTES",
            10**7,
            lambda c, org: post(
                c, payload(photo=_file((PHOTOS / "mobile_jolla.jpg").read_bytes()))
            ),
            "exif_time_far",
            False,
        ),
        (
            "FLAG_DEVICE_SHARED_DAYS",
            5,
            _device_used_by_bob_days_ago,
            "device_shared",
            False,
        ),
        (
            "FLAG_PHASH_DISTANCE",
            0,
            lambda c, org: [
                post(c, payload(photo_bytes=clean_jpeg(size=640))),
                post(c, payload(photo_bytes=clean_jpeg(size=480))),
            ][-1],
            "photo_near_duplicate",
            False,
        ),
        (
            "FLAG_NEAR_DUPLICATE_DAYS",
            5,
            _resized_copy_days_later,
            "photo_near_duplicate",
            False,
        ),
        (
            "SCHEDULE_WINDOW_BEFORE_MINUTES",
            30,
            lambda c, org: _at(dt.datetime(2026, 11, 25, 6, 0, tzinfo=WIB), c),
            "outside_schedule",
            True,
        ),
        (
            "SCHEDULE_WINDOW_AFTER_MINUTES",
            60,
            lambda c, org: _at(
                dt.datetime(2026, 11, 25, 18, 0, tzinfo=WIB), c, kind="out"
            ),
            "outside_schedule",
            True,
        ),
    ],
)
def test_every_threshold_is_a_setting(
    alice: APIClient,
    org: Any,
    settings: Any,
    setting: str,
    value: Any,
    scenario: Any,
    code: str,
    fires: bool,
) -> None:
    setattr(settings, setting, value)
    response = scenario(alice, org)
    assert response.status_code == 201
    assert (code in codes(response)) is fires


def test_a_check_in_on_a_holiday_is_noted(alice: APIClient) -> None:
    Holiday.objects.create(date=dt.date(2026, 11, 25), name="Libur uji")
    response = post(alice, payload())
    flag = next(f for f in response.json()["flags"] if f["code"] == "non_working_day")
    assert flag["severity"] == "info"
    assert response.json()["status"] == "verified"


def test_an_employee_without_workplace_is_flagged(org: Any) -> None:
    response = post(client_for(org.charlie.user), payload())
    assert "no_workplace" in codes(response)
    assert response.json()["workplace"] is None


def test_a_polygon_workplace_is_checked_properly(org: Any) -> None:
    # An L-shaped compound; the notch is outside.
    Workplace.objects.create(
        name="Kompleks Dinkes",
        unit=org.dinkes,
        latitude="0.5100",
        longitude="101.4500",
        polygon=[
            [0.5100, 101.4500],
            [0.5100, 101.4520],
            [0.5110, 101.4520],
            [0.5110, 101.4510],
            [0.5120, 101.4510],
            [0.5120, 101.4500],
        ],
    )
    charlie = client_for(org.charlie.user)
    inside = post(charlie, payload(latitude=0.5105, longitude=101.4505, accuracy_m=5))
    notch = post(
        charlie,
        payload(
            latitude=0.5117, longitude=101.4517, accuracy_m=5, photo_bytes=other_photo()
        ),
    )
    assert inside.json()["geofence"] == "inside"
    assert notch.json()["geofence"] == "outside"
    # 5 m inside the notch's edge (longitude 101.4510, north of 0.5110),
    # with 20 m of accuracy: the circle crosses it.
    straddling = post(
        charlie,
        payload(
            latitude=0.5115,
            longitude=101.45095,
            accuracy_m=20,
            photo_bytes=clean_jpeg(shade=70),
        ),
    )
    assert straddling.json()["geofence"] == "uncertain"
    assert "geofence_uncertain" in codes(straddling)


def test_flag_messages_follow_the_language(alice: APIClient) -> None:
    response = alice.post(
        "/api/v1/checkins/",
        payload(accuracy_m=0),
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    message = next(
        f["message"] for f in response.json()["flags"] if f["code"] == "accuracy_zero"
    )
    assert "exactly 0" in message


def test_an_accuracy_circle_across_the_edge_from_outside_needs_review(
    alice: APIClient,
) -> None:
    # 95 m from the centre of an 80 m fence, accuracy 30 m.
    response = post(
        alice,
        payload(latitude=OFFICE[0] + 0.000855, longitude=OFFICE[1], accuracy_m=30),
    )
    body = response.json()
    assert body["geofence"] == "uncertain"
    assert "geofence_uncertain_outside" in codes(response)
    assert body["status"] == "needs_review"


def test_a_check_out_before_the_working_day_starts_is_outside_the_window(
    alice: APIClient,
) -> None:
    response = post(alice, payload(kind="out"))  # 07:20, before 07:30
    assert "outside_schedule" in codes(response)
    evening = dt.datetime(2026, 11, 25, 16, 5, tzinfo=WIB)
    with time_machine.travel(evening, tick=False):
        on_time = post(
            alice,
            payload(
                kind="out", captured_at=evening.isoformat(), photo_bytes=other_photo()
            ),
        )
    assert "outside_schedule" not in codes(on_time)


def test_exif_time_close_to_the_capture_time_is_not_flagged(alice: APIClient) -> None:
    with Image.open(PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg") as image:
        exif = image.getexif()
        exif.get_ifd(0x8769)[0x9003] = NOW.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(0x8769)[0x9011] = "+07:00"  # OffsetTimeOriginal
        exif.get_ifd(0x8825).clear()  # no GPS: only the time is under test
        out = io.BytesIO()
        image.save(out, "JPEG", exif=exif.tobytes())
    response = post(alice, payload(photo=_file(out.getvalue())))
    assert "exif_time_far" not in codes(response)
    assert "exif_gps_far" not in codes(response)


def test_stored_photos_are_not_world_readable(alice: APIClient) -> None:
    post(alice, payload())
    mode = Path(CheckIn.objects.get().photo.path).stat().st_mode & 0o777
    assert mode == 0o640
