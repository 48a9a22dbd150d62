"""The number of SQL statements a check-in costs stays bounded.

Each statement is paid on the morning rush by every employee; a change that
adds queries to the hot path shows up here before it shows up in
``python -m bench checkins``.
"""

from __future__ import annotations

from typing import Any

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.test_checkins_api import NOW, office, other_photo, payload
from tests.conftest import client_for

__all__ = ["office"]


def test_checkin_statement_count(org: Any, office: Any) -> None:
    client = client_for(org.alice.user)
    with time_machine.travel(NOW, tick=False):
        warm = client.post("/api/v1/checkins/", payload(), format="multipart")
        assert warm.status_code == 201
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                "/api/v1/checkins/",
                payload(photo_bytes=other_photo()),
                format="multipart",
            )
    assert response.status_code == 201, response.json()
    assert len(queries) <= 99
