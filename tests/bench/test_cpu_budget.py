"""The check-in benchmark's CPU budget (bench/cpu_budget.py): a 9 MP
check-in's CPU split into the decode, the hash and the rest, against what
each goal's rate allows on the cores the server could have."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bench.cpu_budget import (
    Budget,
    budget,
    cpu_ms_each,
    decode_eighth,
    report_lines,
)

PHOTO = Path(__file__).resolve().parents[1] / "fixtures" / "photos"
SCENARIO = {
    "per_second": 50.0,
    "server_cpu_ms": 34.0,
    "client_cpu_ms": 1.0,
    "idle_cores": 0.15,
}


def _two_goals() -> Budget:
    return budget(
        SCENARIO,
        cores=2,
        decode_ms=22.0,
        sha256_ms=1.5,
        goal_rates={"0.6x floor": 50.0, "4x naive": 60.0},
    )


def test_the_rest_is_what_the_decode_and_the_hash_leave() -> None:
    found = _two_goals()

    assert found.rest_ms == pytest.approx(10.5)
    # The client used 1 ms x 50/s = 0.05 cores and 0.15 stayed idle.
    assert found.usable_cores == pytest.approx(1.8)
    floor, naive = found.goals
    assert floor.allowed_ms == pytest.approx(36.0)
    assert floor.rest_allowed_ms == pytest.approx(12.5)
    assert naive.allowed_ms == pytest.approx(30.0)
    assert naive.rest_allowed_ms == pytest.approx(6.5)


def test_the_report_says_which_goal_the_rest_fits() -> None:
    found = _two_goals()

    header, floor, naive = report_lines(found)

    assert "34.0 ms = 1/8 decode 22.0 + SHA-256 1.5 + the rest 10.5 ms" in header
    assert "1.80 cores usable" in header
    assert "0.6x floor (50.0/s) allows 36.0 ms" in floor
    assert floor.endswith("took 10.5 (fits, 2.00 ms to spare)")
    assert "the rest may take 6.5 ms" in naive
    assert naive.endswith("took 10.5 (over by 4.00 ms)")


def test_no_usable_cores_is_no_budget_rather_than_a_negative_one() -> None:
    busy = {**SCENARIO, "idle_cores": 0.0, "client_cpu_ms": 50.0}

    found = budget(busy, cores=2, decode_ms=1, sha256_ms=1, goal_rates={"g": 10})

    assert found.usable_cores == 0
    assert found.goals[0].allowed_ms == 0


def test_cpu_per_call_is_the_cpu_one_call_burns() -> None:
    calls = []

    def burn_two_ms(data: bytes) -> None:
        calls.append(data)
        started = time.thread_time()
        while time.thread_time() - started < 0.002:
            pass

    ms = cpu_ms_each(burn_two_ms, b"x", seconds=0.05)

    assert 2.0 <= ms < 4.0
    # A warm-up call, then five stretches of at least one call each.
    assert len(calls) >= 6


def test_the_floor_decode_decodes_every_block() -> None:
    data = (PHOTO / "mobile_HMD_Nokia_8.3_5G_1280.jpg").read_bytes()

    decode_eighth(data)
    # Only reading the headers would not notice the missing half.
    with pytest.raises(OSError, match="truncated"):
        decode_eighth(data[: len(data) // 2])
