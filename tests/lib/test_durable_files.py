"""Durable writes: a full disk (blocks, inodes or quota) is StorageFull,
answered 507, and leaves nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from backend.lib.durable_files import StorageFull, write_durably
from backend.lib.photos import render_thumbnail

PHOTO = Path(__file__).parents[1] / "fixtures" / "photos" / "orientation_portrait_6.jpg"


def _failing(code: int) -> Any:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def test_no_inode_for_a_new_days_folder_is_storage_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "mkdir", _failing(errno.ENOSPC))
    with pytest.raises(StorageFull):
        write_durably(tmp_path, "checkins/2026/11/25/a.jpg", b"photo")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT])
def test_no_space_while_writing_is_storage_full_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    monkeypatch.setattr(os, "fsync", _failing(code))
    with pytest.raises(StorageFull):
        write_durably(tmp_path, "checkins/2026/11/25/a.jpg", b"photo")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_other_storage_errors_are_not_storage_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _failing(errno.EIO))
    with pytest.raises(OSError) as raised:
        write_durably(tmp_path, "checkins/a.jpg", b"photo")
    assert not isinstance(raised.value, StorageFull)


def test_a_thumbnail_that_finds_no_space_is_storage_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "fsync", _failing(errno.ENOSPC))
    with pytest.raises(StorageFull):
        render_thumbnail(PHOTO, tmp_path / "derived" / "a.thumb.jpg")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
