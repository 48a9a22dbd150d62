"""Reading ``perf report`` for the benchmark's CPU-by-library breakdown
(bench/perf_shares.py, ``BENCH_PERF=1``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.perf_shares import library, read, report_lines, shares

REPORT = """\
    55.57%  libjpeg-6dc8d115.so.62.4.0
    16.74%  libpython3.11.so.1.0
     8.03%  [kernel.kallsyms]
     5.09%  libc.so.6
     3.97%  libcrypto.so.3
     1.05%  libsqlite3.so.0.8.6
     0.28%  _imaging.cpython-311-x86_64-linux-gnu.so
     0.20%  _imaging.cpython-311-x86_64-linux-gnu.so
     0.02%  [vdso]
"""


@pytest.mark.parametrize(
    ("perf_name", "short"),
    [
        ("libjpeg-6dc8d115.so.62.4.0", "libjpeg"),
        ("libpython3.11.so.1.0", "libpython3.11"),
        ("[kernel.kallsyms]", "kernel"),
        ("libc.so.6", "libc"),
        ("loop.cpython-311-x86_64-linux-gnu.so", "loop"),
        ("[vdso]", "[vdso]"),
        ("memfd:sealed-91 (deleted)", "memfd:sealed-91 (deleted)"),
    ],
)
def test_libraries_get_their_own_short_names(perf_name: str, short: str) -> None:
    assert library(perf_name) == short


def test_shares_are_read_largest_first_and_added_up_by_name() -> None:
    found = dict(shares("# Samples: 11K\n#\n" + REPORT))

    assert list(found)[:3] == ["libjpeg", "libpython3.11", "kernel"]
    assert found["libjpeg"] == pytest.approx(55.57)
    assert found["_imaging"] == pytest.approx(0.48)
    assert "Samples" not in " ".join(found)


def test_the_report_gives_each_share_in_milliseconds_too() -> None:
    lines = report_lines({"shares": shares(REPORT), "cpu_ms": 40.0}, top=2)

    assert "libjpeg" in lines[1] and lines[1].endswith("55.6 %  22.23 ms")
    assert "libpython3.11" in lines[2]
    # Everything after the top two, together.
    assert "(others)" in lines[3] and "18.6 %" in lines[3]


def test_nothing_recorded_is_said_rather_than_a_failure(tmp_path: Path) -> None:
    assert read(tmp_path / "perf.data") == []

    (line,) = report_lines({"shares": [], "cpu_ms": 40.0})

    assert "perf recorded no samples" in line


def test_without_perf_the_report_says_how_to_get_it() -> None:
    (line,) = report_lines(None)

    assert "perf not found" in line and "linux-perf" in line
