"""Malformed multipart bodies against check-ins and daily reports.

Every one is answered with a 4xx JSON body (naming the field where there is
one) and writes nothing, or, where the request is odd but well-formed
(duplicated fields), is answered cleanly; never a 5xx or an HTML page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings

from backend.attendance.models import CheckIn, Workplace
from backend.performance.models import DailyReport, ReportEvidence
from tests.conftest import client_for
from tests.factories import agreed_skp
from tests.fuzz.corpus import samples

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 25, 7, 20, tzinfo=WIB)
OFFICE = (0.507930, 101.449550)
BOUNDARY = "pantau-fuzz-boundary"


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _jpeg() -> bytes:
    return next(s.data for s in samples() if s.name == "exif_self_referencing_ifd")


def _files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def part(name: bytes | str, value: bytes | str, filename: str | None = None) -> bytes:
    name_bytes = name.encode() if isinstance(name, str) else name
    value_bytes = value.encode() if isinstance(value, str) else value
    disposition = b'Content-Disposition: form-data; name="' + name_bytes + b'"'
    if filename is not None:
        disposition += b'; filename="' + filename.encode() + b'"'
        disposition += b"\r\nContent-Type: image/jpeg"
    return (
        b"--"
        + BOUNDARY.encode()
        + b"\r\n"
        + disposition
        + b"\r\n\r\n"
        + value_bytes
        + b"\r\n"
    )


def body(*parts: bytes, end: bool = True) -> bytes:
    return b"".join(parts) + (b"--" + BOUNDARY.encode() + b"--\r\n" if end else b"")


def checkin_fields(**overrides: str) -> dict[str, str]:
    fields = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "in",
        "latitude": str(OFFICE[0]),
        "longitude": str(OFFICE[1]),
        "accuracy_m": "8",
        "captured_at": NOW.isoformat(),
    }
    fields.update(overrides)
    return fields


def checkin_body(*extra: bytes, photo: bool = True, **overrides: str) -> bytes:
    parts = [part(k, v) for k, v in checkin_fields(**overrides).items()]
    if photo:
        parts.append(part("photo", _jpeg(), "selfie.jpg"))
    return body(*parts, *extra)


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"

# name -> (content type, body maker, field the answer must name or None,
#          expected status or statuses)
Case = tuple[str, Callable[[], bytes], str | None, tuple[int, ...]]
CHECKIN_CASES: dict[str, Case] = {
    "too_many_files": (
        MULTIPART,
        lambda: checkin_body(*[part("photo", _jpeg(), f"{i}.jpg") for i in range(12)]),
        None,
        (400,),
    ),
    "too_many_fields": (
        MULTIPART,
        lambda: checkin_body(*[part(f"extra{i}", "x") for i in range(250)]),
        None,
        (400,),
    ),
    "missing_boundary": ("multipart/form-data", lambda: checkin_body(), None, (400,)),
    "garbled_boundary": (
        "multipart/form-data; boundary=\x01\x02;;==",
        lambda: checkin_body(),
        None,
        (400,),
    ),
    "other_boundary_in_body": (
        "multipart/form-data; boundary=not-the-one",
        lambda: checkin_body(),
        "photo",
        (400,),
    ),
    "unterminated_body": (
        MULTIPART,
        lambda: checkin_body()[:-200],
        "photo",
        (400,),
    ),
    "unterminated_headers": (
        MULTIPART,
        lambda: (
            b"--"
            + BOUNDARY.encode()
            + b'\r\nContent-Disposition: form-data; name="kind'
        ),
        None,
        (400,),
    ),
    "empty_body": (MULTIPART, lambda: b"", "photo", (400,)),
    "huge_field_value": (
        MULTIPART,
        lambda: checkin_body(note="x" * 1_000_000),
        "note",
        (400,),
    ),
    "field_value_over_memory_limit": (
        MULTIPART,
        lambda: checkin_body(note="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)),
        None,
        (400, 413),
    ),
    "json_content_type": (
        "application/json",
        lambda: b'{"kind": "in"}',
        None,
        (415,),
    ),
    "text_content_type": ("text/plain", lambda: b"kind=in", None, (415,)),
    "urlencoded_without_photo": (
        "application/x-www-form-urlencoded",
        lambda: b"kind=in&latitude=0.5",
        "photo",
        (400,),
    ),
    "non_utf8_field_names": (
        MULTIPART,
        lambda: body(part(b"\xff\xfe\x80kind", "in"), part(b"\xc3\x28", "x")),
        "kind",
        (400,),
    ),
    "non_utf8_field_value": (
        MULTIPART,
        lambda: checkin_body(part("device_id", b"\xff\xfe\x80")).replace(
            b'name="kind"\r\n\r\nin', b'name="kind"\r\n\r\n\xff\xfe'
        ),
        "kind",
        (400,),
    ),
    "nul_in_field_value": (
        MULTIPART,
        lambda: checkin_body(device_id="abc\x00def", note="\x00"),
        "device_id",
        (400,),
    ),
    "photo_as_plain_field": (
        MULTIPART,
        lambda: checkin_body(part("photo", "not a file"), photo=False),
        "photo",
        (400,),
    ),
}


@pytest.mark.parametrize("name", list(CHECKIN_CASES))
def test_check_in_multipart(org: Any, name: str) -> None:
    content_type, make, field, statuses = CHECKIN_CASES[name]
    Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(OFFICE[0]),
        longitude=str(OFFICE[1]),
        radius_m=80,
    )
    client = client_for(org.alice.user)
    before = _files()
    response = client.generic(
        "POST", "/api/v1/checkins/", make(), content_type=content_type
    )
    assert response.status_code in statuses, (name, response.content[:400])
    assert response["Content-Type"].startswith("application/json"), (name, response)
    answer = response.json()
    assert answer["code"] and answer["message"], answer
    if field is not None:
        assert field in answer.get("fields", {}), (name, answer)
    assert CheckIn.objects.count() == 0
    assert _files() == before


def test_duplicated_fields_are_answered_cleanly(org: Any) -> None:
    """QueryDict keeps the last value of a repeated field: one check-in."""
    Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(OFFICE[0]),
        longitude=str(OFFICE[1]),
        radius_m=80,
    )
    client = client_for(org.alice.user)
    data = checkin_body(
        part("kind", "out"),
        part("kind", "in"),
        part("client_uuid", str(uuid.uuid4())),
        part("photo", _jpeg(), "second.jpg"),
    )
    response = client.generic("POST", "/api/v1/checkins/", data, content_type=MULTIPART)
    assert response.status_code == 201, response.content[:400]
    assert CheckIn.objects.count() == 1


def test_a_hostile_file_name_is_not_used_as_a_path(org: Any) -> None:
    Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(OFFICE[0]),
        longitude=str(OFFICE[1]),
        radius_m=80,
    )
    client = client_for(org.alice.user)
    photo = part("photo", _jpeg(), "../../../../etc/cron.d/x.jpg")
    response = client.generic(
        "POST",
        "/api/v1/checkins/",
        checkin_body(photo, photo=False),
        content_type=MULTIPART,
    )
    assert response.status_code == 201, response.content[:400]
    stored = Path(CheckIn.objects.get().photo.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "cron" not in str(stored)


def _report_parts(rhk: int, *extra: bytes, photos: int = 1) -> bytes:
    fields = {
        "client_uuid": str(uuid.uuid4()),
        "date": "2026-11-25",
        "rhk": str(rhk),
        "description": "Verifikasi berkas",
        "output_quantity": "3",
        "output_unit": "dokumen",
        "start_time": "06:00",
        "end_time": "07:00",
        "work_mode": "office",
        "photos_meta": "["
        + ",".join(
            '{"latitude": 0.5, "longitude": 101.4, "accuracy_m": 10, '
            '"captured_at": "2026-11-25T06:30:00+07:00"}'
            for _ in range(photos)
        )
        + "]",
    }
    parts = [part(k, v) for k, v in fields.items()]
    parts += [part("photos", _jpeg(), f"{i}.jpg") for i in range(photos)]
    return body(*parts, *extra)


REPORT_CASES: dict[str, tuple[str, Callable[[int], bytes], str | None]] = {
    "more_photos_than_allowed": (
        MULTIPART,
        lambda rhk: _report_parts(rhk, photos=6),
        "photos",
    ),
    "more_files_than_django_allows": (
        MULTIPART,
        lambda rhk: _report_parts(rhk, photos=11),
        None,
    ),
    "too_many_fields": (
        MULTIPART,
        lambda rhk: _report_parts(
            rhk, *[part("links", "https://a.id/") for _ in range(250)]
        ),
        None,
    ),
    "photos_meta_not_json": (
        MULTIPART,
        lambda rhk: _report_parts(rhk).replace(
            b'name="photos_meta"\r\n\r\n[', b'name="photos_meta"\r\n\r\n{['
        ),
        "photos_meta",
    ),
    "photos_meta_huge": (
        MULTIPART,
        lambda rhk: _report_parts(rhk, part("photos_meta", "[" + "[" * 100_000)),
        "photos_meta",
    ),
    "photo_as_plain_field": (
        MULTIPART,
        lambda rhk: _report_parts(rhk, part("photos", "x"), photos=0),
        "photos",
    ),
    "unterminated_body": (MULTIPART, lambda rhk: _report_parts(rhk)[:-300], None),
    "missing_boundary": ("multipart/form-data", lambda rhk: _report_parts(rhk), None),
    "json_content_type": ("application/json", lambda rhk: b"{}", None),
    "non_utf8_field_names": (
        MULTIPART,
        lambda rhk: body(part(b"\xff\xfe\x80rhk", str(rhk))),
        "rhk",
    ),
}


@pytest.mark.parametrize("name", list(REPORT_CASES))
def test_report_multipart(org: Any, name: str) -> None:
    content_type, make, field = REPORT_CASES[name]
    rhk = agreed_skp(org.alice).rhks.get().pk
    client = client_for(org.alice.user)
    before = _files()
    response = client.generic(
        "POST", "/api/v1/reports/", make(rhk), content_type=content_type
    )
    assert 400 <= response.status_code < 500, (name, response.content[:400])
    assert response["Content-Type"].startswith("application/json"), (name, response)
    answer = response.json()
    assert answer["code"] and answer["message"], answer
    if field is not None:
        assert field in answer.get("fields", {}), (name, answer)
    assert DailyReport.objects.count() == 0
    assert ReportEvidence.objects.count() == 0
    assert _files() == before


@pytest.mark.parametrize("url", ["/api/v1/plans/", "/api/v1/flex-requests/"])
def test_deeply_nested_json_is_a_parse_error(org: Any, url: str) -> None:
    client = client_for(org.alice.user)
    response = client.generic(
        "POST", url, b"[" * 100_000 + b"]" * 100_000, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:400]
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("url", ["/api/v1/checkins/", "/api/v1/reports/"])
def test_a_content_length_that_is_not_a_number_is_a_bad_request(
    org: Any, url: str
) -> None:
    """Read as an empty body (Django's multipart parser does so): the
    required fields are missing."""
    response = client_for(org.alice.user).generic(
        "POST", url, b"--x\r\n", content_type=MULTIPART, CONTENT_LENGTH="abc"
    )
    assert response.status_code == 400, response.content[:400]
    assert response.json()["code"] == "validation_error"
