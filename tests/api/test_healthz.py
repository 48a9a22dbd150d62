"""``/healthz``: liveness plus a database round trip, for load balancers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client


def test_healthz_answers_ok_with_the_database_up(db: Any) -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_and_logs_why_without_the_database(
    db: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("terminating connection due to administrator command")

    with (
        monkeypatch.context() as patched,
        caplog.at_level(logging.WARNING, logger="mobile_api.errors"),
    ):
        patched.setattr(connection, "cursor", refuse)
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "database_unavailable"}
    assert "administrator command" in caplog.text
