"""Authorized photo and evidence downloads, streamed by the worker or handed
to nginx with X-Accel-Redirect (PROTECTED_MEDIA_ACCEL_PREFIX)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
import time_machine
from django.conf import settings as django_settings
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from backend.attendance import evidence
from backend.attendance.models import CheckIn, Workplace
from backend.lib.protected_files import protected_file_response
from tests.api import test_checkins_api as checkins
from tests.api import test_reports_api as reports
from tests.conftest import client_for
from tests.test_settings import settings_error

PREFIX = "/_protected/"
GPS_PHOTO = checkins.PHOTOS / "gps_DSCN0010.jpg"


@pytest.fixture
def accel(settings: Any) -> str:
    settings.PROTECTED_MEDIA_ACCEL_PREFIX = PREFIX
    return PREFIX


@pytest.fixture
def alice(org: Any) -> APIClient:
    Workplace.objects.create(
        name="Kantor BKD",
        unit=org.bkd,
        latitude=str(checkins.OFFICE[0]),
        longitude=str(checkins.OFFICE[1]),
        radius_m=80,
    )
    return client_for(org.alice.user)


def _checkin(alice: APIClient) -> dict[str, Any]:
    photo = io.BytesIO(GPS_PHOTO.read_bytes())
    photo.name = "selfie.jpg"
    with time_machine.travel(checkins.NOW, tick=False):
        response = checkins.post(alice, checkins.payload(photo=photo))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _accel_target(response: Any) -> Path:
    """The file nginx would send for ``response``."""
    location = response["X-Accel-Redirect"]
    assert location.startswith(PREFIX)
    return Path(django_settings.MEDIA_ROOT) / unquote(location.removeprefix(PREFIX))


def test_without_the_prefix_the_worker_streams_the_photo(
    alice: APIClient, org: Any
) -> None:
    body = _checkin(alice)
    response = client_for(org.bob.user).get(body["thumbnail_url"])
    assert response.status_code == 200
    assert not response.has_header("X-Accel-Redirect")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    served = b"".join(response.streaming_content)
    with Image.open(io.BytesIO(served)) as image:
        assert not image.getexif()


@pytest.mark.parametrize("variant", ["photo_url", "thumbnail_url"])
def test_with_the_prefix_nginx_is_told_which_clean_copy_to_send(
    alice: APIClient, org: Any, accel: str, variant: str
) -> None:
    body = _checkin(alice)
    response = client_for(org.bob.user).get(body[variant])
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    target = _accel_target(response)
    # The re-encoded copy exists before nginx is sent to it; never the original.
    assert target.is_file()
    assert "/derived/" in response["X-Accel-Redirect"]
    assert target.read_bytes() != GPS_PHOTO.read_bytes()
    with Image.open(target) as image:
        assert not image.getexif()


def test_after_retention_the_thumbnail_is_sent_and_marked(
    alice: APIClient, org: Any, accel: str
) -> None:
    body = _checkin(alice)
    checkin = CheckIn.objects.get(pk=body["id"])
    thumbnail = evidence.thumbnail_file(checkin)
    CheckIn.objects.filter(pk=checkin.pk).update(photo_purged_at=timezone.now())
    response = client_for(org.bob.user).get(body["photo_url"])
    assert response.status_code == 200
    assert _accel_target(response) == thumbnail
    assert response["X-Photo-Original-Purged"] == "true"


@pytest.mark.parametrize("viewer", ["charlie", "erik", "oscar"])
def test_outsiders_get_404_and_no_redirect(
    alice: APIClient, org: Any, accel: str, viewer: str
) -> None:
    body = _checkin(alice)
    who = getattr(org, viewer)
    client = client_for(who.user if hasattr(who, "user") else who)
    for url in (body["photo_url"], body["thumbnail_url"]):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.has_header("X-Accel-Redirect")


def test_anonymous_callers_get_no_redirect(alice: APIClient, accel: str) -> None:
    body = _checkin(alice)
    response = APIClient().get(body["thumbnail_url"])
    assert response.status_code in (401, 403)
    assert not response.has_header("X-Accel-Redirect")


def test_report_evidence_goes_through_the_same_place(org: Any, accel: str) -> None:
    skp = reports.agreed_skp(org.alice)
    data = reports.payload(
        skp,
        photos=[GPS_PHOTO.read_bytes()],
        documents=[reports.upload(reports.PDF, "sk.pdf")],
    )
    with time_machine.travel(reports.NOW, tick=False):
        body = reports.post(client_for(org.alice.user), data).json()
    photo, document = body["evidence"]
    bob = client_for(org.bob.user)
    for url in (photo["download_url"], photo["thumbnail_url"]):
        response = bob.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        with Image.open(_accel_target(response)) as image:
            assert not image.getexif()

    response = bob.get(document["download_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="bukti-{body["id"]}-{document["id"]}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "sandbox"
    assert _accel_target(response).read_bytes() == reports.PDF

    charlie = client_for(org.charlie.user)
    for url in (photo["download_url"], document["download_url"]):
        response = charlie.get(url)
        assert response.status_code == 404
        assert not response.has_header("X-Accel-Redirect")


def test_a_file_outside_media_root_has_no_internal_url(
    accel: str, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"x")
    with pytest.raises(ValueError, match="not a file under MEDIA_ROOT"):
        protected_file_response(
            outside, content_type="image/jpeg", cache_control="private"
        )


def test_names_are_escaped_for_nginx(accel: str, settings: Any) -> None:
    target = Path(settings.MEDIA_ROOT) / "derived" / "a b%.thumb.jpg"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"x")
    response = protected_file_response(
        target, content_type="image/jpeg", cache_control="private"
    )
    assert response["X-Accel-Redirect"] == "/_protected/derived/a%20b%25.thumb.jpg"


def test_a_prefix_without_slashes_stops_start_up() -> None:
    message = settings_error(
        {
            "SECRET_KEY": "x" * 50,
            "PROTECTED_MEDIA_ACCEL_PREFIX": "_protected",
        }
    )
    assert message.startswith("PROTECTED_MEDIA_ACCEL_PREFIX: must start and end")
