"""How many instances the benchmark's scaled run starts: as many as the
deployment guide says to run on the machine (docs/deployment.md)."""

from __future__ import annotations

import pytest

from bench import checkins
from bench.server import scaled_instances

pytestmark = pytest.mark.sqlite_only


@pytest.mark.parametrize(
    ("cores", "instances"), [(1, 2), (2, 3), (3, 5), (4, 6), (16, 24)]
)
def test_three_instances_for_every_two_cores(cores: int, instances: int) -> None:
    assert scaled_instances(cores) == instances


def test_this_machine_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert scaled_instances() == 12


def test_the_guide_says_the_same() -> None:
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"
    text = " ".join(guide.read_text().split())
    assert "three instances for every two cores" in text


@pytest.mark.parametrize(
    ("raw", "chosen"),
    [("", None), ("1", (1,)), ("3", (3,)), ("1,4", (1, 4)), (" 1 , 2 ", (1, 2))],
)
def test_bench_workers_chooses_the_runs(
    monkeypatch: pytest.MonkeyPatch, raw: str, chosen: tuple[int, ...] | None
) -> None:
    monkeypatch.setenv("BENCH_WORKERS", raw)
    assert checkins._workers_from_env() == chosen
