"""The malformed-image corpus against check-ins and daily-report evidence.

Every sample is refused with a 4xx JSON answer that names the field and
writes nothing (no row, no file), or accepted and then served as a clean
JPEG: decodable, RGB, no EXIF and none of the bytes a polyglot carried.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from PIL import Image

from backend.attendance.models import CheckIn, Workplace
from backend.performance.models import DailyReport, ReportEvidence
from tests.conftest import client_for
from tests.factories import agreed_skp
from tests.fuzz.corpus import MARKERS, Sample, samples

WIB = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 11, 25, 7, 20, tzinfo=WIB)
OFFICE = (0.507930, 101.449550)
SAMPLES = samples()


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return (
        {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()
    )


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def assert_refused(response: Any, sample: Sample, field: str) -> None:
    assert response.status_code == sample.status, (sample.name, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), sample.name
    body = response.json()
    assert body["code"] and body["message"], body
    assert field in body.get("fields", {}), (sample.name, body)


def assert_served_clean(client: Any, url: str, sample: Sample) -> None:
    response = client.get(url)
    assert response.status_code == 200, (sample.name, url)
    assert response["Content-Type"] == "image/jpeg"
    data = _body(response)
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9"), sample.name
    for marker in MARKERS:
        assert marker not in data, (sample.name, marker)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert not image.getexif()
        image.load()
        # Not blank: a 16-bit or CMYK original must not come out white/black.
        low, high = image.convert("L").getextrema()
        assert high - low > 30, (sample.name, low, high)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_check_in_photo(org: Any, sample: Sample) -> None:
    Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(OFFICE[0]),
        longitude=str(OFFICE[1]),
        radius_m=80,
    )
    client = client_for(org.alice.user)
    photo = io.BytesIO(sample.data)
    photo.name = sample.filename
    before = _files()
    response = client.post(
        "/api/v1/checkins/",
        {
            "client_uuid": str(uuid.uuid4()),
            "kind": "in",
            "latitude": OFFICE[0],
            "longitude": OFFICE[1],
            "accuracy_m": 8,
            "captured_at": NOW.isoformat(),
            "photo": photo,
        },
        format="multipart",
    )
    if sample.outcome == "refuse":
        assert_refused(response, sample, "photo")
        assert CheckIn.objects.count() == 0
        assert _files() == before
        return
    assert response.status_code == 201, (sample.name, response.content[:300])
    body = response.json()
    assert Path(CheckIn.objects.get().photo.path).read_bytes() == sample.data
    assert_served_clean(client, body["photo_url"], sample)
    assert_served_clean(client, body["thumbnail_url"], sample)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_report_evidence_photo(org: Any, sample: Sample) -> None:
    skp = agreed_skp(org.alice)
    rhk = skp.rhks.get()
    client = client_for(org.alice.user)
    photo = io.BytesIO(sample.data)
    photo.name = sample.filename
    before = _files()
    response = client.post(
        "/api/v1/reports/",
        {
            "client_uuid": str(uuid.uuid4()),
            "date": "2026-11-25",
            "rhk": rhk.pk,
            "description": "Verifikasi berkas usulan mutasi",
            "output_quantity": "3",
            "output_unit": "dokumen",
            "start_time": "06:00",
            "end_time": "07:00",
            "work_mode": "office",
            "photos": [photo],
            "photos_meta": '[{"latitude": 0.5, "longitude": 101.4, '
            '"accuracy_m": 10, "captured_at": "2026-11-25T06:30:00+07:00"}]',
        },
        format="multipart",
    )
    if sample.outcome == "refuse":
        assert_refused(response, sample, "photos")
        assert DailyReport.objects.count() == 0
        assert ReportEvidence.objects.count() == 0
        assert _files() == before
        return
    assert response.status_code == 201, (sample.name, response.content[:300])
    evidence = response.json()["evidence"][0]
    assert_served_clean(client, evidence["download_url"], sample)
    assert_served_clean(client, evidence["thumbnail_url"], sample)
