"""Fault drills: each test starts its own deployment (tests/drills/deployment.py),
causes one fault under load and checks what the clients were told against
what the database and the disk hold. Run with ``make drills``; the figures
are printed at the end of the run. See docs/drills.md."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

_FIGURES: list[tuple[str, dict[str, Any]]] = []


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``figures(name=value, ...)``: numbers a drill measured, printed in the
    summary at the end of the run."""
    own: dict[str, Any] = {}
    _FIGURES.append((request.node.name, own))

    def record(**values: Any) -> None:
        own.update(values)

    return record


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("drill figures")
    for name, values in _FIGURES:
        terminalreporter.write_line(name)
        for key, value in values.items():
            if isinstance(value, float):
                value = f"{value:.3f}"
            terminalreporter.write_line(f"    {key}: {value}")


@pytest.fixture(autouse=True)
def _quiet_clients() -> None:
    # One log line per request would bury a failure's report.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    """Drills run only when asked for (``-m drill``, as ``make drills``
    does): ``make test`` and a plain ``pytest`` leave them out."""
    if "drill" in (config.option.markexpr or ""):
        return
    drills = [item for item in items if item.get_closest_marker("drill")]
    if drills:
        config.hook.pytest_deselected(items=drills)
        items[:] = [item for item in items if not item.get_closest_marker("drill")]
