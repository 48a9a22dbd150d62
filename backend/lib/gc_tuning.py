"""Garbage collection set for a long-running web worker.

A check-in request allocates tens of thousands of objects (the multipart
parser, DRF's serializer fields, model instances, query compilation). With
Python's default gen-0 threshold of 700 that is dozens of collections per
request, and every tenth of a tenth walks the whole heap: Django, DRF,
every loaded module and URL pattern, several hundred thousand objects that
live as long as the process. Each walk holds the GIL, and every request of
the worker waits.

``settle_heap`` runs once per worker process, before it serves: it imports
the whole URLconf (every view and what it needs), collects, and
``gc.freeze()``s what is left, so later collections skip it; then it raises
the gen-0 threshold to ``WEB_GC_THRESHOLD``. Measured on the morning-rush
load test (docs/scaling.md): check-in p95 at 70/s fell from 355-837 ms to
205 ms.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

# Generations 1 and 2 are collected after this many collections of the
# generation below (Python's default is 10 for both).
OLDER_GENERATIONS = (20, 20)


def settle_heap(threshold: int) -> None:
    """Load every view, freeze the heap and set gen-0's ``threshold``
    (0 keeps Python's own thresholds and only freezes)."""
    # Resolving patterns imports every urls module, its views and services.
    get_resolver().url_patterns  # noqa: B018
    gc.collect()
    gc.freeze()
    if threshold > 0:
        gc.set_threshold(threshold, *OLDER_GENERATIONS)
