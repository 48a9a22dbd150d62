"""The benchmark's stack-floor endpoint (bench/stack_floor.py): the photo
work every check-in does, through the same stack, and nothing stored."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from backend.activity.models import ActivityEvent
from backend.attendance.models import CheckIn
from backend.audit.models import AuditEntry
from bench import checkins, stack_floor
from tests.conftest import client_for

PHOTO = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "photos"
    / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
)


@pytest.fixture(autouse=True)
def _bench_urlconf(settings: Any) -> None:
    settings.ROOT_URLCONF = "bench.stack_floor"


def _post(client: APIClient, photo: bytes | None) -> Any:
    data: dict[str, Any] = {"kind": "in"}
    if photo is not None:
        data["photo"] = io.BytesIO(photo)
        data["photo"].name = "selfie.jpg"
    return client.post(stack_floor.PATH, data, format="multipart")


def test_it_hashes_and_inspects_the_photo_and_stores_nothing(
    org: Any, settings: Any
) -> None:
    data = PHOTO.read_bytes()
    entries, events = AuditEntry.objects.count(), ActivityEvent.objects.count()

    answer = _post(client_for(org.alice.user), data)

    assert answer.status_code == 201, answer.content
    assert answer.json()["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(answer.json()["phash"]) == 16
    assert not CheckIn.objects.exists()
    assert AuditEntry.objects.count() == entries
    assert ActivityEvent.objects.count() == events
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(media.rglob("*.*"))


def test_it_refuses_what_a_check_in_refuses(org: Any) -> None:
    client = client_for(org.alice.user)
    data = PHOTO.read_bytes()

    damaged = _post(client, data[: len(data) // 2])
    missing = _post(client, None)

    assert damaged.status_code == 400
    assert damaged.json()["code"] == "damaged_image"
    assert "photo" in damaged.json()["fields"]
    assert missing.status_code == 400
    assert missing.json()["code"] == "validation_error"
    assert "photo" in missing.json()["fields"]


def test_it_needs_a_token_like_a_check_in(org: Any) -> None:
    answer = _post(APIClient(), PHOTO.read_bytes())

    assert answer.status_code == 401


def test_the_project_urlconf_does_not_serve_it(org: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "backend.urls"

    answer = _post(client_for(org.alice.user), PHOTO.read_bytes())

    assert answer.status_code == 404


def test_every_project_url_resolves_as_without_it() -> None:
    for url in ("/api/v1/checkins/", "/api/v1/me/", "/healthz", "/presensi/"):
        measured = resolve(url, urlconf="bench.stack_floor")
        assert measured.func == resolve(url, urlconf="backend.urls").func, url


def test_the_benchmark_posts_to_its_path() -> None:
    assert checkins.STACK_FLOOR_PATH == stack_floor.PATH
