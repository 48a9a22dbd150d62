"""Photo decodes run on pixel threads: at most PIXEL_THREADS at once, with
PIXEL_THREAD_NICE added to their nice value, errors raised to the caller."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import ImageFile

from backend.lib import pixel_threads
from backend.lib.photos import PhotoRejected, inspect_photo, render_thumbnail

PHOTOS = Path(__file__).resolve().parent.parent / "fixtures" / "photos"
NOKIA_1280 = PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
LINUX = sys.platform.startswith("linux")


def _own_nice() -> int:
    # The calling thread's nice value on Linux.
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_work_runs_on_a_pixel_thread(settings: Any) -> None:
    settings.PIXEL_THREADS = 2

    name = pixel_threads.run(lambda: threading.current_thread().name)

    assert name.startswith("pixels")
    assert name != threading.current_thread().name


@pytest.mark.skipif(not LINUX, reason="the nice value is per thread on Linux only")
def test_pixel_threads_rank_below_the_caller(settings: Any) -> None:
    settings.PIXEL_THREADS = 1
    settings.PIXEL_THREAD_NICE = 7
    before = _own_nice()

    on_pixel_thread = pixel_threads.run(_own_nice)

    assert on_pixel_thread == min(19, before + 7)
    # The caller's own rank is untouched.
    assert _own_nice() == before


@pytest.mark.skipif(not LINUX, reason="the nice value is per thread on Linux only")
def test_nice_zero_leaves_the_rank_alone(settings: Any) -> None:
    settings.PIXEL_THREADS = 1
    settings.PIXEL_THREAD_NICE = 0

    assert pixel_threads.run(_own_nice) == _own_nice()


def test_an_error_is_raised_in_the_caller(settings: Any) -> None:
    settings.PIXEL_THREADS = 1

    def fail() -> None:
        raise ValueError("broken pixels")

    with pytest.raises(ValueError, match="broken pixels"):
        pixel_threads.run(fail)
    # The thread survives its job's error.
    assert pixel_threads.run(lambda: 42) == 42


@pytest.mark.parametrize("threads", [1, 3])
def test_at_most_pixel_threads_jobs_at_once(settings: Any, threads: int) -> None:
    # Two sizes in a row: a changed setting must take effect at once.
    settings.PIXEL_THREADS = threads
    lock = threading.Lock()
    release = threading.Event()
    counts = {"active": 0, "peak": 0, "done": 0}

    def job() -> None:
        with lock:
            counts["active"] += 1
            counts["peak"] = max(counts["peak"], counts["active"])
        release.wait(timeout=30)
        with lock:
            counts["active"] -= 1
            counts["done"] += 1

    callers = [
        threading.Thread(target=pixel_threads.run, args=(job,)) for _ in range(5)
    ]
    for caller in callers:
        caller.start()
    deadline = time.monotonic() + 30
    while counts["active"] < threads and time.monotonic() < deadline:
        time.sleep(0.01)
    # Time for one more job to start, were there a thread for it.
    time.sleep(0.2)
    assert counts["active"] == threads
    release.set()
    for caller in callers:
        caller.join(timeout=30)

    assert counts == {"active": 0, "peak": threads, "done": 5}


def test_a_pixel_thread_runs_nested_work_in_place(settings: Any) -> None:
    # One thread, waiting for itself, would never finish.
    settings.PIXEL_THREADS = 1
    outcome: list[str] = []

    def nested() -> str:
        return pixel_threads.run(lambda: threading.current_thread().name)

    caller = threading.Thread(target=lambda: outcome.append(pixel_threads.run(nested)))
    caller.start()
    caller.join(timeout=30)

    assert len(outcome) == 1
    assert outcome[0].startswith("pixels")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_starts_its_own_pixel_threads(settings: Any) -> None:
    settings.PIXEL_THREADS = 1
    assert pixel_threads.run(lambda: 1) == 1  # the parent's pool is running

    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        try:
            result = pixel_threads.run(lambda: threading.current_thread().name)
            os._exit(0 if result.startswith("pixels") else 1)
        finally:
            os._exit(2)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            break
        time.sleep(0.05)
    else:
        os.kill(child, 9)
        os.waitpid(child, 0)
        pytest.fail("the forked child's pixel work never ran")

    assert os.waitstatus_to_exitcode(status) == 0


@pytest.fixture
def decoding_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread of every pixel decode."""
    names: list[str] = []
    load = ImageFile.ImageFile.load

    def recorded(image: ImageFile.ImageFile) -> Any:
        if image.tile:  # pixels still to decode; otherwise load() does nothing
            names.append(threading.current_thread().name)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", recorded)
    return names


def test_a_checked_photo_is_decoded_on_a_pixel_thread(
    settings: Any, decoding_threads: list[str]
) -> None:
    settings.PIXEL_THREADS = 2

    facts = inspect_photo(
        NOKIA_1280.read_bytes(), max_bytes=15 << 20, max_pixels=60_000_000
    )

    assert facts.width == 1280
    assert decoding_threads
    assert all(name.startswith("pixels") for name in decoding_threads)


def test_a_truncated_photo_is_still_refused(settings: Any) -> None:
    settings.PIXEL_THREADS = 1
    data = NOKIA_1280.read_bytes()

    with pytest.raises(PhotoRejected) as refused:
        inspect_photo(data[: len(data) // 2], max_bytes=15 << 20, max_pixels=60_000_000)

    assert (refused.value.status, refused.value.code) == (400, "damaged_image")


def test_a_thumbnail_is_decoded_on_a_pixel_thread(
    settings: Any, decoding_threads: list[str], tmp_path: Path
) -> None:
    settings.PIXEL_THREADS = 2
    destination = tmp_path / "thumbnail.jpg"

    render_thumbnail(NOKIA_1280, destination, max_side=320, max_pixels=60_000_000)

    assert destination.stat().st_size > 0
    assert decoding_threads
    assert all(name.startswith("pixels") for name in decoding_threads)
