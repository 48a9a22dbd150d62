"""Figures from a load-test run: summary, JSON, plot and profile digest."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from loadtest.traffic import (
    HOSTILE,
    KINDS,
    NEW_FULL,
    NEW_SMALL,
    REPLAY,
    Outcome,
    Sample,
)

P95_GOAL_S = 1.0
WINDOW_S = 5


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {
        "count": len(ordered),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def new_checkins(samples: list[Sample]) -> list[Sample]:
    return [s for s in samples if s.kind in (NEW_SMALL, NEW_FULL)]


def judge(samples: list[Sample], seconds: float) -> dict[str, Any]:
    """Did these arrivals hold: p95 of check-ins under 1 s, no 5xx, every
    request answered?"""
    statuses = Counter(s.status for s in samples)
    fives = sum(n for status, n in statuses.items() if status >= 500)
    unanswered = statuses.get(0, 0)
    latency = percentiles(
        [
            s.latency
            for s in new_checkins(samples) + [s for s in samples if s.kind == REPLAY]
        ]
    )
    ok = [s for s in samples if 200 <= s.status < 300]
    p95 = latency.get("p95_ms", math.inf)
    return {
        "offered_per_s": round(len(samples) / seconds, 1) if seconds else 0.0,
        "answered_2xx_per_s": round(len(ok) / seconds, 1) if seconds else 0.0,
        "checkin_p95_ms": p95,
        "5xx": fives,
        "unanswered": unanswered,
        "held": bool(samples)
        and fives == 0
        and unanswered == 0
        and p95 < P95_GOAL_S * 1000,
    }


def summarise(outcome: Outcome, segments: list[dict[str, Any]]) -> dict[str, Any]:
    samples = outcome.samples
    by_kind: dict[str, Any] = {}
    for kind in KINDS:
        chosen = [s for s in samples if s.kind == kind]
        statuses = Counter(s.status for s in chosen)
        by_kind[kind] = {
            **percentiles([s.latency for s in chosen]),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
        }
    statuses = Counter(s.status for s in samples)
    expected = {
        NEW_SMALL: lambda st: st == 201,
        NEW_FULL: lambda st: st == 201,
        REPLAY: lambda st: st == 200,
        HOSTILE: lambda st: 400 <= st < 500,
    }
    unexpected = Counter(
        f"{s.kind}: {s.status}" for s in samples if not expected[s.kind](s.status)
    )
    per_segment = {}
    for segment in segments:
        chosen = [s for s in samples if s.segment == segment["name"]]
        per_segment[segment["name"]] = {**segment, **judge(chosen, segment["seconds"])}
    return {
        "requests": len(samples),
        "seconds": round(outcome.seconds, 1),
        "throughput_per_s": round(len(samples) / outcome.seconds, 1)
        if outcome.seconds
        else 0.0,
        "checkins_created": sum(1 for s in samples if s.status == 201),
        "per_endpoint": by_kind,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "unexpected": dict(unexpected.most_common()),
        "hostile_by_type": {
            kind: {str(k): v for k, v in sorted(counts.items())}
            for kind, counts in outcome.hostile_by_type.items()
        },
        "replays_compared": outcome.replay_checked,
        "replay_body_mismatches": outcome.replay_mismatches,
        "feed": percentiles([d.latency for d in outcome.deliveries]),
        "segments": per_segment,
        "late_sends": outcome.late_sends,
        "client_errors": dict(outcome.errors),
    }


def timeline(outcome: Outcome) -> dict[str, list[float]]:
    """Per WINDOW_S seconds: offered and answered rates, latencies."""
    end = max((s.done for s in outcome.samples), default=0.0)
    buckets = int(end // WINDOW_S) + 1
    offered = [0] * buckets
    ok = [0] * buckets
    errors = [0] * buckets
    latencies: list[list[float]] = [[] for _ in range(buckets)]
    for sample in outcome.samples:
        offered[int(sample.scheduled // WINDOW_S)] += 1
        done = int(sample.done // WINDOW_S)
        if 200 <= sample.status < 300:
            ok[done] += 1
        elif sample.status == 0 or sample.status >= 500:
            errors[done] += 1
        if sample.kind in (NEW_SMALL, NEW_FULL):
            latencies[done].append(sample.latency)
    feed: list[list[float]] = [[] for _ in range(buckets)]
    for delivery in outcome.deliveries:
        index = int(delivery.received // WINDOW_S)
        if index < buckets:
            feed[index].append(delivery.latency)

    def pct(values: list[float], p: float) -> float:
        if not values:
            return math.nan
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "t": [i * WINDOW_S for i in range(buckets)],
        "offered_per_s": [n / WINDOW_S for n in offered],
        "ok_per_s": [n / WINDOW_S for n in ok],
        "errors_per_s": [n / WINDOW_S for n in errors],
        "p50_ms": [pct(v, 0.5) for v in latencies],
        "p95_ms": [pct(v, 0.95) for v in latencies],
        "feed_p95_ms": [pct(v, 0.95) for v in feed],
    }


def plot(series: dict[str, list[float]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    t = series["t"]
    top.plot(t, series["offered_per_s"], label="offered (arrivals/s)", color="0.6")
    top.plot(t, series["ok_per_s"], label="answered 2xx/s", color="tab:green")
    top.plot(t, series["errors_per_s"], label="5xx or no answer/s", color="tab:red")
    top.set_ylabel("requests/s")
    top.legend(loc="upper left")
    top.grid(alpha=0.3)
    bottom.plot(t, series["p50_ms"], label="check-in p50", color="tab:blue")
    bottom.plot(t, series["p95_ms"], label="check-in p95", color="tab:orange")
    bottom.plot(
        t, series["feed_p95_ms"], label="feed commit-to-socket p95", color="tab:purple"
    )
    bottom.axhline(P95_GOAL_S * 1000, color="tab:red", linestyle="--", linewidth=0.8)
    bottom.set_yscale("log")
    bottom.set_ylabel(f"ms ({WINDOW_S} s windows)")
    bottom.set_xlabel("seconds since the first arrival")
    bottom.legend(loc="upper left")
    bottom.grid(alpha=0.3, which="both")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# --- py-spy ---------------------------------------------------------------------

_FRAME = re.compile(r"^(?P<function>.+?) \((?P<file>[^:]+)(?::(?P<line>\d+))?\)$")
_PROCESS = re.compile(r"^(process \d+|thread \(0x[0-9A-Fa-f]+\))")


_PROJECT = ("backend/", "mobile_api/", "realtime/", "knox/")


def _short(frame: str) -> str:
    match = _FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


_BUCKETS = (
    ("photo decode and hash", ("PIL/", "backend/lib/photos.py")),
    ("waiting on PostgreSQL (queries, lock waits)", ("psycopg/", "psycopg_pool/")),
    ("Django ORM and SQL compiler", ("django/db/",)),
    ("token authentication", ("knox/",)),
    (
        "request body, multipart parsing",
        (
            "django/http/multipartparser",
            "django/core/handlers/asgi",
            "django/http/request",
        ),
    ),
    ("asgiref thread hand-off", ("asgiref/",)),
    ("uvicorn and the event loop", ("uvicorn/", "asyncio/", "uvloop")),
    ("channels, Redis", ("channels/", "channels_redis/", "redis/")),
    ("DRF", ("rest_framework/",)),
    ("durable file write (fsync)", ("backend/lib/durable_files.py",)),
    ("audit chain, outbox", ("backend/audit/", "backend/activity/")),
)


# Leaves that are a thread or an event loop with nothing to do.
_IDLE = (
    "Runner.run (",
    "_wait_for_tstate_lock (",
    "spawn_main(",
    "Condition.wait (",
    "Event.wait (",
    "_worker (",
    "select (",
    "epoll",
    "sleep (",
)


def _idle(leaf: str) -> bool:
    return any(word in leaf for word in _IDLE) and "psycopg" not in leaf


def digest_profile(path: Path, top: int = 15) -> dict[str, Any]:
    """Top frames from a ``py-spy record --format raw`` file: by own time
    (the leaf, idle frames left out), by inclusive time, and the share
    of the busy samples in each part of the stack."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    idle = 0
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if not _PROCESS.match(f.strip())]
        if not frames:
            continue
        total += count
        leaf = frames[-1]
        if _idle(leaf):
            idle += count
            continue
        own[_short(leaf)] += count
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += count
        for name, markers in _BUCKETS:
            if any(marker in f for f in frames[-6:] for marker in markers):
                buckets[name] += count
                break
        else:
            buckets["other"] += count
    busy = max(1, total - idle)
    return {
        "samples": total,
        "idle_samples": idle,
        "own": [(frame, round(100 * n / busy, 1)) for frame, n in own.most_common(top)],
        "inclusive": [
            (frame, round(100 * n / busy, 1))
            for frame, n in inclusive.most_common(top * 2)
        ],
        # The project's own functions (and knox), by inclusive time.
        "project": [
            (frame, round(100 * n / busy, 1))
            for frame, n in inclusive.most_common()
            if frame.split(" (", 1)[-1].startswith(_PROJECT)
        ][: top * 2],
        "parts": [
            (name, round(100 * n / busy, 1)) for name, n in buckets.most_common()
        ],
    }


