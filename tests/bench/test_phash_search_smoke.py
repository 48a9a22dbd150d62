"""``python -m bench.phash_search`` in miniature: it runs end to end over
the project's own schema and search, and its figures hang together (not
how fast anything is: that is the benchmark's job)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.run import DEPLOYMENT_VARS
from tests.stack import ROOT

pytestmark = pytest.mark.sqlite_only


def test_the_near_duplicate_search_benchmark_runs() -> None:
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARS}
    env.update(BENCH_SCALE="0.005")
    finished = subprocess.run(
        [sys.executable, "-m", "bench.phash_search"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    assert lines[0].startswith("near-duplicate search over 5,000 check-ins")
    reference, default = lines[1], lines[2]
    assert "radius 0" in reference and "radius 1" in default

    # Radius 1 probes 17 values a band against 1: it reads more candidates.
    def candidates(line: str) -> int:
        return int(line.split("ms/search")[1].split()[0])

    assert candidates(default) > candidates(reference)
    assert lines[3].startswith("  default vs reference: ")
