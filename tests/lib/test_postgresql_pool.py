"""The pool of backend.lib.postgresql answers at once while PostgreSQL is
down, instead of making the request wait for the pool's timeout."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import psycopg
import pytest
from django.db import connection

from backend.lib.postgresql.base import FailFastPool
from tests import stack


def test_a_pool_that_cannot_connect_fails_at_once() -> None:
    # A port nobody listens on: PostgreSQL is down.
    pool = FailFastPool(
        kwargs={
            "host": "127.0.0.1",
            "port": stack.free_port(),
            "user": "pantau",
            "dbname": "pantau",
            "connect_timeout": 2,
        },
        min_size=1,
        max_size=4,
        timeout=10,
        open=False,
    )
    pool.open()
    try:
        deadline = time.monotonic() + 10
        while not pool._unreachable:
            assert time.monotonic() < deadline, "the pool never tried to connect"
            time.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError):
            pool.getconn()
        assert time.monotonic() - started < 1.0
    finally:
        pool.close(timeout=1)


def test_a_request_queued_when_the_pool_fails_to_connect_fails_with_it() -> None:
    # A server that takes the connection and never answers: the pool's
    # first attempt lasts connect_timeout, and a request arriving meanwhile
    # queues for a connection as it would behind dead idle ones.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    pool = FailFastPool(
        kwargs={
            "host": "127.0.0.1",
            "port": silent.getsockname()[1],
            "user": "pantau",
            "dbname": "pantau",
            "connect_timeout": 2,
        },
        min_size=1,
        max_size=4,
        timeout=20,
        open=False,
    )
    pool.open()
    try:
        assert not pool._unreachable
        started = time.monotonic()
        with pytest.raises(psycopg.OperationalError, match="unreachable"):
            pool.getconn()
        waited = time.monotonic() - started
        assert pool._unreachable
        # The attempt's own connect_timeout, not the pool's 20 s.
        assert waited < 8, waited
    finally:
        pool.close(timeout=1)
        silent.close()


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a pool of PostgreSQL connections"
)


@contextlib.contextmanager
def _pool_on_test_database() -> Iterator[FailFastPool]:
    kwargs = connection.get_connection_params()
    kwargs["autocommit"] = True
    pool = FailFastPool(kwargs=kwargs, min_size=1, max_size=2, timeout=10, open=False)
    pool.open(wait=True, timeout=10)
    try:
        yield pool
    finally:
        pool.close(timeout=1)


def _terminate(backend_pid: int) -> None:
    # What a PostgreSQL restart does to every connection from before it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_while_idle_is_replaced_before_use() -> None:
    with _pool_on_test_database() as pool:
        conn = pool.getconn()
        dead_pid = conn.info.backend_pid
        pool.putconn(conn)
        _terminate(dead_pid)
        pool.IDLE_CHECK_S = 0.0  # every idle connection is tested

        conn = pool.getconn()
        try:
            assert conn.info.backend_pid != dead_pid
            assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            pool.putconn(conn)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_back_in_use_at_once_is_not_tested(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _pool_on_test_database() as pool:
        tested = []
        monkeypatch.setattr(pool, "check_connection", tested.append)
        pool.putconn(pool.getconn())
        pool.IDLE_CHECK_S = 60.0

        pool.putconn(pool.getconn())

        assert tested == []
        pool.IDLE_CHECK_S = 0.0
        pool.putconn(pool.getconn())
        assert len(tested) == 1
