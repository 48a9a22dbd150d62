"""Uploads no row refers to (a worker killed between the fsync of a photo
and the commit of its row) are removed after a grace period."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import time_machine
from django.conf import settings
from django.core.management import call_command

from backend.attendance.models import CheckIn
from backend.audit.models import AuditEntry
from tests.api.test_checkins_api import NOW, clean_jpeg, payload, post
from tests.conftest import client_for


def _aged(path: Path, data: bytes = b"x", *, hours: float = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


def test_unreferenced_uploads_past_the_grace_period_are_removed(
    org: Any, capsys: Any
) -> None:
    with time_machine.travel(NOW, tick=False):
        kept = post(client_for(org.alice.user), payload(photo_bytes=clean_jpeg()))
    media = Path(settings.MEDIA_ROOT)
    original = media / CheckIn.objects.get(pk=kept.json()["id"]).photo.name
    _aged(original, original.read_bytes())
    orphan = _aged(original.with_name("0123456789abcdef.jpg"))
    partial = _aged(original.with_name(".0123456789abcdef.jpg.1a2b3c4d.part"))
    evidence = _aged(media / "reports" / "2026" / "11" / "25" / "feed.pdf")
    in_flight = _aged(original.with_name("fedcba9876543210.jpg"), hours=0)

    call_command("purge_unreferenced_uploads")

    assert original.exists() and in_flight.exists()
    assert not orphan.exists() and not partial.exists() and not evidence.exists()
    assert "Removed 3 unreferenced upload(s)" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="uploads.unreferenced_purged")
    assert entry.after["count"] == 3

    call_command("purge_unreferenced_uploads")
    assert "Removed 0" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="uploads.unreferenced_purged").count() == 1
