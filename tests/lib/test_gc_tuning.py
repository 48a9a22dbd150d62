"""A web worker's heap is frozen and its gen-0 threshold raised before it serves."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from backend.lib.gc_tuning import OLDER_GENERATIONS, settle_heap
from tests.test_settings import run_python


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
    done = run_python(
        [
            "-c",
            "import gc, backend.asgi; "
            "print(gc.get_threshold()[0], gc.get_freeze_count() > 10000)",
        ],
        {
            "SECRET_KEY": "gc-tuning-test-secret-key-0123456789-abcdefghijklmnop",
            "WEB_GC_THRESHOLD": "4321",
        },
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["4321", "True"]
