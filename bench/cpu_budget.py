"""Where a 9 MP check-in's CPU goes, against what each throughput goal allows.

Throughput through the server is CPU-bound on a small machine, so a goal
in check-ins per second is a CPU budget per check-in: the cores the
server can have (all of them, less what the benchmark's own client used
and what stayed idle in the same scenario), divided by the goal's rate.
Part of every 9 MP check-in is fixed by the goals themselves:

- the 1/8-scale decode, which is the floor reference's own work, and
- the SHA-256 of the original, which reuse detection and the stored
  evidence need.

Both are measured here, in one thread of this process, on the same photo
and in the same run as the server. What is left of the budget after them
is what everything else a check-in does may cost; the report puts it next
to what everything else did cost.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image


def decode_eighth(data: bytes) -> None:
    """The floor's work: decode a JPEG at 1/8 scale in grey."""
    with Image.open(io.BytesIO(data)) as image:
        image.draft("L", (image.width // 8, image.height // 8))
        image.load()


def hash_sha256(data: bytes) -> None:
    hashlib.sha256(data).digest()


def cpu_ms_each(work: Callable[[bytes], None], data: bytes, seconds: float) -> float:
    """CPU milliseconds per call of ``work(data)`` in this thread: the
    median of five stretches, each at least ``seconds`` / 5 long."""
    work(data)  # warm caches and lazy imports
    stretches = []
    for _ in range(5):
        calls = 0
        started = time.thread_time()
        deadline = time.perf_counter() + seconds / 5
        while calls == 0 or time.perf_counter() < deadline:
            work(data)
            calls += 1
        stretches.append((time.thread_time() - started) * 1000 / calls)
    return sorted(stretches)[2]


@dataclass(frozen=True)
class Goal:
    name: str
    per_second: float
    # CPU milliseconds one check-in may cost at that rate.
    allowed_ms: float
    # What is left of that once the decode and the hash are paid.
    rest_allowed_ms: float


@dataclass(frozen=True)
class Budget:
    cpu_ms: float
    decode_ms: float
    sha256_ms: float
    # Cores the server could have had: all, less the client's and the idle.
    usable_cores: float
    goals: tuple[Goal, ...]

    @property
    def rest_ms(self) -> float:
        """What the check-in cost beyond the decode and the hash."""
        return self.cpu_ms - self.decode_ms - self.sha256_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "cpu_ms": self.cpu_ms,
            "decode_ms": self.decode_ms,
            "sha256_ms": self.sha256_ms,
            "rest_ms": self.rest_ms,
            "usable_cores": self.usable_cores,
            "goals": [vars(goal) for goal in self.goals],
        }


def budget(
    scenario: dict[str, Any],
    *,
    cores: int,
    decode_ms: float,
    sha256_ms: float,
    goal_rates: dict[str, float],
) -> Budget:
    """The budget of one measured 9 MP scenario (``bench.checkins._measured``'s
    summary: its rate, server and client CPU per request and idle cores)."""
    client_cores = scenario["client_cpu_ms"] * scenario["per_second"] / 1000
    usable = max(0.0, cores - client_cores - scenario["idle_cores"])
    goals = []
    for name, rate in goal_rates.items():
        allowed = usable * 1000 / rate
        goals.append(Goal(name, rate, allowed, allowed - decode_ms - sha256_ms))
    return Budget(
        cpu_ms=scenario["server_cpu_ms"],
        decode_ms=decode_ms,
        sha256_ms=sha256_ms,
        usable_cores=usable,
        goals=tuple(goals),
    )


def report_lines(found: Budget) -> list[str]:
    lines = [
        f"    9 MP CPU per check-in {found.cpu_ms:.1f} ms = 1/8 decode "
        f"{found.decode_ms:.1f} + SHA-256 {found.sha256_ms:.1f} + the rest "
        f"{found.rest_ms:.1f} ms ({found.usable_cores:.2f} cores usable: "
        "less the client's and the idle)"
    ]
    for goal in found.goals:
        margin = goal.rest_allowed_ms - found.rest_ms
        verdict = (
            f"fits, {margin:.2f} ms to spare"
            if margin >= 0
            else f"over by {-margin:.2f} ms"
        )
        lines.append(
            f"      {goal.name} ({goal.per_second:.1f}/s) allows {goal.allowed_ms:.1f}"
            f" ms: the rest may take {goal.rest_allowed_ms:.1f} ms, took "
            f"{found.rest_ms:.1f} ({verdict})"
        )
    return lines
