"""Retention of check-in photos (UU 27/2022: keep personal data no longer
than needed).

After the retention period the original file and the display copy are
deleted; the SHA-256, the perceptual hash, the EXIF facts and the small
thumbnail stay, so reuse of a photo is still detected and a reviewer still
sees who it was. Safe to run daily and again after a crash: a row is marked
only once its files are gone, and a row whose original is already missing
but whose thumbnail exists is simply marked.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.attendance import evidence
from backend.attendance.models import CheckIn
from backend.audit.services import audit_record
from backend.lib.refusals import FileGone

logger = logging.getLogger(__name__)


@dataclass
class PurgeResult:
    purged: int = 0
    failed: list[int] = field(default_factory=list)


def _original(checkin: CheckIn) -> Path:
    return Path(settings.MEDIA_ROOT) / str(checkin.photo.name)


def photo_originals_purge(*, older_than_days: int, batch: int = 500) -> PurgeResult:
    """Delete original photos of check-ins captured more than
    ``older_than_days`` ago, keeping a thumbnail, the hashes and EXIF facts.
    Check-ins whose thumbnail cannot be made are left alone and reported."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    result = PurgeResult()
    candidates = (
        CheckIn.objects.filter(captured_at__lt=cutoff, photo_purged_at__isnull=True)
        .only("id", "photo", "captured_at")
        .order_by("id")
    )
    last_id = 0
    while True:
        rows = list(candidates.filter(id__gt=last_id)[:batch])
        if not rows:
            break
        for checkin in rows:
            last_id = checkin.pk
            if _purge_one(checkin):
                result.purged += 1
            else:
                result.failed.append(checkin.pk)
    if result.purged:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="photo.originals_purged",
                target=None,
                after={
                    "count": result.purged,
                    "older_than_days": older_than_days,
                    "captured_before": cutoff,
                },
            )
    return result


def _purge_one(checkin: CheckIn) -> bool:
    original = _original(checkin)
    try:
        # The thumbnail first: without it nothing of the picture would be left.
        thumbnail = evidence.thumbnail_file(checkin)
    except (OSError, ValueError, FileGone):
        logger.warning("retention: no thumbnail for check-in %s; kept", checkin.pk)
        return False
    if not thumbnail.exists():
        return False
    # Files first, then the mark: a crash in between leaves a row that the
    # next run marks (original gone, thumbnail present).
    original.unlink(missing_ok=True)
    evidence.display_path(checkin).unlink(missing_ok=True)
    CheckIn.objects.filter(pk=checkin.pk, photo_purged_at__isnull=True).update(
        photo_purged_at=timezone.now()
    )
    return True
