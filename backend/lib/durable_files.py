"""Write files so that they survive a crash once the call returns.

A check-in is answered 201 only after its photo is on disk *and* its row is
committed; this module covers the first half: write to a temporary name in
the target directory, fsync the file, rename it into place, fsync the
directory (and, for directories made on the way, each one's parent).

Large files are written with ``O_DIRECT``: a photo is written once and
read rarely, and copying megabytes into the page cache only to flush them
at the fsync cost the kernel more CPU than the rest of a check-in's disk
work (3.7 ms of system time for a 2 MB photo on the reference machine,
against under 0.1 ms direct). Filesystems without ``O_DIRECT`` (tmpfs)
get the ordinary write.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os
import secrets
import threading
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


# O_DIRECT needs block-aligned memory, lengths and offsets; 4 KiB suits
# every current disk. Below DIRECT_MIN_BYTES the page cache is cheaper.
_BLOCK = 4096
DIRECT_MIN_BYTES = 256 * 1024


class _AlignedBuffers:
    """Page-aligned buffers (anonymous mmaps), reused: mapping a fresh one
    per file would pay its page faults every time."""

    def __init__(self, keep: int = 8) -> None:
        self._free: list[mmap.mmap] = []
        self._lock = threading.Lock()
        self._keep = keep

    @contextlib.contextmanager
    def holding(self, data: bytes) -> Iterator[memoryview]:
        size = len(data) - len(data) % _BLOCK
        with self._lock:
            fitting = [buffer for buffer in self._free if len(buffer) >= size]
            buffer = min(fitting, key=len) if fitting else None
            if buffer is not None:
                self._free.remove(buffer)
        if buffer is None:
            buffer = mmap.mmap(-1, max(size, DIRECT_MIN_BYTES))
        view = memoryview(buffer)
        chunk = view[:size]
        try:
            chunk[:] = memoryview(data)[:size]
            yield chunk
        finally:
            chunk.release()
            view.release()
            with self._lock:
                if len(self._free) < self._keep:
                    self._free.append(buffer)
                else:
                    buffer.close()


_buffers = _AlignedBuffers()


def _write_all(descriptor: int, data: memoryview) -> None:
    written = 0
    while written < len(data):
        written += os.write(descriptor, data[written:])


def _open_new(path: Path, *, direct: bool) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | (os.O_DIRECT if direct else 0)
    # Evidence is personal data: owner and group only, never world-readable.
    return os.open(path, flags, 0o640)


def _write_file(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` and fsync it."""
    direct = len(data) >= DIRECT_MIN_BYTES
    try:
        descriptor = _open_new(path, direct=direct)
    except OSError as exc:
        if not direct or exc.errno != errno.EINVAL:
            raise
        direct = False
        descriptor = _open_new(path, direct=False)
    try:
        if direct:
            with _buffers.holding(data) as aligned:
                _write_all(descriptor, aligned)
                done = len(aligned)
            # The last partial block through the page cache.
            flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
            fcntl.fcntl(descriptor, fcntl.F_SETFL, flags & ~os.O_DIRECT)
            _write_all(descriptor, memoryview(data)[done:])
        else:
            _write_all(descriptor, memoryview(data))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(path: Path) -> None:
    directory = os.open(path, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _make_directories(directory: Path) -> None:
    """Create ``directory`` and its missing parents, each made durable: the
    entry of a new directory is only on disk once its parent is fsynced,
    and a photo in a directory lost at a power cut is lost with it (the
    first check-in of a day makes its day's folder)."""
    missing = []
    while not directory.is_dir():
        missing.append(directory)
        directory = directory.parent
    for new in reversed(missing):
        # Made by a concurrent request meanwhile: its entry may not be on
        # disk yet, so the parent is fsynced here all the same.
        new.mkdir(exist_ok=True)
        _fsync_directory(new.parent)


def write_durably(root: Path, relative: str, data: bytes) -> None:
    target = root / relative
    with storage_full_on_no_space():
        _make_directories(target.parent)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        _write_file(temporary, data)
        os.replace(temporary, target)
        _fsync_directory(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if exc.errno in _NO_SPACE:
            raise StorageFull(exc.errno, "no space left for uploads") from exc
        raise


def remove_quietly(root: Path, relative: str) -> None:
    with contextlib.suppress(OSError):
        (root / relative).unlink()
