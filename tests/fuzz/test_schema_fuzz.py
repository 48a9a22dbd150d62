"""Schemathesis against the OpenAPI schema, in process (no server).

Every operation of /api/v1/schema/ gets generated requests, valid and
invalid, sent to the Django WSGI application with the token of a demo
account (an employee, a supervisor, an auditor). Every response must be no
5xx, have a documented status code and content type, and match the documented
body schema. Runs under ``make fuzz`` only (marker ``fuzz``).

``FUZZ_EXAMPLES`` sets the examples per operation and account (default 25);
generation is derandomized, so a run is repeatable.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config._checks import PositiveDataAcceptanceConfig

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ROLES = ("employee", "supervisor", "auditor")
# Generated requests per operation, reported at the end of the run (conftest).
SENT: Counter[str] = Counter()


def _served_schema() -> dict[str, Any]:
    """The schema exactly as /api/v1/schema/?format=json serves it."""
    generator = SchemaGenerator()
    document = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = WSGIHandler()
schema.config.update(base_url="http://testserver")
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
)
# Schema-valid input may still break a business rule the schema cannot state
# (a date range over 93 days, an RHK of someone else's SKP, a report date
# outside the reporting window): that is a 400 naming the field, not a bug.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2XX", "400", "401", "403", "404", "409", "429"]
)
# Invalid input is still generated and must never cause a 5xx or an
# undocumented answer, but DRF accepts some of it by design: a number for a
# string field (coerced), a request without the session cookie when the
# token authenticates it. Those are not schema violations of the responses.
schema.config.checks.negative_data_rejection.enabled = False


@pytest.fixture
def wsgi_app() -> Iterator[None]:
    # As Django's test client does: the request signals must not close the
    # connection that holds the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_users(
    django_db_setup: Any, django_db_blocker: Any
) -> Iterator[dict[str, int]]:
    """The demo organisation, seeded once for the module; each test's own
    transaction nests inside and the whole is rolled back at the end."""
    from backend.demo.seeding import demo_summary
    from backend.organization.models import Employee

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        accounts = demo_summary().accounts
        yield {
            role: Employee.objects.get(
                nip=next(a["nip"] for a in accounts if a["role"] == role)
            ).user_id
            for role in ROLES
        }
        transaction.set_rollback(True)


@pytest.fixture(params=ROLES)
def token(request: pytest.FixtureRequest, demo_users: dict[str, int], db: Any) -> str:
    """A knox token of the first demo account with the given role."""
    from django.contrib.auth import get_user_model
    from knox.models import AuthToken

    user = get_user_model().objects.get(pk=demo_users[request.param])
    return AuthToken.objects.create(user=user)[1]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(
    case: Any, token: str, wsgi_app: None
) -> None:
    SENT[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    case.call_and_validate(headers={"Authorization": f"Token {token}"})
