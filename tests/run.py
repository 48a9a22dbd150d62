"""Run the suite the way CI does: ``python -m tests.run [pytest args]``.

Pass 1 runs on the embedded default: SQLite and the in-memory channel layer.
Pass 2 starts a throwaway PostgreSQL and Redis (tests/stack.py) and runs the
suite again against them. Without their server binaries pass 2 is skipped
with a notice, except under ``CI=true``, where that is a failure.

``--pass sqlite`` or ``--pass postgres`` runs one pass only. Every other
argument goes to pytest in each pass. See docs/testing.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from xml.etree import ElementTree

from tests import stack

PASSES = ("sqlite", "postgres")
# A hung test must not hold CI until its own limit; pytest is killed after this.
PASS_TIMEOUT_S = 30 * 60
# The variables that choose the deployment: each pass sets them itself, so a
# developer's shell cannot turn the SQLite pass into something else.
DEPLOYMENT_VARS = ("DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY")
# Settings refuse to start without a SECRET_KEY when DEBUG is off, and HTTPS
# would redirect every test request.
TEST_DEFAULTS = {
    "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
    "HTTPS": "0",
}
PYTEST_EXIT = {
    0: "passed",
    1: "tests failed",
    2: "interrupted",
    3: "internal error",
    4: "usage error",
    5: "no tests collected",
}


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.passed + other.passed,
            self.failed + other.failed,
            self.skipped + other.skipped,
        )

    def __str__(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


@dataclass
class Outcome:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0
    counts: Counts = field(default_factory=Counts)

    def line(self) -> str:
        status = "ok" if self.ok else "FAILED"
        timing = f" in {self.seconds:.1f}s" if self.seconds else ""
        return f"{self.name}: {status}, {self.detail}{timing}"


def main(argv: Sequence[str]) -> int:
    _stop_cleanly_on_sigterm()
    try:
        passes, pytest_args = _split_args(argv)
    except ValueError as exc:
        print(f"tests.run: {exc}", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    if "sqlite" in passes:
        outcomes.append(_sqlite_pass(pytest_args))
    if "postgres" in passes:
        outcomes.append(_postgres_pass(pytest_args))

    print("\n=== summary ===")
    total = Counts()
    for outcome in outcomes:
        print(outcome.line())
        total += outcome.counts
    ok = all(outcome.ok for outcome in outcomes)
    print(f"{'ok' if ok else 'FAILED'}: {total}")
    return 0 if ok else 1


def _sqlite_pass(pytest_args: list[str]) -> Outcome:
    name = "pass 1 (SQLite, in-memory channel layer)"
    # Tests that need the real servers wait for pass 2.
    args = _with_marker(pytest_args, "not postgres and not redis")
    return _pytest(name, args, _environment({}))


def _postgres_pass(pytest_args: list[str]) -> Outcome:
    name = "pass 2 (PostgreSQL + Redis)"
    missing = []
    if stack.find_pg_bin() is None:
        missing.append("PostgreSQL server binaries (pg_ctl, initdb, postgres)")
    if stack.find_redis_server() is None:
        missing.append("redis-server")
    if missing:
        detail = "not run: " + " and ".join(missing) + " not found"
        if os.environ.get("CI") == "true":
            print(f"\nERROR: {name} {detail}; CI must run it.", flush=True)
            return Outcome(name, False, detail + " (required under CI=true)")
        print(
            f"\nSKIPPED: {name} {detail}. Install postgresql-15 and "
            "redis-server (Debian) to run it.",
            flush=True,
        )
        return Outcome(name, True, "SKIPPED, " + detail)

    started = time.monotonic()
    try:
        with stack.postgres_server() as database_url, stack.redis_server() as redis_url:
            urls = {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
            # Browser tests start their own SQLite-backed server: once is enough.
            args = _with_marker(pytest_args, "not sqlite_only and not browser")
            note = " ".join(f"{key}={value}" for key, value in urls.items())
            outcome = _pytest(name, args, _environment(urls), note=note)
    except stack.ServiceError as exc:
        print(f"\nERROR: {name}: could not start the servers: {exc}", flush=True)
        return Outcome(name, False, f"servers did not start ({exc})".splitlines()[0])
    # Count start and stop of the servers too: that is what the pass costs.
    outcome.seconds = time.monotonic() - started
    return outcome


def _pytest(
    name: str, args: list[str], env: Mapping[str, str], *, note: str = ""
) -> Outcome:
    print(f"\n=== {name} ===")
    if note:
        print(note)
    sys.stdout.flush()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pantau-junit-") as scratch:
        report = Path(scratch) / "report.xml"
        command = [sys.executable, "-m", "pytest", f"--junit-xml={report}", *args]
        try:
            code = subprocess.run(
                command, env=env, timeout=PASS_TIMEOUT_S, check=False
            ).returncode
        except subprocess.TimeoutExpired:
            elapsed = time.monotonic() - started
            return Outcome(name, False, f"killed after {PASS_TIMEOUT_S}s", elapsed)
        counts = _read_counts(report)
    elapsed = time.monotonic() - started
    detail = f"{counts} (pytest exit {code}: {PYTEST_EXIT.get(code, 'failed')})"
    # Exit 5 is a failure too: a pass that ran nothing proves nothing.
    return Outcome(name, code == 0, detail, elapsed, counts)


def _read_counts(report: Path) -> Counts:
    try:
        # Our own pytest wrote this file a moment ago.
        root = ElementTree.parse(report).getroot()  # noqa: S314
    except (OSError, ElementTree.ParseError):
        return Counts()
    counts = Counts()
    for suite in root.iter("testsuite"):
        tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        counts += Counts(max(0, tests - failed - skipped), failed, skipped)
    return counts


def _environment(deployment: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARS}
    for key, value in TEST_DEFAULTS.items():
        env.setdefault(key, value)
    env.update(deployment)
    return env


def _split_args(argv: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Take ``--pass NAME`` out of ``argv``; the rest is for pytest."""
    passes: tuple[str, ...] = PASSES
    rest: list[str] = []
    items = iter(argv)
    for arg in items:
        if arg == "--pass" or arg.startswith("--pass="):
            value = arg.partition("=")[2] if "=" in arg else next(items, "")
            if value not in PASSES:
                raise ValueError(f"--pass takes one of {', '.join(PASSES)}")
            passes = (value,)
        else:
            rest.append(arg)
    return passes, rest


def _with_marker(pytest_args: list[str], expression: str) -> list[str]:
    """Add a ``-m`` filter, combined with the caller's own ``-m`` if any.

    pytest keeps only the last ``-m``, so a caller's expression is folded in
    rather than left to replace the pass's filter.
    """
    own: list[str] = []
    rest: list[str] = []
    items: Iterator[str] = iter(pytest_args)
    for arg in items:
        if arg == "-m":
            own.append(next(items, ""))
        elif arg.startswith("-m"):
            own.append(arg[2:])
        else:
            rest.append(arg)
    combined = " and ".join(f"({e})" for e in [*own, expression] if e)
    return ["-q", "-m", combined, *rest]


def _stop_cleanly_on_sigterm() -> None:
    # Turn SIGTERM/SIGHUP into SystemExit so the ``with`` blocks stop the
    # servers instead of leaving them behind.
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGHUP, handler)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
