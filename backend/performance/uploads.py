"""Evidence files of daily reports: check them by content, store them
privately, make the copies people are shown.

The rules of check-in photos apply (``backend.lib.photos``): the format is
decided by the bytes, never the name or declared type; limits are checked
before anything is decoded or written; originals are never served. Besides
photos, a report may carry PDF documents: a PDF is recognised by its
``%PDF-`` header and must end with an ``%%EOF`` marker (a cut-off upload
does not), and is only ever served as a download, never inline.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from backend.attendance.evidence import PhotoCopy, Variant, stored_photo_copy
from backend.lib.durable_files import remove_quietly, write_durably
from backend.lib.refusals import FileGone, UploadRejected
from backend.performance.models import ReportEvidence

PDF_MIME = "application/pdf"
# The trailer may be followed by a little whitespace or garbage; the spec
# lets readers look for %%EOF in the last 1024 bytes.
_PDF_TAIL = 1024


class EvidenceRejected(UploadRejected):
    """An evidence upload that is refused (400, 413 or 415)."""


def read_capped(upload: BinaryIO, cap: int) -> bytes:
    """At most ``cap + 1`` bytes: enough to know that an upload is too big."""
    return upload.read(cap + 1)


def check_pdf(data: bytes) -> None:
    """Raise ``EvidenceRejected`` unless ``data`` is a complete PDF file."""
    limit = settings.REPORT_DOCUMENT_MAX_BYTES
    if not data:
        raise EvidenceRejected(400, "empty_file", _("The document file is empty."))
    if len(data) > limit:
        raise EvidenceRejected(
            413,
            "too_large",
            _("The document is too large: the limit is %(mb).1f MB.")
            % {"mb": limit / (1024 * 1024)},
        )
    if not data.startswith(b"%PDF-"):
        raise EvidenceRejected(
            415,
            "unsupported_media_type",
            _("This is not a supported document: send a PDF file."),
        )
    if b"%%EOF" not in data[-_PDF_TAIL:]:
        raise EvidenceRejected(
            400,
            "damaged_document",
            _("The PDF file is incomplete or damaged (no end-of-file marker)."),
        )


def store(data: bytes, *, day: date, extension: str) -> str:
    """Write ``data`` durably under ``MEDIA_ROOT/reports/YYYY/MM/DD/``;
    returns the relative name. Raises ``StorageFull`` when the disk is."""
    relative = f"reports/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{extension}"
    write_durably(settings.MEDIA_ROOT, relative, data)
    return relative


def discard(names: list[str]) -> None:
    for name in names:
        remove_quietly(settings.MEDIA_ROOT, name)


def photo_copy(item: ReportEvidence, variant: Variant) -> PhotoCopy:
    """The re-encoded ``thumb`` or ``display`` copy of an evidence photo,
    made on first request as for check-in photos
    (``backend.attendance.evidence.stored_photo_copy``: evidence photos are
    never purged, so a missing original is a ``PhotoUnavailable``)."""
    return stored_photo_copy(
        str(item.file.name),
        variant,
        purged=False,
        subject=f"report evidence {item.pk}",
    )


def document_file(item: ReportEvidence) -> Path:
    """The stored PDF of a document evidence item; ``FileGone`` (410
    ``document_unavailable``) when it is missing."""
    path = Path(settings.MEDIA_ROOT) / str(item.file.name)
    if not path.is_file():
        raise FileGone(
            "document_unavailable",
            _("The stored document cannot be shown: its file is missing."),
            f"report evidence {item.pk}: the stored document {item.file.name} "
            "is missing",
        )
    return path
