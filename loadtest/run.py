"""Start the scaled deployment, replay a morning against it, report.

``python -m loadtest`` (``make loadtest``) on this machine:

1. a throwaway PostgreSQL and Redis (tests/stack.py), ``migrate``, and a
   province of employees with API tokens (loadtest/seed.py);
2. ``manage.py serve`` with WEB_CONCURRENCY workers on a free port;
3. the supervisors' feed sockets, then the open-loop arrivals of the plan
   from this process (loadtest/traffic.py), with py-spy sampling the server
   in a stretch at the peak rate after the measured peak;
4. the figures on stdout, in var/loadtest/report.json and as a plot in
   var/loadtest/report.png; every process stopped, every file removed.

Plans: the default replays the rush (a ramp, ``--peak-minutes`` at
``--peak-rate`` check-ins/s, a tail); ``--morning`` the whole 60-minute
arrival curve of ``--employees`` (compressed by ``--compress``);
``--find-max`` steps the rate up until a step fails and reports the largest
rate held (p95 under 1 s, no 5xx, every request answered).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from loadtest import report
from loadtest.photos import FULL, SMALL, spliced
from loadtest.traffic import Morning, Segment, watch_feed

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "loadtest"
PHOTO_MAX_BYTES = 15 * 1024 * 1024
# The profile stretch outlasts the sampling by this much: py-spy starts
# sampling a few seconds after it is launched.
PROFILE_LEAD_S = 10.0
# The 60-minute morning, 06:30-07:30 WIB, in shares of the peak rate: the
# office opens at 07:30 and half of everyone arrives in its last ten minutes.
MORNING = (
    ("06:30-07:00", 30.0, 0.05, 0.15),
    ("07:00-07:15", 15.0, 0.15, 0.50),
    ("07:15-07:20", 5.0, 0.50, 1.00),
    ("07:20-07:30 peak", 10.0, 1.00, 1.00),
)


@dataclass(frozen=True)
class Deployment:
    port: int
    server: subprocess.Popen[bytes]
    database_url: str
    redis_url: str
    people: dict[str, Any]
    scratch: Path
    seed_seconds: float
    pids: dict[str, list[int]]


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest",
        description="Morning-rush load test on a throwaway scaled deployment.",
    )
    parser.add_argument("--employees", type=int, default=83_000)
    parser.add_argument("--workers", type=int, default=2, help="WEB_CONCURRENCY")
    parser.add_argument("--db-pool", type=int, default=8, help="DB_POOL_MAX per worker")
    parser.add_argument("--peak-rate", type=float, default=70.0)
    parser.add_argument("--peak-minutes", type=float, default=10.0)
    parser.add_argument("--ramp-seconds", type=float, default=120.0)
    parser.add_argument("--tail-seconds", type=float, default=60.0)
    parser.add_argument("--supervisors", type=int, default=20, help="feed sockets")
    parser.add_argument(
        "--morning",
        action="store_true",
        help="replay the whole 60-minute curve of --employees arrivals instead",
    )
    parser.add_argument(
        "--compress",
        type=float,
        default=1.0,
        help="--morning: play the hour this many times faster (rates scale up)",
    )
    parser.add_argument("--find-max", action="store_true")
    parser.add_argument("--start-rate", type=float, default=10.0)
    parser.add_argument("--step-rate", type=float, default=10.0)
    parser.add_argument("--step-seconds", type=float, default=60.0)
    parser.add_argument("--max-rate", type=float, default=400.0)
    parser.add_argument(
        "--profile-seconds",
        type=float,
        default=30.0,
        help=(
            "py-spy the server this long, at the peak rate after the measured "
            "peak (--morning: in the middle of the peak) (0: off)"
        ),
    )
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=83)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a 20-second run with 300 employees, to check that it all works",
    )
    options = parser.parse_args(argv)
    if options.smoke:
        options.employees = min(options.employees, 300)
        options.peak_rate = min(options.peak_rate, 8.0)
        options.peak_minutes = 10 / 60
        options.ramp_seconds = 5.0
        options.tail_seconds = 5.0
        options.supervisors = min(options.supervisors, 3)
        options.profile_seconds = 0.0
        if options.find_max:
            options.start_rate, options.step_rate, options.step_seconds = 4, 4, 5
            options.max_rate = 12
    return options


def plan(options: argparse.Namespace) -> list[Segment]:
    if options.morning:
        units = sum(minutes * (a + b) / 2 for _, minutes, a, b in MORNING) * 60
        peak = options.employees / units * options.compress
        return [
            Segment(name, minutes * 60 / options.compress, a * peak, b * peak)
            for name, minutes, a, b in MORNING
        ]
    peak = options.peak_rate
    segments = [
        Segment("ramp", options.ramp_seconds, peak / 3, peak),
        Segment("peak", options.peak_minutes * 60, peak, peak),
    ]
    if options.profile_seconds and not options.find_max:
        # py-spy's start (reading the workers' binaries and symbols) takes a
        # core's worth of CPU for some seconds: inside the measured peak it
        # shed requests (11 in a 10-minute run, all in its first seconds).
        # The profile gets its own stretch at the peak rate, after it.
        segments.append(
            Segment("profile", options.profile_seconds + PROFILE_LEAD_S, peak, peak)
        )
    segments.append(Segment("tail", options.tail_seconds, peak, peak / 3))
    return segments


# --- the deployment ----------------------------------------------------------------


def _free_port() -> int:
    from tests.stack import free_port

    return free_port()


def _environment(
    scratch: Path, database_url: str, redis_url: str, options: Any
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "WEB_CONCURRENCY",
            "DJANGO_SETTINGS_MODULE",
        )
    }
    env.update(
        {
            "SECRET_KEY": "loadtest-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "HTTPS": "0",
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "WEB_CONCURRENCY": str(options.workers),
            "DB_POOL_MAX": str(options.db_pool),
            "MEDIA_ROOT": str(scratch / "media"),
            "PANTAU_VAR_DIR": str(scratch),
            "LOG_LEVEL": "WARNING",
            "PHOTO_MAX_BYTES": str(PHOTO_MAX_BYTES),
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


@contextlib.contextmanager
def deployment(options: argparse.Namespace) -> Iterator[Deployment]:
    from tests.stack import postgres_server, redis_server

    scratch = Path(tempfile.mkdtemp(prefix="pantau-loadtest-"))
    try:
        with postgres_server() as database_url, redis_server() as redis_url:
            env = _environment(scratch, database_url, redis_url, options)
            say("migrating")
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--no-input", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            say(f"seeding {options.employees:,} employees")
            started = time.perf_counter()
            people_path = scratch / "people.json"
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "loadtest.seed",
                    str(people_path),
                    "--employees",
                    str(options.employees),
                    "--supervisors",
                    str(options.supervisors),
                ],
                cwd=ROOT,
                env=env,
                check=True,
            )
            seed_seconds = time.perf_counter() - started
            people = json.loads(people_path.read_text())
            port = _free_port()
            log = (scratch / "server.log").open("wb")
            server = subprocess.Popen(
                [sys.executable, "manage.py", "serve", "--port", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
            try:
                _wait_for(server, port, scratch / "server.log")
                pids = {
                    "server": [server.pid],
                    "postgres": _pids_of(database_url),
                    "redis": _pids_of(redis_url),
                }
                yield Deployment(
                    port,
                    server,
                    database_url,
                    redis_url,
                    people,
                    scratch,
                    seed_seconds,
                    pids,
                )
            finally:
                _stop(server)
                log.close()
                # The server's warnings and errors, kept with the figures.
                with contextlib.suppress(OSError):
                    shutil.copy(scratch / "server.log", options.out / "server.log")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _pids_of(url: str) -> list[int]:
    from tests import stack

    port = url.rsplit(":", 1)[1].split("/")[0]
    return [
        service.process.pid for service in stack._RUNNING if f":{port}" in service.url
    ]


def _wait_for(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "the server did not start:\n" + log.read_text()[-3000:]
                ) from None
            time.sleep(0.3)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop uvicorn and its workers (their own process group)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if server.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)


# --- the run -----------------------------------------------------------------------


def say(message: str) -> None:
    print(f"[loadtest {dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


async def _profile(
    deployed: Deployment, delay: float, seconds: float, out: Path
) -> dict[str, Any] | None:
    """py-spy on every server worker, twice in a row: all threads by wall
    clock (where requests wait), then only the thread holding the GIL
    (where the CPU goes)."""
    await asyncio.sleep(delay)
    binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(binary).exists():
        say("py-spy not found: no profile")
        return None

    async def record(label: str, flags: list[str]) -> dict[str, Any] | None:
        raw = out / f"profile-{label}.txt"
        process = await asyncio.create_subprocess_exec(
            binary,
            "record",
            "--pid",
            str(deployed.server.pid),
            "--subprocesses",
            "--duration",
            str(int(seconds)),
            "--rate",
            "50",
            "--nonblocking",
            *flags,
            "--format",
            "raw",
            "--output",
            str(raw),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await process.communicate()
        if process.returncode != 0 or not raw.exists():
            say(f"py-spy failed: {err.decode(errors='replace')[-500:]}")
            return None
        return report.digest_profile(raw)

    say(f"py-spy: sampling the server workers for {seconds:.0f} s")
    # Both at once, over the same seconds of the peak.
    wall, gil = await asyncio.gather(record("wall", []), record("gil", ["--gil"]))
    digests = {label: d for label, d in (("wall", wall), ("gil", gil)) if d}
    return digests


_TABLES = (
    "attendance_checkin",
    "audit_auditentry",
    "activity_activityevent",
    "knox_authtoken",
)


def _database_counters(database_url: str) -> dict[str, float]:
    """WAL position, transaction and row counters, and table sizes."""
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        wal = conn.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')"
        ).fetchone()
        stats = conn.execute(
            "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, "
            "tup_fetched, blks_hit + blks_read FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
        counters: dict[str, float] = {"wal_bytes": float(wal[0]) if wal else 0.0}
        names = (
            "commits",
            "rollbacks",
            "rows_inserted",
            "rows_updated",
            "rows_fetched",
            "blocks_touched",
        )
        counters.update(zip(names, map(float, stats or ()), strict=False))
        for table in _TABLES:
            size = conn.execute(
                "SELECT coalesce(pg_total_relation_size(to_regclass(%s)), 0)",
                (table,),
            ).fetchone()
            counters[f"bytes {table}"] = float(size[0]) if size else 0.0
    return counters


def _per_checkin(
    before: dict[str, float], after: dict[str, float], created: int
) -> dict[str, float]:
    if not created:
        return {}
    result = {
        key: round((after[key] - before.get(key, 0.0)) / created, 1) for key in after
    }
    result["check-ins created"] = created
    return result


async def _sample_waits(
    database_url: str, seconds: float, delay: float
) -> dict[str, Any]:
    """What the server's PostgreSQL sessions are doing, sampled every 0.2 s
    for ``seconds``: how many run, wait on a lock (and which), or idle in a
    transaction. The lock waits are the serialisation points."""
    import psycopg

    await asyncio.sleep(delay)
    tally: dict[str, int] = {}
    rounds = 0
    async with await psycopg.AsyncConnection.connect(
        database_url, autocommit=True
    ) as conn:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            rows = await (
                await conn.execute(
                    "SELECT state, coalesce(wait_event_type, ''), "
                    "coalesce(wait_event, '') "
                    "FROM pg_stat_activity WHERE backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid() AND datname = current_database()"
                )
            ).fetchall()
            rounds += 1
            for state, kind, event in rows:
                key = f"{state}: {kind}/{event}" if kind else f"{state}: on CPU"
                tally[key] = tally.get(key, 0) + 1
            await asyncio.sleep(0.2)
    return {
        "samples": rounds,
        "mean_sessions": {
            key: round(count / max(1, rounds), 2)
            for key, count in sorted(tally.items(), key=lambda item: -item[1])
        },
    }


async def _drive(
    options: argparse.Namespace, deployed: Deployment, segments: list[Segment]
) -> dict[str, Any]:
    say("preparing photos")
    small = spliced(SMALL, variants=4 if options.smoke else 16)
    # The phone camera's original: quality as high as the fixture's (2.2 MB).
    full = spliced(FULL, variants=3 if options.smoke else 8, quality=97)
    morning = Morning(
        port=deployed.port,
        employees=deployed.people["employees"],
        small=small,
        full=full,
        oversize_bytes=PHOTO_MAX_BYTES + 512 * 1024,
        seed=options.seed,
    )
    from loadtest.traffic import Connections

    morning.connections = Connections(deployed.port)
    morning.started = time.perf_counter()
    tokens = [s["token"] for s in deployed.people["supervisors"]]
    say(f"opening {len(tokens)} supervisor feed sockets")
    close_feed = await watch_feed(
        deployed.port, tokens, morning.clock, morning.outcome.deliveries
    )
    extra: dict[str, Any] = {}
    profile_task: asyncio.Task[Any] | None = None
    waits_task: asyncio.Task[Any] | None = None
    try:
        morning.started = time.perf_counter()
        morning.outcome.started_wall = time.time()
        if options.profile_seconds and not options.find_max:
            if options.morning:
                # The middle of the curve's last (peak) segment.
                before_peak = sum(s.seconds for s in segments[:-1])
                delay = before_peak + max(
                    0.0, (segments[-1].seconds - options.profile_seconds) / 2
                )
            else:
                # The start of the profile stretch after the measured peak.
                delay = sum(s.seconds for s in segments[:2])
            profile_task = asyncio.create_task(
                _profile(deployed, delay, options.profile_seconds, options.out)
            )
            waits_task = asyncio.create_task(
                _sample_waits(deployed.database_url, options.profile_seconds, delay)
            )
        db_before = _database_counters(deployed.database_url)
        cpu_before = {
            **report.process_cpu(deployed.pids),
            "load client": report.own_cpu(),
        }
        cpu_started = time.perf_counter()
        if options.find_max:
            held = None
            steps = []
            rate = options.start_rate
            while rate <= options.max_rate:
                segment = Segment(f"step {rate:g}/s", options.step_seconds, rate, rate)
                say(f"step: {rate:g} check-ins/s for {options.step_seconds:.0f} s")
                await morning.play(segment)
                await morning.drain(timeout=30)
                chosen = [
                    s for s in morning.outcome.samples if s.segment == segment.name
                ]
                verdict = report.judge(chosen, segment.seconds)
                steps.append({**asdict(segment), **verdict})
                say(f"  {verdict}")
                if not verdict["held"]:
                    break
                held = rate
                rate += options.step_rate
            segments = [
                Segment(s["name"], s["seconds"], s["start"], s["end"]) for s in steps
            ]
            extra["largest rate held (check-ins/s)"] = held
        else:
            for segment in segments:
                say(
                    f"{segment.name}: {segment.seconds:.0f} s, "
                    f"{segment.start:.1f} -> {segment.end:.1f}/s"
                )
                await morning.play(segment)
            say("waiting for the last answers")
            await morning.drain(timeout=60)
        cpu_after = {
            **report.process_cpu(deployed.pids),
            "load client": report.own_cpu(),
        }
        extra["CPU cores used (whole run)"] = report.cpu_parts(
            cpu_before, cpu_after, time.perf_counter() - cpu_started
        )
        created = sum(1 for s in morning.outcome.samples if s.status == 201)
        extra["PostgreSQL per check-in created"] = _per_checkin(
            db_before, _database_counters(deployed.database_url), created
        )
        await asyncio.sleep(2)  # the last feed deliveries
        morning.outcome.seconds = morning.clock()
        if profile_task is not None and waits_task is not None:
            extra["profile"] = await profile_task
            extra["PostgreSQL sessions during the profile"] = await waits_task
    finally:
        for task in (profile_task, waits_task):
            if task is not None and not task.done():
                task.cancel()
        await close_feed()
        morning.connections.close()
    extra["connections opened"] = morning.connections.opened
    extra["employees"] = len(deployed.people["employees"])
    return {"morning": morning, "segments": segments, "extra": extra}


def main(argv: list[str]) -> int:
    options = _options(argv)
    segments = plan(options)
    options.out.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(ImportError):
        import uvloop

        uvloop.install()
    started = time.time()
    load_before = os.getloadavg()
    _stop_cleanly_on_sigterm()
    with deployment(options) as deployed:
        say(
            f"server on 127.0.0.1:{deployed.port} ({options.workers} workers), "
            f"seeded in {deployed.seed_seconds:.0f} s: {deployed.people['timings']}"
        )
        result = asyncio.run(_drive(options, deployed, segments))
    say("stopped the server, PostgreSQL and Redis; scratch files removed")
    morning: Morning = result["morning"]
    segments = result["segments"]
    extra = result["extra"]
    profile = extra.pop("profile", None)
    summary = report.summarise(morning.outcome, [asdict(s) for s in segments])
    if options.find_max:
        extra["largest rate held (check-ins/s)"] = extra.pop(
            "largest rate held (check-ins/s)"
        )
    else:
        main_segment = "07:20-07:30 peak" if options.morning else "peak"
        seg = summary["segments"].get(main_segment, {})
        extra["peak held"] = seg.get("held")
        extra["largest rate held (check-ins/s)"] = (
            seg.get("start") if seg.get("held") else None
        )
    series = report.timeline(morning.outcome)
    figures = {
        "when": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(
            timespec="seconds"
        ),
        "command": "python -m loadtest " + " ".join(argv),
        "options": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in vars(options).items()
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": load_before,
            "load_average_at_end": os.getloadavg(),
        },
        "server_port": deployed.port,
        "seed_seconds": round(deployed.seed_seconds, 1),
        "seed_timings": deployed.people["timings"],
        **summary,
        **extra,
        "profile": profile,
        "timeline": series,
    }
    (options.out / "report.json").write_text(json.dumps(figures, indent=1, default=str))
    report.plot(
        series,
        options.out / "report.png",
        f"Pantau morning rush, {options.workers} workers, "
        f"{figures['when']} ({figures['command']})",
    )
    print(report.text(summary, extra))
    for label, digest in (profile or {}).items():
        what = "all threads, wall clock" if label == "wall" else "GIL holder only"
        print(f"py-spy ({what}), share of busy samples by part of the stack:")
        for name, share in digest["parts"]:
            print(f"  {share:5.1f} %  {name}")
        print(f"py-spy ({what}), top frames by own time:")
        for frame, share in digest["own"][:12]:
            print(f"  {share:5.1f} %  {frame}")
    print(f"figures: {options.out / 'report.json'}, plot: {options.out / 'report.png'}")
    return 0


def _stop_cleanly_on_sigterm() -> None:
    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)
