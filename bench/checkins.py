"""Photo check-ins per second through the real server, with references.

Run as ``python -m bench.checkins``. Eight concurrent clients post check-ins
to ``manage.py serve`` on SQLite, first with one uvicorn process (the
embedded default), then as the scaled deployment runs (``deploy/``):
one-process instances behind nginx, three for every two cores, with a
throwaway Redis; ``BENCH_WORKERS=1`` runs only the first, and
``BENCH_WORKERS=N`` (N > 1) only the second with N instances. The same
run measures two references for the 9 MP photo on all cores:

- the floor: decoding it at 1/8 scale with Pillow, the least pixel work a
  near-duplicate check needs;
- a naive pipeline: full decode, LANCZOS resize to a thumbnail, re-encode.

and, through the same server, the stack floor (``bench.stack_floor``): the
same 9 MP body into an endpoint that only authenticates, parses, hashes
and inspects the photo, the least any 9 MP check-in costs there. It also
prints the 9 MP check-in's CPU budget (``bench.cpu_budget``): what
a check-in cost, split into the stack floor and the check-in's own work,
against what each 9 MP goal's rate allows on this machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image

from bench import perf_shares
from bench.cpu_budget import (
    budget,
    cpu_ms_each,
    decode_eighth,
    hash_sha256,
    report_lines,
)
from bench.http import Tally, http_request, multipart, run_load
from bench.server import (
    Server,
    login,
    machine_cpu_ticks,
    running_server,
    scaled_instances,
)

PHOTOS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "photos"
FULL = PHOTOS / "mobile_HMD_Nokia_8.3_5G.jpg"
SMALL = PHOTOS / "mobile_HMD_Nokia_8.3_5G_1280.jpg"
PLACEHOLDER = b"00000000-0000-4000-8000-000000000000"
CONCURRENCY = 8
# bench.stack_floor.PATH, which imports Django and so is not imported here.
STACK_FLOOR_PATH = "/bench/stack-floor/"


def _naive_once(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        thumb = image.resize(
            (320, round(320 * image.height / image.width)), Image.Resampling.LANCZOS
        )
        thumb.save(io.BytesIO(), "JPEG", quality=85)


def _repeat(job: str, data: bytes, seconds: float) -> int:
    work = decode_eighth if job == "floor" else _naive_once
    done = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        work(data)
        done += 1
    return done


def reference_rate(job: str, data: bytes, seconds: float = 4.0) -> float:
    """Photos per second for ``job`` with one process per core."""
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_repeat, [job] * cores, [data] * cores, [0.3] * cores))
        started = time.perf_counter()
        counts = list(
            pool.map(_repeat, [job] * cores, [data] * cores, [seconds] * cores)
        )
        elapsed = time.perf_counter() - started
    return sum(counts) / elapsed


def _checkin_template(photo: bytes, workplace: dict[str, Any]) -> tuple[bytes, str]:
    now = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7)))
    return multipart(
        {
            "client_uuid": PLACEHOLDER.decode(),
            "kind": "in",
            "latitude": f"{workplace['latitude'] + 0.0001:.7f}",
            "longitude": f"{workplace['longitude']:.7f}",
            "accuracy_m": "8",
            "captured_at": now.isoformat(),
            "device_id": "bench",
        },
        "photo",
        "photo.jpg",
        photo,
    )


def _photo_scenario(
    server: Server,
    tokens: list[str],
    photo: bytes,
    total: int,
    path: str = "/api/v1/checkins/",
) -> dict[str, Any]:
    body, content_type = _checkin_template(photo, server.workplaces[0])
    cut = body.index(PLACEHOLDER)
    head, tail = body[:cut], body[cut + len(PLACEHOLDER) :]
    # Every body has the same length: only the fixed-size UUID changes.
    prefixes = [
        http_request(
            "POST",
            path,
            {
                "Authorization": f"Token {token}",
                "Content-Type": content_type,
            },
            content_length=len(body),
        )
        for token in tokens
    ]

    def make(number: int) -> bytes:
        return (
            prefixes[number % len(prefixes)] + head + str(uuid.uuid4()).encode() + tail
        )

    return _measured(server, make, total)


def _measured(
    server: Server, make: Callable[[int], bytes], total: int
) -> dict[str, Any]:
    """Run the load; the summary adds the server's and this client's CPU
    time per request."""
    tally = Tally()
    cpu_before = server.cpu_seconds()
    client_before = _own_cpu_seconds()
    idle_before, ticks_before = machine_cpu_ticks()
    asyncio.run(
        run_load(
            port=server.port,
            make_request=make,
            concurrency=CONCURRENCY,
            total=total,
            tally=tally,
        )
    )
    summary = tally.summary()
    summary["server_cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / total
    summary["client_cpu_ms"] = (_own_cpu_seconds() - client_before) * 1000 / total
    idle_after, ticks_after = machine_cpu_ticks()
    # Cores left unused during the scenario: near 0 when the server (or
    # something else) kept every core busy.
    summary["idle_cores"] = (
        (idle_after - idle_before)
        / max(1, ticks_after - ticks_before)
        * (os.cpu_count() or 1)
    )
    return summary


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _json_scenario(server: Server, tokens: list[str], total: int) -> dict[str, Any]:
    requests = [
        http_request("GET", "/api/v1/me/", {"Authorization": f"Token {t}"})
        for t in tokens
    ]
    return _measured(server, lambda n: requests[n % len(requests)], total)


def _tiny_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 120, 150)).save(out, "JPEG")
    return out.getvalue()


def _server_scenarios(
    full: bytes, small: bytes, *, workers: int, scale: float
) -> dict[str, Any]:
    """Every scenario against ``workers`` server processes: one is the
    embedded default (``make run``); more run as the scaled deployment does
    (``deploy/``), one-process instances behind nginx, which balances each
    request, with a throwaway ``redis-server`` for the channel layer and
    the shared cache.
    """
    with contextlib.ExitStack() as stack:
        extra_env: dict[str, str] = {}
        if workers > 1:
            from tests.stack import redis_server

            extra_env["REDIS_URL"] = stack.enter_context(redis_server())
        server = stack.enter_context(
            running_server(
                extra_env=extra_env,
                urlconf="bench.stack_floor",
                behind_nginx=workers if workers > 1 else 0,
            )
        )
        employees = [a for a in server.accounts if a["role"] == "employee"]
        tokens = [login(server, a["username"]) for a in employees[:CONCURRENCY]]
        _photo_scenario(server, tokens, small, 16 * workers)  # warm-up
        results: dict[str, Any] = {
            "checkin_9mp": _photo_scenario(server, tokens, full, int(240 * scale)),
            # Right after the check-ins it is set against, on the same server.
            "stack_floor_9mp": _photo_scenario(
                server, tokens, full, int(240 * scale), path=STACK_FLOOR_PATH
            ),
            "checkin_1280": _photo_scenario(server, tokens, small, int(600 * scale)),
            "checkin_tiny_photo": _photo_scenario(
                server, tokens, _tiny_photo(), int(600 * scale)
            ),
            "json_me": _json_scenario(server, tokens, int(1000 * scale)),
        }
        if workers == 1 and os.environ.get("BENCH_PERF"):
            results["checkin_9mp_by_library"] = _by_library(
                server, tokens, full, int(240 * scale)
            )
    return results


def _by_library(
    server: Server, tokens: list[str], photo: bytes, total: int
) -> dict[str, Any] | None:
    """The 9 MP scenario again, sampled by ``perf`` (bench.perf_shares)."""
    if not perf_shares.available():
        return None
    with tempfile.TemporaryDirectory(prefix="pantau-perf-") as scratch:
        data = Path(scratch) / "perf.data"
        with perf_shares.recorded(server.pid, data):
            scenario = _photo_scenario(server, tokens, photo, total)
        return {
            "cpu_ms": scenario["server_cpu_ms"],
            "shares": perf_shares.read(data),
        }


def run(
    *, scale: float = 1.0, workers: tuple[int, ...] | None = None
) -> dict[str, Any]:
    if workers is None:
        workers = (1, scaled_instances())
    full, small = FULL.read_bytes(), SMALL.read_bytes()
    results: dict[str, Any] = {
        "floor_9mp_per_s": reference_rate("floor", full),
        "naive_9mp_per_s": reference_rate("naive", full),
        "decode_9mp_cpu_ms": cpu_ms_each(decode_eighth, full, seconds=3.0),
        "sha256_9mp_cpu_ms": cpu_ms_each(hash_sha256, full, seconds=1.0),
        "python": interpreter(),
        "servers": {},
    }
    goal_rates = {
        "0.6x floor": 0.6 * results["floor_9mp_per_s"],
        "4x naive": 4 * results["naive_9mp_per_s"],
    }
    for count in workers:
        server = _server_scenarios(full, small, workers=count, scale=scale)
        nine = server["checkin_9mp"]["per_second"]
        server["ratio_9mp_vs_floor"] = nine / results["floor_9mp_per_s"]
        server["ratio_9mp_vs_naive"] = nine / results["naive_9mp_per_s"]
        least = server["stack_floor_9mp"]["per_second"]
        server["ratio_stack_floor_vs_floor"] = least / results["floor_9mp_per_s"]
        server["ratio_stack_floor_vs_naive"] = least / results["naive_9mp_per_s"]
        server["budget_9mp"] = budget(
            server["checkin_9mp"],
            cores=os.cpu_count() or 1,
            stack_floor_ms=server["stack_floor_9mp"]["server_cpu_ms"],
            decode_ms=results["decode_9mp_cpu_ms"],
            sha256_ms=results["sha256_9mp_cpu_ms"],
            goal_rates=goal_rates,
        )
        results["servers"][count] = server
    return results


def interpreter() -> str:
    """The Python the servers run on (they are started with this process's
    own): its version and where it is installed. Builds differ: on one
    machine a pyenv build without profile-guided optimisation cost 10-15 %
    more CPU per small request than Debian's python3 (docs/performance.md).
    """
    return f"Python {platform.python_version()} ({os.path.realpath(sys.executable)})"


def report(results: dict[str, Any]) -> str:
    lines = [
        f"check-ins through the real server ({CONCURRENCY} concurrent clients, "
        f"uvicorn, SQLite) on {results['python']}",
        f"  reference floor (1/8-scale decode, all cores): "
        f"{results['floor_9mp_per_s']:.1f} photos/s",
        f"  reference naive (decode+LANCZOS+re-encode, all cores): "
        f"{results['naive_9mp_per_s']:.1f} photos/s",
    ]
    for count, server in results["servers"].items():
        if count > 1:
            lines.append(f"  {count} instances behind nginx, Redis:")
        else:
            lines.append("  1 worker process, in-memory layer:")
        for key, label in [
            ("checkin_9mp", "9 MP photo (2.1 MB)"),
            ("stack_floor_9mp", "9 MP stack floor (no check-in)"),
            ("checkin_1280", "1280-px photo (115 KB)"),
            ("checkin_tiny_photo", "64-px photo (non-photo cost)"),
            ("json_me", "GET /api/v1/me/ (JSON only)"),
        ]:
            r = server[key]
            lines.append(
                f"    {label:<30} {r['per_second']:7.1f}/s  p50 {r['p50_ms']:6.1f} ms"
                f"  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
                f"server CPU {r['server_cpu_ms']:5.1f} ms/req  "
                f"idle {r['idle_cores']:4.2f} cores  {r['statuses']}"
            )
        lines.append(
            f"    9 MP vs floor: {server['ratio_9mp_vs_floor']:.2f}x (goal >= 0.6x)"
            f"   9 MP vs naive: {server['ratio_9mp_vs_naive']:.2f}x (goal >= 4x)"
        )
        lines.append(
            "    stack floor vs floor: "
            f"{server['ratio_stack_floor_vs_floor']:.2f}x   stack floor vs naive: "
            f"{server['ratio_stack_floor_vs_naive']:.2f}x (any check-in's ceiling here)"
        )
        lines += report_lines(server["budget_9mp"])
        if "checkin_9mp_by_library" in server:
            lines += perf_shares.report_lines(server["checkin_9mp_by_library"])
    return "\n".join(lines)


def _as_json(value: Any) -> Any:
    return value.as_dict() if hasattr(value, "as_dict") else str(value)


def _workers_from_env() -> tuple[int, ...] | None:
    raw = os.environ.get("BENCH_WORKERS", "")
    return tuple(int(part) for part in raw.split(",") if part.strip()) or None


if __name__ == "__main__":
    outcome = run(
        scale=float(os.environ.get("BENCH_SCALE", "1")), workers=_workers_from_env()
    )
    print(report(outcome))
    if "--json" in sys.argv:
        print(json.dumps(outcome, default=_as_json))
