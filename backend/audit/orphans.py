"""Uploaded files that no row refers to, and their removal.

A check-in photo (and a daily report's evidence file) is written and
fsynced before its row commits, so that a 201 never names a missing file.
A worker killed between the two, or a commit that fails, leaves a file that
nothing refers to: personal data with no purpose, which is not kept
(UU 27/2022). ``unreferenced_uploads_purge`` deletes such files, and
leftover ``.part`` temporaries, once they are older than a grace period: a
younger file may belong to a request whose row has not committed yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction

from backend.attendance.models import CheckIn
from backend.audit.services import audit_record
from backend.performance.models import ReportEvidence

logger = logging.getLogger(__name__)

# Folder under MEDIA_ROOT -> the model and file field whose rows name its files.
UPLOAD_FOLDERS: dict[str, tuple[type[models.Model], str]] = {
    "checkins": (CheckIn, "photo"),
    "reports": (ReportEvidence, "file"),
}


@dataclass
class OrphanPurge:
    removed: list[str] = field(default_factory=list)
    too_recent: int = 0


def unreferenced_uploads_purge(
    *, older_than: dt.timedelta, batch: int = 500
) -> OrphanPurge:
    """Delete uploads older than ``older_than`` that no row refers to."""
    root = Path(settings.MEDIA_ROOT)
    cutoff = time.time() - older_than.total_seconds()
    result = OrphanPurge()
    for folder, (model, field_name) in UPLOAD_FOLDERS.items():
        pending: dict[str, Path] = {}
        for path in sorted((root / folder).rglob("*")):
            try:
                if not path.is_file():
                    continue
                modified = path.stat().st_mtime
            except OSError:
                continue
            if modified > cutoff:
                result.too_recent += 1
                continue
            name = path.relative_to(root).as_posix()
            if path.name.endswith(".part"):
                _remove(path, name, result)
                continue
            pending[name] = path
            if len(pending) >= batch:
                _purge_batch(model, field_name, pending, result)
                pending = {}
        _purge_batch(model, field_name, pending, result)
    if result.removed:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="uploads.unreferenced_purged",
                target=None,
                after={
                    "count": len(result.removed),
                    "older_than_minutes": older_than.total_seconds() / 60,
                    "files": result.removed[:100],
                },
            )
    return result


def _purge_batch(
    model: type[models.Model],
    field_name: str,
    pending: dict[str, Path],
    result: OrphanPurge,
) -> None:
    if not pending:
        return
    referenced = set(
        model._default_manager.filter(
            **{f"{field_name}__in": list(pending)}
        ).values_list(field_name, flat=True)
    )
    for name, path in pending.items():
        if name not in referenced:
            _remove(path, name, result)


def _remove(path: Path, name: str, result: OrphanPurge) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
    logger.info("removed unreferenced upload %s", name)
    result.removed.append(name)
