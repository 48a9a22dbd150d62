"""The server's CPU by library during a scenario, sampled by Linux ``perf``.

``BENCH_PERF=1 python -m bench checkins`` runs the one-worker 9 MP scenario
once more after the measured ones, with ``perf record`` sampling the
server process, and prints how its CPU divides between the libraries it
ran in (libjpeg's decode, the Python interpreter, the kernel, OpenSSL's
SHA-256, SQLite, ...), each also in milliseconds per check-in. The
measured figures stay unsampled. Needs ``perf`` (Debian: ``linux-perf``)
and the right to sample the process (root, or ``kernel.perf_event_paranoid``
at most 1).
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SAMPLES_PER_S = 999
# "  55.57%  libjpeg-6dc8d115.so.62.4.0" from ``perf report --sort dso``.
_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)%\s+(\S.*?)\s*$")
# A shared object's own name, without a wheel's hash, the ABI tag of an
# extension module, ".so" and the version after it.
_SHARED_OBJECT = re.compile(r"^(.+?)(-[0-9a-f]{8})?(\.cpython-[^.]+)?\.so(\.[\d.]+)?$")


def available() -> bool:
    return shutil.which("perf") is not None


@contextlib.contextmanager
def recorded(pid: int, output: Path) -> Iterator[None]:
    """Sample ``pid`` (all its threads, user and kernel) while the block runs."""
    sampler = subprocess.Popen(
        [
            "perf",
            "record",
            "--quiet",
            "-F",
            str(SAMPLES_PER_S),
            "-p",
            str(pid),
            "-o",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        sampler.send_signal(signal.SIGINT)
        sampler.wait(timeout=60)


def library(name: str) -> str:
    """A short name for a shared object as ``perf`` names it."""
    if name == "[kernel.kallsyms]":
        return "kernel"
    match = _SHARED_OBJECT.match(name)
    return match.group(1) if match else name


def shares(report: str) -> list[tuple[str, float]]:
    """(library, percent) from ``perf report --sort dso --stdio`` text,
    largest first; libraries that share a short name are added up."""
    found: dict[str, float] = {}
    for line in report.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        name = library(match.group(2))
        found[name] = found.get(name, 0.0) + float(match.group(1))
    return sorted(found.items(), key=lambda item: -item[1])


def read(data: Path) -> list[tuple[str, float]]:
    """The shares recorded in ``data``; none when ``perf`` recorded nothing
    (not allowed to sample, for one)."""
    if not data.exists():
        return []
    finished = subprocess.run(
        ["perf", "report", "-i", str(data), "--sort", "dso", "--stdio", "-q"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    return shares(finished.stdout) if finished.returncode == 0 else []


def report_lines(sampled: dict[str, Any] | None, *, top: int = 8) -> list[str]:
    """What ``bench.checkins`` found with ``BENCH_PERF``: ``None`` without
    ``perf``, else the sampled run's CPU per check-in and its shares."""
    if sampled is None:
        return ["    BENCH_PERF: perf not found (Debian: linux-perf)"]
    found, cpu_ms = sampled["shares"], sampled["cpu_ms"]
    if not found:
        return [
            "    BENCH_PERF: perf recorded no samples (is sampling allowed? "
            "see kernel.perf_event_paranoid)"
        ]
    lines = ["    9 MP server CPU by library (perf, an extra unmeasured run):"]
    for name, percent in found[:top]:
        lines.append(
            f"      {name:<28} {percent:5.1f} %  {cpu_ms * percent / 100:5.2f} ms"
        )
    rest = sum(percent for _name, percent in found[top:])
    if rest:
        lines.append(
            f"      {'(others)':<28} {rest:5.1f} %  {cpu_ms * rest / 100:5.2f} ms"
        )
    return lines
