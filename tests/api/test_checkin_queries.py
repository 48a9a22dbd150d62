"""The number of SQL statements a check-in costs stays bounded.

Each statement is paid on the morning rush by every employee; a change that
adds queries to the hot path shows up here before it shows up in
``python -m bench checkins``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend.attendance import schedules
from backend.attendance.services import forget_workplaces
from backend.audit.models import AuditChainHead
from tests.api.test_checkins_api import NOW, other_photo, payload
from tests.conftest import client_for

# With the token, the day's schedules and the workplaces cached (as in a
# running server): the idempotency probe, the employee's own workplace
# assignments (the unit's workplaces are cached), five verification reads (both
# travel neighbours in one, reuse, near-duplicate, shared coordinates,
# shared device), and the write transaction (check-in, audit head read +
# entry + head update, feed event); the test's own transaction adds a
# savepoint and its release. Before the caches it was 23.
STATEMENTS = 14


@pytest.fixture
def warm_caches(settings: Any) -> Iterator[None]:
    """The day's schedules and the unit's workplaces cached, as in a
    running server, and nothing cached across tests."""
    settings.SCHEDULE_CACHE_SECONDS = 60
    settings.WORKPLACE_CACHE_SECONDS = 60
    schedules._BOOKS.clear()
    forget_workplaces()
    yield
    schedules._BOOKS.clear()
    forget_workplaces()


def _statements_of_a_checkin(warm_by: Any, measured: Any) -> list[str]:
    """The SQL of ``measured``'s check-in, after ``warm_by`` checked in."""
    with time_machine.travel(NOW, tick=False):
        warm = warm_by.post("/api/v1/checkins/", payload(), format="multipart")
        assert warm.status_code == 201
        with CaptureQueriesContext(connection) as queries:
            response = measured.post(
                "/api/v1/checkins/",
                payload(photo_bytes=other_photo()),
                format="multipart",
            )
    assert response.status_code == 201, response.json()
    return [query["sql"] for query in queries.captured_queries]


def _limit(statements: int) -> int:
    # PostgreSQL adds the outbox's advisory lock (backend.activity.services).
    return statements + (connection.vendor == "postgresql")


def test_a_checkin_costs_a_bounded_number_of_statements(
    org: Any, office: Any, warm_caches: None
) -> None:
    client = client_for(org.alice.user)
    sql = _statements_of_a_checkin(client, client)
    assert len(sql) <= _limit(STATEMENTS), "\n".join(sql)
    assert not any("knox_authtoken" in statement for statement in sql)


# The morning rush as it comes: each employee checks in once, so the token
# and the employee are new to the server and only the unit's workplaces and
# schedules are cached (by a colleague's check-in). The token, user,
# employee, unit and instansi are one more statement.
FIRST_OF_THE_DAY_STATEMENTS = STATEMENTS + 1


def test_an_employees_first_checkin_costs_a_bounded_number_of_statements(
    org: Any, office: Any, warm_caches: None, settings: Any
) -> None:
    # Every audit chain has its head already, as on any day but the first.
    for chain in range(1, settings.AUDIT_CHAINS + 1):
        AuditChainHead.objects.get_or_create(pk=chain)
    sql = _statements_of_a_checkin(client_for(org.bob.user), client_for(org.alice.user))
    assert len(sql) <= _limit(FIRST_OF_THE_DAY_STATEMENTS), "\n".join(sql)
    assert sum("knox_authtoken" in statement for statement in sql) == 1