def text(summary: dict[str, Any], extra: dict[str, Any]) -> str:
    lines = [
        f"{summary['requests']:,} requests in {summary['seconds']} s "
        f"({summary['throughput_per_s']}/s), "
        f"{summary['checkins_created']:,} check-ins created",
        "per endpoint (latency from the scheduled arrival):",
    ]
    for kind, figures in summary["per_endpoint"].items():
        if not figures.get("count"):
            continue
        lines.append(
            f"  {kind:15} n={figures['count']:>6}  p50 {figures['p50_ms']:>8.1f} ms  "
            f"p95 {figures['p95_ms']:>8.1f} ms  p99 {figures['p99_ms']:>8.1f} ms  "
            f"statuses {figures['statuses']}"
        )
    lines.append(f"statuses: {summary['statuses']}")
    lines.append(f"unexpected answers: {summary['unexpected'] or 'none'}")
    lines.append(f"hostile uploads: {summary['hostile_by_type']}")
    if summary["client_errors"]:
        lines.append(f"no answer: {summary['client_errors']}")
    lines.append(
        f"replays: {summary['replays_compared']} compared, "
        f"{summary['replay_body_mismatches']} bodies differed"
    )
    feed = summary["feed"]
    if feed.get("count"):
        lines.append(
            f"feed commit-to-socket: n={feed['count']} p50 {feed['p50_ms']} ms "
            f"p95 {feed['p95_ms']} ms p99 {feed['p99_ms']} ms max {feed['max_ms']} ms"
        )
    for name, seg in summary["segments"].items():
        lines.append(
            f"segment {name}: {seg['seconds']:.0f} s at "
            f"{seg['start']:.0f}->{seg['end']:.0f}/s "
            f"offered {seg['offered_per_s']}/s, 2xx {seg['answered_2xx_per_s']}/s, "
            f"check-in p95 {seg['checkin_p95_ms']} ms, 5xx {seg['5xx']}, "
            f"unanswered {seg['unanswered']}: {'HELD' if seg['held'] else 'not held'}"
        )
    for key, value in extra.items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def cpu_parts(
    before: dict[str, float], after: dict[str, float], seconds: float
) -> dict[str, float]:
    return {
        name: round((after.get(name, 0.0) - before.get(name, 0.0)) / seconds, 2)
        for name in after
    }


def own_cpu() -> float:
    """CPU seconds of this process alone (the load client)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pids: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds used so far by each named group of processes (and their
    children)."""
    import os

    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = defaultdict(list)
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children[int(fields[1])].append(int(entry.name))
        stats[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    result = {}
    for name, roots in pids.items():
        seen: set[int] = set()
        todo = list(roots)
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            todo.extend(children.get(pid, []))
        result[name] = sum(stats.get(pid, 0.0) for pid in seen)
    return result
