"""Retention of original photos: originals go, thumbnails and hashes stay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from backend.attendance import evidence
from backend.attendance.models import CheckIn
from backend.audit.models import AuditEntry
from backend.audit.retention import photo_originals_purge
from backend.lib import photos
from mobile_api.views import checkins as views
from tests.api.test_checkins_api import NOW, clean_jpeg, payload, post
from tests.conftest import client_for

# Past a 30-day retention period for check-ins captured at NOW.
LATER = NOW + dt.timedelta(days=31)


def test_purging_keeps_thumbnails_hashes_and_exif_and_is_idempotent(
    org: Any, capsys: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        alice = client_for(org.alice.user)
        old = post(alice, payload(photo_bytes=clean_jpeg())).json()
        recent_at = NOW + dt.timedelta(days=20)
    with time_machine.travel(recent_at, tick=False):
        recent = post(
            alice,
            payload(
                photo_bytes=clean_jpeg("mobile_jolla.jpg"),
                captured_at=recent_at.isoformat(),
            ),
        ).json()
    checkin = CheckIn.objects.get(pk=old["id"])
    original = Path(settings.MEDIA_ROOT) / checkin.photo.name
    sha256, exif = checkin.photo_sha256, checkin.exif
    assert original.exists()

    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        call_command("purge_photo_originals", "--older-than-days", "30")
        assert "Purged 1" in capsys.readouterr().out
        checkin.refresh_from_db()
        assert not original.exists()
        assert checkin.photo_purged_at is not None
        assert (checkin.photo_sha256, checkin.exif) == (sha256, exif)
        assert evidence.thumbnail_file(checkin).exists()
        recent_row = CheckIn.objects.get(pk=recent["id"])
        assert recent_row.photo_purged_at is None
        assert (Path(settings.MEDIA_ROOT) / recent_row.photo.name).exists()

        # Safe to run again: nothing more to do.
        call_command("purge_photo_originals", "--older-than-days", "30")
        assert "Purged 0" in capsys.readouterr().out
        assert AuditEntry.objects.filter(action="photo.originals_purged").count() == 1

        # The photo view serves the thumbnail that is left.
        bob = client_for(org.bob.user)
        response = bob.get(f"/api/v1/checkins/{old['id']}/photo/")
        assert response.status_code == 200
        assert response["X-Photo-Original-Purged"] == "true"
        assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"

        evidence.thumbnail_file(checkin).unlink()
        gone = bob.get(f"/api/v1/checkins/{old['id']}/thumbnail/")
        assert gone.status_code == 410
        assert gone.json()["code"] == "photo_purged"


def test_a_pixel_cap_lowered_later_does_not_stop_the_purge(
    org: Any, settings: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        post(client_for(org.alice.user), payload())  # 640 x 275 pixels
    settings.PHOTO_MAX_PIXELS = 100_000
    with time_machine.travel(LATER, tick=False):
        result = photo_originals_purge(older_than_days=30)
    assert (result.purged, result.failed) == (1, [])
    checkin = CheckIn.objects.get()
    assert checkin.photo_purged_at is not None
    assert evidence.thumbnail_file(checkin).exists()


def test_a_viewer_who_read_the_row_just_before_the_purge_gets_the_thumbnail(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(NOW, tick=False):
        body = post(client_for(org.alice.user), payload()).json()
    read_row = views.visible_checkin

    def read_then_purge(user: Any, pk: int) -> CheckIn:
        checkin = read_row(user, pk)
        photo_originals_purge(older_than_days=30)
        return checkin

    monkeypatch.setattr(views, "visible_checkin", read_then_purge)
    with time_machine.travel(LATER, tick=False):
        response = client_for(org.bob.user).get(body["photo_url"])
    assert response.status_code == 200
    assert response["X-Photo-Original-Purged"] == "true"
    assert CheckIn.objects.get().photo_purged_at is not None


def test_a_display_copy_purged_before_it_is_opened_gives_way_to_the_thumbnail(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(NOW, tick=False):
        body = post(client_for(org.alice.user), payload()).json()
    bob = client_for(org.bob.user)
    assert bob.get(body["photo_url"]).status_code == 200  # the display copy exists
    find_copy = evidence.checkin_photo_copy
    purges: list[int] = []

    def find_then_purge(checkin: CheckIn, variant: Any) -> evidence.PhotoCopy:
        copy = find_copy(checkin, variant)
        if not purges:  # the purge itself finds its thumbnail through here
            purges.append(checkin.pk)
            photo_originals_purge(older_than_days=30)
        return copy

    monkeypatch.setattr(evidence, "checkin_photo_copy", find_then_purge)
    with time_machine.travel(LATER, tick=False):
        response = bob.get(body["photo_url"])
    assert response.status_code == 200
    assert response["X-Photo-Original-Purged"] == "true"
    assert CheckIn.objects.get().photo_purged_at is not None
    assert not evidence.display_path(CheckIn.objects.get()).exists()


def test_a_check_in_whose_original_does_not_decode_is_kept_and_reported(
    org: Any,
) -> None:
    with time_machine.travel(NOW, tick=False):
        post(client_for(org.alice.user), payload())
    checkin = CheckIn.objects.get()
    original = Path(checkin.photo.path)
    original.write_bytes(original.read_bytes()[:2000])
    with time_machine.travel(LATER, tick=False):
        result = photo_originals_purge(older_than_days=30)
    assert (result.purged, result.failed) == (0, [checkin.pk])
    assert original.exists()
    checkin.refresh_from_db()
    assert checkin.photo_purged_at is None


def test_a_display_copy_written_while_the_purge_runs_does_not_outlive_it(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with time_machine.travel(NOW, tick=False):
        body = post(client_for(org.alice.user), payload()).json()
    checkin = CheckIn.objects.get()
    evidence.thumbnail_file(checkin)
    write = photos._write_atomically

    def purge_then_write(destination: Path, data: bytes) -> None:
        if destination == evidence.display_path(checkin):
            # The original is decoded; the purge runs before the copy lands.
            photo_originals_purge(older_than_days=30)
        write(destination, data)

    monkeypatch.setattr(photos, "_write_atomically", purge_then_write)
    with time_machine.travel(LATER, tick=False):
        response = client_for(org.bob.user).get(body["photo_url"])
    assert response.status_code == 200
    assert response["X-Photo-Original-Purged"] == "true"
    checkin.refresh_from_db()
    assert checkin.photo_purged_at is not None
    assert not Path(checkin.photo.path).exists()
    assert not evidence.display_path(checkin).exists()
