"""Write files so that they survive a crash once the call returns.

A check-in is answered 201 only after its photo is on disk *and* its row is
committed; this module covers the first half: write to a temporary name in
the target directory, fsync the file, rename it into place, fsync the
directory.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


class StorageFull(OSError):
    """No space left for uploads (answered 507, nothing half-written)."""


def write_durably(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        # Evidence is personal data: owner and group only, never world-readable.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if exc.errno in (28, 122):  # ENOSPC, EDQUOT
            raise StorageFull(exc.errno, "no space left for uploads") from exc
        raise


def remove_quietly(root: Path, relative: str) -> None:
    with contextlib.suppress(OSError):
        (root / relative).unlink()
