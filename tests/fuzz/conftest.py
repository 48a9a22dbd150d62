"""Hostile-input tests: the schema fuzzer and the malformed-upload corpus.

Tests marked ``fuzz`` (schemathesis against the OpenAPI schema) take minutes,
so they run only under ``make fuzz``, which sets ``FUZZ=1``; without it they
are deselected. The malformed image and multipart tests are cheap and
unmarked: they run in every ``make test`` as well.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    if os.environ.get("FUZZ"):
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("fuzz") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any) -> None:
    module = sys.modules.get("tests.fuzz.test_schema_fuzz")
    sent = getattr(module, "SENT", None)
    if sent:
        terminalreporter.write_line(
            f"schema fuzzing: {sum(sent.values())} generated requests "
            f"over {len(sent)} operations"
        )
