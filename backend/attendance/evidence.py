"""Derived copies of check-in photos, made on first request.

The original is kept byte for byte (it is evidence, with its SHA-256); what
people see are re-encoded copies without EXIF or trailing bytes, made when
somebody first opens them, since most check-in photos are never looked at.
The evidence photos of daily reports are served the same way
(``stored_photo_copy``).

Copies are rendered without a pixel cap: every original passed
``inspect_photo`` under the cap in force when it was uploaded, and a cap
lowered later must not hide photos already accepted (nor stop their
retention purge, which makes a thumbnail first).

The retention purge (``backend.audit.retention``) deletes the original and
the display copy before it marks the row, so a request that read the row
just before may find the original gone. Whenever the original is gone, the
thumbnail stands in for the display copy, as for a purged row. A display
copy is only kept if the original still exists once the copy is written:
otherwise the purge may have run in between and missed it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _

from backend.attendance.models import CheckIn
from backend.lib.photos import PhotoRejected, render_display_copy, render_thumbnail
from backend.lib.refusals import FileGone

Variant = Literal["thumb", "display"]


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


class OriginalPurged(FileGone):
    """The original was deleted by the retention command and no copy of it
    is left to serve (backend.audit.retention)."""

    def __init__(self) -> None:
        super().__init__(
            "photo_purged", _("This photo was deleted after its retention period.")
        )


class PhotoUnavailable(FileGone):
    """No copy of a stored photo can be made: its original is missing
    without having been purged, or no longer decodes. Either way the
    evidence is lost or damaged on the server, which the viewer did not
    cause and cannot mend. ``problem`` names the row, for the log."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            "photo_unavailable",
            _("The stored photo cannot be shown: its file is missing or damaged."),
            problem,
        )


@dataclass(frozen=True)
class PhotoCopy:
    """A copy to serve. ``original_gone``: the original is no longer stored
    (a ``display`` request then gets the thumbnail)."""

    path: Path
    original_gone: bool = False


def stored_photo_copy(
    name: str, variant: Variant, *, purged: bool, subject: str
) -> PhotoCopy:
    """The upright, metadata-free ``variant`` copy of the stored photo
    ``name`` (under ``MEDIA_ROOT``), made now if it does not exist.

    ``purged`` says the row is marked as purged; ``subject`` names the row
    in errors for the log ("check-in 12"). Once the original is gone the
    thumbnail is the largest copy left, and is what a ``display`` request
    gets. Raises ``OriginalPurged`` when a purged photo has no thumbnail
    either, ``PhotoUnavailable`` when a copy is needed from an original
    that does not decode, or that is missing though it was not purged, and
    ``StorageFull`` or ``OSError`` when a copy cannot be written.
    """
    if variant == "display" and not purged:
        display = derived_path(name, "display")
        if display.exists():
            return PhotoCopy(display)
        if _render(render_display_copy, name, display, subject):
            if _original(name).exists():
                return PhotoCopy(display)
            # The purge deleted the original while this copy was being made,
            # and may have deleted the display copy before this one was
            # written: it goes now, or it would outlive the retention period.
            # (The purge deletes the original first, so an original still
            # there means its deletion of the display copy is still to come.)
            display.unlink(missing_ok=True)
    thumbnail = derived_path(name, "thumb")
    if thumbnail.exists() or (
        not purged and _render(render_thumbnail, name, thumbnail, subject)
    ):
        return PhotoCopy(thumbnail, original_gone=purged or variant == "display")
    if purged:
        raise OriginalPurged
    raise PhotoUnavailable(f"{subject}: the stored original {name} is missing")


def _original(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def _render(
    render: Callable[[Path, Path], tuple[int, int]],
    name: str,
    target: Path,
    subject: str,
) -> bool:
    """Make ``target`` from the stored original; False when it is gone."""
    original = _original(name)
    try:
        render(original, target)
    except FileNotFoundError:
        if original.exists():
            raise
        return False
    except PhotoRejected as exc:
        # It passed inspect_photo when it was stored: the file has been
        # damaged on the server since.
        raise PhotoUnavailable(
            f"{subject}: the stored original {name} does not decode ({exc.code})"
        ) from exc
    return True


def checkin_photo_copy(checkin: CheckIn, variant: Variant) -> PhotoCopy:
    """The ``variant`` copy of a check-in's photo (``stored_photo_copy``)."""
    return stored_photo_copy(
        str(checkin.photo.name),
        variant,
        purged=checkin.photo_purged_at is not None,
        subject=f"check-in {checkin.pk}",
    )


def thumbnail_file(checkin: CheckIn) -> Path:
    """The upright, metadata-free thumbnail (made now if it does not exist)."""
    return checkin_photo_copy(checkin, "thumb").path


def display_path(checkin: CheckIn) -> Path:
    return _derived_path(checkin, "display")
