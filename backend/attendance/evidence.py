"""Derived copies of check-in photos, made on first request.

The original is kept byte for byte (it is evidence, with its SHA-256); what
people see are re-encoded copies without EXIF or trailing bytes, made when
somebody first opens them, since most check-in photos are never looked at.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from backend.attendance.models import CheckIn
from backend.lib.photos import render_display_copy, render_thumbnail


def _derived_path(checkin: CheckIn, variant: str) -> Path:
    original = Path(str(checkin.photo.name))
    return (
        Path(settings.MEDIA_ROOT)
        / "derived"
        / original.parent
        / (f"{original.stem}.{variant}.jpg")
    )


def thumbnail_file(checkin: CheckIn) -> Path:
    """The upright, metadata-free thumbnail (made now if it does not exist)."""
    target = _derived_path(checkin, "thumb")
    if not target.exists():
        render_thumbnail(
            Path(checkin.photo.path), target, max_pixels=settings.PHOTO_MAX_PIXELS
        )
    return target


def display_file(checkin: CheckIn) -> Path:
    """The upright, metadata-free display copy (made now if needed)."""
    target = _derived_path(checkin, "display")
    if not target.exists():
        render_display_copy(
            Path(checkin.photo.path), target, max_pixels=settings.PHOTO_MAX_PIXELS
        )
    return target
