"""Durable writes: a full disk (blocks, inodes or quota) is StorageFull,
answered 507, and leaves nothing half-written."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from backend.lib.durable_files import DIRECT_MIN_BYTES, StorageFull, write_durably
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


@pytest.mark.parametrize("size", [DIRECT_MIN_BYTES, 2_100_003, 3 * 1024 * 1024])
def test_large_files_are_written_whole_and_private(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    for name in ("a.jpg", "b.jpg"):  # the second reuses the aligned buffer
        write_durably(tmp_path, f"checkins/{name}", data)
        written = tmp_path / "checkins" / name
        assert written.read_bytes() == data
        assert written.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (tmp_path / "checkins").iterdir()) == [
        "a.jpg",
        "b.jpg",
    ]


def test_a_filesystem_without_direct_writes_gets_ordinary_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = os.open
    tried: list[bool] = []

    def no_direct(path: Any, flags: int, *args: Any) -> int:
        tried.append(bool(flags & os.O_DIRECT))
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", no_direct)
    data = os.urandom(DIRECT_MIN_BYTES + 17)
    write_durably(tmp_path, "a.jpg", data)
    assert (tmp_path / "a.jpg").read_bytes() == data
    assert tried[:2] == [True, False]


def test_no_space_during_a_direct_write_is_storage_full_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "write", _failing(errno.ENOSPC))
    with pytest.raises(StorageFull):
        write_durably(tmp_path, "checkins/a.jpg", os.urandom(DIRECT_MIN_BYTES * 2))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def _fsyncs_recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from backend.lib import durable_files

    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(durable_files.os, "fsync", fsync)
    return synced


def test_every_folder_made_on_the_way_is_made_durable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "media"
    (root / "checkins" / "2026").mkdir(parents=True)
    synced = _fsyncs_recorded(monkeypatch)
    write_durably(root, "checkins/2026/11/25/a.jpg", b"x" * 100)
    directories = [path for path in synced if not path.endswith(".part")]
    # The new 11/ and 25/ entries, then the photo's own.
    assert directories == [
        str(root / "checkins" / "2026"),
        str(root / "checkins" / "2026" / "11"),
        str(root / "checkins" / "2026" / "11" / "25"),
    ]
    assert (root / "checkins/2026/11/25/a.jpg").read_bytes() == b"x" * 100


def test_a_missing_media_root_is_made_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = _fsyncs_recorded(monkeypatch)
    write_durably(tmp_path / "media", "checkins/a.jpg", b"photo")
    assert (tmp_path / "media" / "checkins" / "a.jpg").read_bytes() == b"photo"
    assert str(tmp_path) in synced


def test_a_folder_already_there_costs_no_more_fsyncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "checkins" / "2026" / "11" / "25").mkdir(parents=True)
    synced = _fsyncs_recorded(monkeypatch)
    write_durably(tmp_path, "checkins/2026/11/25/a.jpg", b"photo")
    assert [path for path in synced if not path.endswith(".part")] == [
        str(tmp_path / "checkins" / "2026" / "11" / "25")
    ]
