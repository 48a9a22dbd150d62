"""The cached token check: fewer queries, and revocation still immediate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from backend.activity.selectors import events_visible_to
from backend.organization import services as org_services
from mobile_api.authentication import CachedTokenAuthentication, _key
from tests.api.test_checkins_api import NOW, payload, post


def _client(user: Any) -> tuple[APIClient, str, AuthToken]:
    instance, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, token, instance


def _token_queries(queries: CaptureQueriesContext) -> int:
    return sum("knox_authtoken" in q["sql"] for q in queries.captured_queries)


def _second_request_queries(user: Any) -> CaptureQueriesContext:
    client, _token, _instance = _client(user)
    assert client.get("/api/v1/me/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    return queries


def test_a_second_request_skips_the_token_and_employee_queries(
    org: Any, settings: Any
) -> None:
    cached = _second_request_queries(org.alice.user)
    assert _token_queries(cached) == 0
    settings.AUTH_TOKEN_CACHE_SECONDS = 0
    plain = _second_request_queries(org.alice.user)
    assert _token_queries(plain) == 2
    # knox's two token queries, and the employee with unit and instansi.
    assert len(plain) - len(cached) >= 3


def test_logout_is_immediate_even_when_cached(org: Any) -> None:
    client, _token, _instance = _client(org.alice.user)
    assert client.get("/api/v1/me/").status_code == 200  # now cached
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_deleting_tokens_elsewhere_revokes_the_cached_ones(org: Any) -> None:
    client, _token, _instance = _client(org.alice.user)
    assert client.get("/api/v1/me/").status_code == 200
    AuthToken.objects.filter(user=org.alice.user).delete()  # "log out everywhere"
    assert client.get("/api/v1/me/").status_code == 401


def test_a_lookup_racing_a_logout_cannot_cache_the_revoked_token(org: Any) -> None:
    """A request that read the token just before it was deleted must not put
    it back into the cache."""
    _unused, token, instance = _client(org.alice.user)
    authentication = CachedTokenAuthentication()
    original_add = cache.add

    def add_after_logout(*args: Any, **kwargs: Any) -> bool:
        instance.delete()  # the logout lands between the read and the add
        return bool(original_add(*args, **kwargs))

    cache.add = add_after_logout  # type: ignore[method-assign]
    try:
        authentication.authenticate_credentials(token.encode())
    finally:
        cache.add = original_add  # type: ignore[method-assign]
    again = APIClient()
    again.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert again.get("/api/v1/me/").status_code == 401


def test_deactivating_the_user_takes_effect_at_once(org: Any) -> None:
    client, _token, _instance = _client(org.alice.user)
    assert client.get("/api/v1/me/").status_code == 200
    user = org.alice.user
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_an_expired_cached_token_is_refused(org: Any) -> None:
    client, token, instance = _client(org.alice.user)
    assert client.get("/api/v1/me/").status_code == 200
    # Expiry passes while the entry is still cached.
    cached = cache.get(_key(hash_token(token)))
    assert isinstance(cached, AuthToken)
    cached.expiry = timezone.now() - dt.timedelta(seconds=1)
    cache.set(_key(hash_token(token)), cached, 60)
    AuthToken.objects.filter(pk=instance.pk).update(expiry=cached.expiry)
    assert client.get("/api/v1/me/").status_code == 401


def test_a_malformed_token_is_401(org: Any) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-hex-zz")
    assert client.get("/api/v1/me/").status_code == 401


def _first_request_queries(user: Any) -> tuple[int, CaptureQueriesContext]:
    client, _token, _instance = _client(user)
    with CaptureQueriesContext(connection) as queries:
        status = client.get("/api/v1/me/").status_code
    return status, queries


def test_a_first_request_reads_token_user_and_employee_in_one_statement(
    org: Any,
) -> None:
    status, queries = _first_request_queries(org.alice.user)
    assert status == 200
    sql = [q["sql"] for q in queries.captured_queries]
    [token_sql] = [s for s in sql if "knox_authtoken" in s]
    # The employee, unit and instansi come with the token.
    for table in (
        "organization_employee",
        "organization_unit",
        "organization_instansi",
    ):
        assert table in token_sql


def test_the_loaded_employee_carries_unit_and_instansi(org: Any) -> None:
    _unused, token, _instance = _client(org.alice.user)
    user, auth_token = CachedTokenAuthentication().authenticate_credentials(
        token.encode()
    )
    assert user == org.alice.user and auth_token.user is user
    with CaptureQueriesContext(connection) as queries:
        employee = user.employee
        assert employee.pk == org.alice.pk
        assert employee.user is user
        assert employee.unit == org.alice.unit
        assert employee.unit.instansi == org.alice.unit.instansi
        assert employee.unit.instansi.timezone == org.alice.unit.instansi.timezone
    assert len(queries) == 0


def test_a_user_without_an_employee_record_authenticates(
    django_user_model: Any,
) -> None:
    admin = django_user_model.objects.create_user("bkd-admin", password="x" * 12)
    _unused, token, _instance = _client(admin)
    user, _auth_token = CachedTokenAuthentication().authenticate_credentials(
        token.encode()
    )
    assert user == admin
    with CaptureQueriesContext(connection) as queries:
        assert not hasattr(user, "employee")
    assert len(queries) == 0


def test_an_expired_token_is_refused_and_deleted(org: Any) -> None:
    client, _token, instance = _client(org.alice.user)
    AuthToken.objects.filter(pk=instance.pk).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_other_expired_tokens_of_the_user_are_pruned(org: Any) -> None:
    _c1, _t1, stale = _client(org.alice.user)
    _c2, _t2, valid_other = _client(org.alice.user)
    AuthToken.objects.filter(pk=stale.pk).update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    client, _token, current = _client(org.alice.user)
    assert client.get("/api/v1/me/").status_code == 200
    left = set(
        AuthToken.objects.filter(user=org.alice.user).values_list("pk", flat=True)
    )
    assert left == {valid_other.pk, current.pk}


def test_a_right_key_with_a_wrong_secret_is_refused(org: Any) -> None:
    _unused, token, _instance = _client(org.alice.user)
    # Same token_key (the first 15 characters), different rest.
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {forged}")
    assert client.get("/api/v1/me/").status_code == 401


def test_an_inactive_user_is_refused_on_a_first_request(org: Any) -> None:
    client, _token, _instance = _client(org.alice.user)
    org.alice.user.is_active = False
    org.alice.user.save()
    assert client.get("/api/v1/me/").status_code == 401


# --- the hierarchy changes under a cached token ---------------------------


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _feed_checkin_ids(user: Any) -> list[int]:
    return [
        event.data["checkin_id"]
        for event in events_visible_to(user, after=0).events
        if "checkin_id" in event.data
    ]


def _checks_in(client: APIClient) -> int:
    response = post(client, payload())
    assert response.status_code == 201, response.json()
    return int(response.json()["id"])


def _sees_over_rest(user: Any, checkin_id: int) -> bool:
    client, _token, _instance = _client(user)
    return bool(client.get(f"/api/v1/checkins/{checkin_id}/").status_code == 200)


def test_re_chaining_drops_the_cached_chains_of_the_subordinates(
    org: Any, office: Any, settings: Any, frozen: Any
) -> None:
    settings.AUTH_TOKEN_CACHE_SECONDS = 60
    alice, _token, _instance = _client(org.alice.user)
    assert alice.get("/api/v1/me/").status_code == 200  # cached, with her chain

    # Alice's supervisor bob now reports to erik: her chain changes by a
    # bulk UPDATE, which sends no save signal.
    org_services.employee_update(org.bob, supervisor=org.erik)
    checkin_id = _checks_in(alice)
    assert not _sees_over_rest(org.dina.user, checkin_id)
    assert _sees_over_rest(org.erik.user, checkin_id)
    # The feed's events carry the chain the REST API used.
    assert _feed_checkin_ids(org.dina.user) == []
    assert _feed_checkin_ids(org.erik.user) == [checkin_id]


def test_moving_a_unit_drops_the_cached_unit_paths_of_its_employees(
    org: Any, office: Any, settings: Any, frozen: Any
) -> None:
    settings.AUTH_TOKEN_CACHE_SECONDS = 60
    alice, _token, _instance = _client(org.alice.user)
    assert alice.get("/api/v1/me/").status_code == 200  # cached, with her unit

    # Bidang Mutasi leaves BKD (which uma administers) for Dinas Kesehatan.
    org_services.unit_update(org.mutasi, parent=org.dinkes)
    checkin_id = _checks_in(alice)
    assert not _sees_over_rest(org.uma, checkin_id)
    assert _feed_checkin_ids(org.uma) == []


def test_hierarchy_changes_drop_the_cached_entries_again_at_commit(
    org: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A request that re-cached the old rows before the change committed
    loses them when it commits."""
    settings.AUTH_TOKEN_CACHE_SECONDS = 60
    alice, _token, instance = _client(org.alice.user)

    with django_capture_on_commit_callbacks(execute=True):
        org_services.employee_update(org.bob, supervisor=org.erik)
        assert alice.get("/api/v1/me/").status_code == 200  # cached meanwhile
        assert cache.get(_key(instance.digest)) is not None
    assert cache.get(_key(instance.digest)) is None
