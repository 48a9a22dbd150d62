"""Derived copies of check-in photos, made on first request.

The original is kept byte for byte (it is evidence, with its SHA-256); what
people see are re-encoded copies without EXIF or trailing bytes, made when
somebody first opens them, since most check-in photos are never looked at.

Copies are rendered without a pixel cap: every original passed
``inspect_photo`` under the cap in force when it was uploaded, and a cap
lowered later must not hide photos already accepted (nor stop their
retention purge, which makes a thumbnail first).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from backend.attendance.models import CheckIn
from backend.lib.photos import render_display_copy, render_thumbnail


def _derived_path(checkin: CheckIn, variant: str) -> Path:
    return derived_path(str(checkin.photo.name), variant)


def derived_path(original_name: str, variant: str) -> Path:
    """Where the ``variant`` copy of the stored photo ``original_name`` lives
    (shared with the evidence photos of daily reports)."""
    original = Path(original_name)
    return (
        Path(settings.MEDIA_ROOT)
        / "derived"
        / original.parent
        / (f"{original.stem}.{variant}.jpg")
    )


class OriginalPurged(Exception):
    """The original was deleted by the retention command and no copy of it
    is left to serve (backend.audit.retention)."""


def thumbnail_file(checkin: CheckIn) -> Path:
    """The upright, metadata-free thumbnail (made now if it does not exist)."""
    target = _derived_path(checkin, "thumb")
    if not target.exists() and checkin.photo_purged_at is not None:
        raise OriginalPurged
    if not target.exists():
        render_thumbnail(Path(checkin.photo.path), target)
    return target


def display_path(checkin: CheckIn) -> Path:
    return _derived_path(checkin, "display")


def display_file(checkin: CheckIn) -> Path:
    """The upright, metadata-free display copy (made now if needed); once the
    original is purged, the thumbnail is the largest copy left."""
    if checkin.photo_purged_at is not None:
        return thumbnail_file(checkin)
    target = _derived_path(checkin, "display")
    if not target.exists():
        render_display_copy(Path(checkin.photo.path), target)
    return target
