"""The check-in benchmark's CPU budget (bench/cpu_budget.py): a 9 MP
check-in's CPU split into the stack floor (of which the decode and the
hash) and the check-in's own work, against what each goal's rate allows
on the cores the server could have."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

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


def _budget(scenario: dict[str, float] = SCENARIO, **overrides: Any) -> Budget:
    """Two goals, a 27 ms stack floor of which 22 ms decode and 1.5 ms hash,
    unless ``overrides`` says otherwise."""
    arguments: dict[str, Any] = {
        "cores": 2,
        "stack_floor_ms": 27.0,
        "decode_ms": 22.0,
        "sha256_ms": 1.5,
        "goal_rates": {"0.6x floor": 50.0, "4x naive": 60.0},
    }
    return budget(scenario, **{**arguments, **overrides})


def test_the_own_work_is_what_the_stack_floor_leaves() -> None:
    found = _budget()

    assert found.own_ms == pytest.approx(7.0)
    # The stack floor beyond its decode and hash.
    assert found.stack_rest_ms == pytest.approx(3.5)
    # The client used 1 ms x 50/s = 0.05 cores and 0.15 stayed idle.
    assert found.usable_cores == pytest.approx(1.8)
    floor, naive = found.goals
    assert floor.allowed_ms == pytest.approx(36.0)
    assert floor.own_allowed_ms == pytest.approx(9.0)
    assert naive.allowed_ms == pytest.approx(30.0)
    assert naive.own_allowed_ms == pytest.approx(3.0)


def test_the_report_says_which_goal_the_own_work_fits() -> None:
    found = _budget()

    header, cores, floor, naive = report_lines(found)

    assert (
        "34.0 ms = stack floor 27.0 (1/8 decode 22.0 + SHA-256 1.5 + the rest 3.5)"
        " + the check-in's own work 7.0 ms"
    ) in header
    assert "1.80 cores usable" in cores
    assert "0.6x floor (50.0/s) allows 36.0 ms" in floor
    assert floor.endswith("took 7.0 (fits, 2.00 ms to spare)")
    assert "the own work may take 3.0 ms" in naive
    assert naive.endswith("took 7.0 (over by 4.00 ms)")


def test_a_stack_floor_over_the_allowance_leaves_a_negative_allowance() -> None:
    # Even a check-in with no work of its own could not reach this rate.
    found = _budget(stack_floor_ms=32.0, goal_rates={"4x naive": 60.0})

    assert found.goals[0].own_allowed_ms == pytest.approx(-2.0)
    assert report_lines(found)[-1].endswith("took 2.0 (over by 4.00 ms)")


def test_no_usable_cores_is_no_budget_rather_than_a_negative_one() -> None:
    busy = {**SCENARIO, "idle_cores": 0.0, "client_cpu_ms": 50.0}

    found = _budget(busy, goal_rates={"g": 10})

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
