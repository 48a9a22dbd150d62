"""A web worker's heap is frozen and its gen-0 threshold raised before it serves."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.lib.gc_tuning import OLDER_GENERATIONS, settle_heap

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restored_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_settling_freezes_the_heap_and_sets_the_threshold(restored_gc: None) -> None:
    gc.unfreeze()
    settle_heap(5000)
    # Every view module is loaded and frozen with the rest.
    assert "mobile_api.views.checkins" in sys.modules
    assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (5000, *OLDER_GENERATIONS)


def test_zero_keeps_pythons_thresholds(restored_gc: None) -> None:
    before = gc.get_threshold()
    settle_heap(0)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() > 0


def test_the_asgi_application_settles_its_worker() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "SECRET_KEY": "gc-tuning-test-secret-key-0123456789-abcdefghijklmnop",
        "WEB_GC_THRESHOLD": "4321",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    code = (
        "import gc, backend.asgi; "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 10000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4321", "True"]
