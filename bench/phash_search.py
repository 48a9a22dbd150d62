"""The near-duplicate photo search against a large window of check-ins.

Run as ``python -m bench.phash_search``. A fresh SQLite database (the
project's migrations, WAL, as deployed) gets ``ROWS`` check-ins (scaled by
``BENCH_SCALE``) with random perceptual hashes, all received inside the
search window, and the search a clean check-in makes
(``checkin_reads.first_phash_match`` with ``verification.phash_band_probes``,
the code of the check-in path) runs for new random hashes:

- **reference**: ``FLAG_PHASH_DISTANCE`` 3, one exact value per band
  (radius 0), the least a band search does;
- **default**: ``FLAG_PHASH_DISTANCE`` 6, every value within one bit of each
  band (radius 1), which finds every distance up to the limit.

It prints each one's time per search and candidates read, and the
default's cost as a ratio to the reference's. Random hashes match nothing,
so every candidate is read and weighed: the cost of a check-in whose photo
is new, most of them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROWS = 1_000_000
SEARCHES = 200
LIMITS = {"reference (limit 3, radius 0)": 3, "default (limit 6, radius 1)": 6}


def _setup(directory: Path) -> None:
    from bench.server import scratch_settings

    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "backend.settings", **scratch_settings(directory)}
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def _fill(rows: int, since: dt.datetime) -> None:
    """``rows`` check-ins of one employee: copies of one factory-made row,
    each with its own hash and client_uuid, in one statement."""
    from django.db import connection

    from backend.attendance.models import CheckIn
    from tests.factories import CheckInFactory

    template: Any = CheckInFactory(received_at=since + dt.timedelta(hours=1))
    table = CheckIn._meta.db_table
    columns = [
        str(field.column)
        for field in CheckIn._meta.local_concrete_fields
        if field.column != "id"
    ]
    generated = {
        "client_uuid": "printf('%032x', n)",
        "photo_phash": "h",
        "phash_band0": "substr(h, 1, 4)",
        "phash_band1": "substr(h, 5, 4)",
        "phash_band2": "substr(h, 9, 4)",
        "phash_band3": "substr(h, 13, 4)",
    }
    chosen = ", ".join(generated.get(column, f't."{column}"') for column in columns)
    # Table and column names come from the model, never from input.
    names = ", ".join(f'"{column}"' for column in columns)
    statement = (
        f"INSERT INTO {table} ({names})"  # noqa: S608
        " WITH RECURSIVE numbers(n) AS"
        " (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < %s),"
        " hashes(n, h) AS (SELECT n, printf('%%016x', random()) FROM numbers)"
        f" SELECT {chosen} FROM hashes, {table} t WHERE t.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [rows, template.pk])
        cursor.execute(f"ANALYZE {table}")


def _search(limit: int, searches: int, since: dt.datetime) -> dict[str, float]:
    from backend.attendance import checkin_reads
    from backend.attendance.verification import phash_band_probes
    from backend.lib.photos import hamming_distance

    randomness = random.Random(limit)
    candidates = 0
    started = time.thread_time()
    for _ in range(searches):
        phash = f"{randomness.getrandbits(64):016x}"

        def matches(other: str, phash: str = phash) -> bool:
            nonlocal candidates
            candidates += 1
            return hamming_distance(other, phash) <= limit

        checkin_reads.first_phash_match(phash_band_probes(phash, limit), since, matches)
    elapsed = time.thread_time() - started
    return {
        "ms_per_search": elapsed * 1000 / searches,
        "candidates_per_search": candidates / searches,
    }


def run(*, scale: float = 1.0) -> dict[str, Any]:
    rows = max(1000, int(ROWS * scale))
    searches = max(20, int(SEARCHES * min(1.0, scale * 4)))
    with tempfile.TemporaryDirectory(prefix="pantau-bench-") as directory:
        _setup(Path(directory))
        since = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
        _fill(rows, since)
        results = {
            label: _search(limit, searches, since) for label, limit in LIMITS.items()
        }
    return {"rows": rows, "searches": searches, "results": results}


def report(figures: dict[str, Any]) -> str:
    lines = [
        f"near-duplicate search over {figures['rows']:,} check-ins in the window"
        f" ({figures['searches']} searches, random hashes, SQLite):"
    ]
    results = figures["results"]
    for label, result in results.items():
        lines.append(
            f"  {label:32} {result['ms_per_search']:7.2f} ms/search"
            f"  {result['candidates_per_search']:7.0f} candidates"
        )
    reference, default = (results[label] for label in LIMITS)
    lines.append(
        "  default vs reference: "
        f"{default['ms_per_search'] / reference['ms_per_search']:.1f}x the time"
    )
    return "\n".join(lines)


def main() -> None:
    scale = float(os.environ.get("BENCH_SCALE", "1"))
    print(report(run(scale=scale)), flush=True)


if __name__ == "__main__":
    main()
