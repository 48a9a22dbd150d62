"""``python -m bench checkins`` in miniature: one worker, a twentieth of the
requests. It checks that the benchmark still runs end to end and that its
figures hang together, not how fast anything is (that is the benchmark's
job, not a test's)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys

import pytest

from tests.run import DEPLOYMENT_VARS
from tests.stack import ROOT

pytestmark = pytest.mark.sqlite_only


def test_the_check_in_benchmark_runs_and_its_budget_adds_up() -> None:
    # The embedded default, whatever the pass's deployment.
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARS}
    env.update(BENCH_WORKERS="1", BENCH_SCALE="0.05")

    finished = subprocess.run(
        [sys.executable, "-m", "bench.checkins", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    report, _, raw = finished.stdout.strip().rpartition("\n")
    results = json.loads(raw)
    assert results["floor_9mp_per_s"] > results["naive_9mp_per_s"] > 0
    server = results["servers"]["1"]
    expected = {
        "checkin_9mp": "201",
        "stack_floor_9mp": "201",
        "checkin_1280": "201",
        "checkin_tiny_photo": "201",
        "json_me": "200",
    }
    for scenario, status in expected.items():
        summary = server[scenario]
        assert list(summary["statuses"]) == [status], scenario
        assert summary["server_cpu_ms"] > 0
    assert server["ratio_9mp_vs_floor"] == pytest.approx(
        server["checkin_9mp"]["per_second"] / results["floor_9mp_per_s"]
    )
    assert server["ratio_stack_floor_vs_naive"] == pytest.approx(
        server["stack_floor_9mp"]["per_second"] / results["naive_9mp_per_s"]
    )
    spent = server["budget_9mp"]
    nine = server["checkin_9mp"]
    assert spent["cpu_ms"] == nine["server_cpu_ms"]
    assert spent["stack_floor_ms"] == server["stack_floor_9mp"]["server_cpu_ms"]
    assert spent["decode_ms"] == results["decode_9mp_cpu_ms"] > 0
    assert spent["sha256_ms"] == results["sha256_9mp_cpu_ms"] > 0
    # The cores left by this run's own client and idle, not a constant.
    assert nine["client_cpu_ms"] > 0
    assert spent["usable_cores"] == pytest.approx(
        (os.cpu_count() or 1)
        - nine["client_cpu_ms"] * nine["per_second"] / 1000
        - nine["idle_cores"]
    )
    assert spent["own_ms"] == pytest.approx(spent["cpu_ms"] - spent["stack_floor_ms"])
    assert spent["stack_rest_ms"] == pytest.approx(
        spent["stack_floor_ms"] - spent["decode_ms"] - spent["sha256_ms"]
    )
    assert [goal["name"] for goal in spent["goals"]] == ["0.6x floor", "4x naive"]
    assert results["python"].startswith(f"Python {platform.python_version()} (")
    assert results["python"] in report
    assert "9 MP CPU per check-in" in report
    assert "4x naive (" in report
    assert "stack floor vs naive" in report
