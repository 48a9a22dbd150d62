"""The pool of backend.lib.postgresql answers at once while PostgreSQL is
down, instead of making the request wait for the pool's timeout."""

from __future__ import annotations

import time

import psycopg
import pytest

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
