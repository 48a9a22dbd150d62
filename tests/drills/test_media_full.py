"""Drill: the photo storage runs out of space (blocks, then inodes)."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.drills.checks import integrity
from tests.drills.deployment import deployment
from tests.drills.load import Attempt, CheckinLoad, phones

pytestmark = pytest.mark.drill

# Room for a dozen 1280-px photos, and few enough inodes to use them all up.
TMPFS_OPTIONS = "size=2m,nr_inodes=128,mode=0755"
REFUSED = 4


def _cannot(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run this drill")
    pytest.skip(reason)


@contextlib.contextmanager
def small_filesystem() -> Iterator[Path]:
    """A 2 MB tmpfs of our own, unmounted and removed afterwards."""
    if os.geteuid() != 0:
        _cannot("mounting a small tmpfs for MEDIA_ROOT needs root")
    directory = Path(tempfile.mkdtemp(prefix="pantau-drill-media-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", TMPFS_OPTIONS, "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        directory.rmdir()
        _cannot(f"mount -t tmpfs failed: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True)
        directory.rmdir()


def fill_blocks(root: Path) -> Path:
    filler = root / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC, exc
    finally:
        os.close(descriptor)
    return filler


def fill_inodes(root: Path) -> Path:
    directory = root / "inodes"
    directory.mkdir()
    for number in range(100_000):
        try:
            (directory / str(number)).touch()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
            return directory
    raise AssertionError("the inodes never ran out")


def files_under(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.parts[len(root.parts)] not in ("filler", "inodes")
    }


async def test_full_photo_storage_answers_507_and_writes_nothing(
    figures: Callable[..., None],
) -> None:
    with small_filesystem() as media, deployment(media_root=media) as deployed:
        load = CheckinLoad(deployed, await phones(deployed, 1))
        phone = load.phones[0]
        refused: list[Attempt] = []
        thumbnails: list[int] = []

        async def refused_while_full(client: httpx.AsyncClient) -> None:
            before = files_under(media)
            for _ in range(REFUSED):
                attempt = load.new_attempt(phone)
                load.attempts.append(attempt)
                await load.send(client, attempt)
                assert attempt.status == 507, (attempt.status, attempt.body)
                assert attempt.body["code"] == "storage_full", attempt.body
                refused.append(attempt)
            assert files_under(media) == before, "a refused check-in left a file"

        async with httpx.AsyncClient(timeout=30) as client:
            # No inodes left, before the day's folder exists.
            inodes = fill_inodes(media)
            await refused_while_full(client)
            for path in inodes.iterdir():
                path.unlink()
            inodes.rmdir()

            first = load.new_attempt(phone)
            load.attempts.append(first)
            await load.send(client, first)
            assert first.status == 201, first.body

            # No blocks left: check-ins and the first view of a thumbnail.
            filler = fill_blocks(media)
            await refused_while_full(client)
            thumbnail = await client.get(
                first.body["thumbnail_url"],
                headers={"Authorization": f"Token {phone.token}"},
            )
            thumbnails.append(thumbnail.status_code)
            assert thumbnail.status_code == 507, thumbnail.text

            found = integrity(deployed)
            for attempt in refused:
                assert (phone.username, attempt.client_uuid) not in found.rows

            # Space freed: the same check-ins, sent again, are recorded.
            filler.unlink()
            for attempt in refused:
                await load.send(client, attempt)
                assert attempt.status == 201, attempt.body
            thumbnail = await client.get(
                first.body["thumbnail_url"],
                headers={"Authorization": f"Token {phone.token}"},
            )
            thumbnails.append(thumbnail.status_code)
            assert thumbnail.status_code == 200

        found = integrity(deployed)
        assert found.halves() == {name: [] for name in found.halves()}, found.halves()
        assert found.unreferenced_files == []
        for attempt in [first, *refused]:
            assert len(found.rows[(phone.username, attempt.client_uuid)]) == 1
        figures(
            refused_with_507=len(refused),
            files_left_by_refusals=0,
            rows_for_refused_checkins=0,
            thumbnail_while_full_then_freed=thumbnails,
            recorded_after_space_freed=len(refused),
            rows_in_database=found.count(),
        )
