"""Write files so that they survive a crash once the call returns.

A check-in is answered 201 only after its photo is on disk *and* its row is
committed; this module covers the first half: write to a temporary name in
the target directory, fsync the file, rename it into place, fsync the
directory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


class StorageFull(OSError):
    """No space left for uploads (answered 507, nothing half-written)."""


_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


@contextlib.contextmanager
def storage_full_on_no_space() -> Iterator[None]:
    """Raise ``StorageFull`` for "no space" (blocks, inodes or quota)."""
    try:
        yield
    except StorageFull:
        raise
    except OSError as exc:
        if exc.errno in _NO_SPACE:
            raise StorageFull(exc.errno, "no space left for uploads") from exc
        raise


def write_durably(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    # A new day's folder needs an inode too.
    with storage_full_on_no_space():
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
        if exc.errno in _NO_SPACE:
            raise StorageFull(exc.errno, "no space left for uploads") from exc
        raise


def remove_quietly(root: Path, relative: str) -> None:
    with contextlib.suppress(OSError):
        (root / relative).unlink()
