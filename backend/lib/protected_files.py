"""Answer with a private file once the caller has been found allowed to see it.

Photos, thumbnails and evidence documents live under ``MEDIA_ROOT``, which
has no public URL. A view checks who is asking, makes sure the copy it may
show exists (the re-encoded one, without EXIF), and then calls
``protected_file_response``:

- with ``PROTECTED_MEDIA_ACCEL_PREFIX`` empty (the default, ``make run``) the
  worker streams the file itself;
- with it set, as behind nginx (``deploy/nginx/pantau.conf``), the answer
  carries no body, only ``X-Accel-Redirect: <prefix><path under MEDIA_ROOT>``;
  nginx then sends the file from its ``internal`` location, which no client
  can request directly. The worker is free again as soon as the permission
  check is done, however slow the phone's connection.

Both answers carry the same Content-Type, Content-Disposition and
Cache-Control, which nginx keeps when it follows the redirect.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

ACCEL_HEADER = "X-Accel-Redirect"


def protected_file_response(
    path: Path | str,
    *,
    content_type: str,
    cache_control: str,
    as_attachment: bool = False,
    filename: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponseBase:
    """The file at ``path`` (under ``MEDIA_ROOT``) for a caller already
    allowed to see it; ``headers`` are added to the answer."""
    path = Path(path)
    name = filename or path.name
    prefix = settings.PROTECTED_MEDIA_ACCEL_PREFIX
    response: HttpResponseBase
    if prefix:
        response = HttpResponse(content_type=content_type)
        response[ACCEL_HEADER] = prefix + quote(_under_media_root(path))
        disposition = content_disposition_header(as_attachment, name)
        if disposition:
            response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type=content_type,
            as_attachment=as_attachment,
            filename=name,
        )
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _under_media_root(path: Path) -> str:
    """``path`` relative to ``MEDIA_ROOT``, with forward slashes.

    A file outside it has no internal URL: that is a programming error, and
    must not become a way to make nginx send an arbitrary file.
    """
    root = os.path.realpath(settings.MEDIA_ROOT)
    target = os.path.realpath(path)
    if os.path.commonpath([root, target]) != root or target == root:
        raise ValueError(f"{path} is not a file under MEDIA_ROOT")
    return Path(os.path.relpath(target, root)).as_posix()
