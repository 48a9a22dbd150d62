"""Where a 9 MP check-in's CPU goes, against what each throughput goal allows.

Throughput through the server is CPU-bound on a small machine, so a goal
in check-ins per second is a CPU budget per check-in: the cores the
server can have (all of them, less what the benchmark's own client used
and what stayed idle in the same scenario), divided by the goal's rate.

Part of every 9 MP check-in is fixed whatever the check-in does: the
**stack floor** (``bench.stack_floor``), measured through the same server
in the same run, is an endpoint that only takes the same body through
the ASGI server, the middleware, DRF, the token authentication and the
multipart parser, hashes the photo (SHA-256) and inspects it (1/8-scale
decode, EXIF, perceptual hash). Of that, two parts are also measured
alone, in one thread of this process, on the same photo:

- the 1/8-scale decode, which is the floor reference's own work, and
- the SHA-256 of the original, which reuse detection and the stored
  evidence need.

What a check-in costs beyond the stack floor is its **own work**
(validating the fields, placing the position, the verification reads,
the durable write of the photo, the committed row with its audit entry
and feed events, the answer). The report puts what each goal leaves for
the own work next to what it took.
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
    # What is left of that for the check-in's own work, once the stack
    # floor is paid.
    own_allowed_ms: float


@dataclass(frozen=True)
class Budget:
    cpu_ms: float
    stack_floor_ms: float
    decode_ms: float
    sha256_ms: float
    # Cores the server could have had: all, less the client's and the idle.
    usable_cores: float
    goals: tuple[Goal, ...]

    @property
    def own_ms(self) -> float:
        """What the check-in cost beyond the stack floor."""
        return self.cpu_ms - self.stack_floor_ms

    @property
    def stack_rest_ms(self) -> float:
        """The stack floor beyond the decode and the hash: receiving and
        parsing the body, the framework, the EXIF, the answer."""
        return self.stack_floor_ms - self.decode_ms - self.sha256_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "cpu_ms": self.cpu_ms,
            "stack_floor_ms": self.stack_floor_ms,
            "decode_ms": self.decode_ms,
            "sha256_ms": self.sha256_ms,
            "stack_rest_ms": self.stack_rest_ms,
            "own_ms": self.own_ms,
            "usable_cores": self.usable_cores,
            "goals": [vars(goal) for goal in self.goals],
        }


def budget(
    scenario: dict[str, Any],
    *,
    cores: int,
    stack_floor_ms: float,
    decode_ms: float,
    sha256_ms: float,
    goal_rates: dict[str, float],
) -> Budget:
    """The budget of one measured 9 MP scenario (``bench.checkins._measured``'s
    summary: its rate, server and client CPU per request and idle cores);
    ``stack_floor_ms`` is the server CPU per request of the stack-floor
    scenario on the same server."""
    client_cores = scenario["client_cpu_ms"] * scenario["per_second"] / 1000
    usable = max(0.0, cores - client_cores - scenario["idle_cores"])
    goals = []
    for name, rate in goal_rates.items():
        allowed = usable * 1000 / rate
        goals.append(Goal(name, rate, allowed, allowed - stack_floor_ms))
    return Budget(
        cpu_ms=scenario["server_cpu_ms"],
        stack_floor_ms=stack_floor_ms,
        decode_ms=decode_ms,
        sha256_ms=sha256_ms,
        usable_cores=usable,
        goals=tuple(goals),
    )


def report_lines(found: Budget) -> list[str]:
    lines = [
        f"    9 MP CPU per check-in {found.cpu_ms:.1f} ms = stack floor "
        f"{found.stack_floor_ms:.1f} (1/8 decode {found.decode_ms:.1f} + SHA-256 "
        f"{found.sha256_ms:.1f} + the rest {found.stack_rest_ms:.1f}) + the "
        f"check-in's own work {found.own_ms:.1f} ms",
        f"      ({found.usable_cores:.2f} cores usable: less the client's and "
        "the idle)",
    ]
    for goal in found.goals:
        margin = goal.own_allowed_ms - found.own_ms
        verdict = (
            f"fits, {margin:.2f} ms to spare"
            if margin >= 0
            else f"over by {-margin:.2f} ms"
        )
        lines.append(
            f"      {goal.name} ({goal.per_second:.1f}/s) allows {goal.allowed_ms:.1f}"
            f" ms: the own work may take {goal.own_allowed_ms:.1f} ms, took "
            f"{found.own_ms:.1f} ({verdict})"
        )
    return lines
