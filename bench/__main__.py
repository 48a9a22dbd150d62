"""``make bench``: every benchmark, figures as ratios to same-run references.

``python -m bench [name ...]`` runs the named ones (``org_import``,
``checkins``, ``feed``, ``phash_search``), each in its own process;
``BENCH_SCALE`` (default 1) scales the request counts of the check-in
benchmark and the rows of the near-duplicate search.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = ["org_import", "checkins", "feed", "phash_search"]


def main(names: list[str]) -> int:
    failed = 0
    for name in names or BENCHMARKS:
        print(f"== {name} ==", flush=True)
        failed |= subprocess.call([sys.executable, "-m", f"bench.{name}"])
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
