"""The Redis cache degrades to no cache while Redis cannot be reached."""

from __future__ import annotations

import time

import pytest

from backend.lib import fail_soft_cache
from backend.lib.fail_soft_cache import FailSoftRedisCache
from tests import stack


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> FailSoftRedisCache:
    monkeypatch.setattr(fail_soft_cache, "_paused_until", 0.0)
    # A port nobody listens on: every connection is refused.
    return FailSoftRedisCache(
        f"redis://127.0.0.1:{stack.free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )


def test_reads_miss_and_writes_are_dropped_quickly(
    unreachable: FailSoftRedisCache,
) -> None:
    started = time.monotonic()
    assert unreachable.get("token", "fallback") == "fallback"
    assert unreachable.add("token", 1) is False
    unreachable.set("token", 1)
    unreachable.set_many({"a": 1})
    assert unreachable.get_many(["a", "b"]) == {}
    assert unreachable.delete("token") is False
    unreachable.delete_many(["a"])
    assert unreachable.has_key("token") is False
    assert unreachable.touch("token") is False
    assert unreachable.clear() is False
    with pytest.raises(ValueError, match="not found"):
        unreachable.incr("failures")
    assert time.monotonic() - started < 2.0


def test_after_a_failure_redis_is_left_alone_for_the_cooldown(
    unreachable: FailSoftRedisCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert unreachable.get("token") is None
    paused = fail_soft_cache._paused_until
    assert paused > time.monotonic() + fail_soft_cache.COOLDOWN_S - 1

    def no_redis(*args: object, **kwargs: object) -> None:
        raise AssertionError("Redis was asked during the cooldown")

    monkeypatch.setattr(fail_soft_cache.RedisCacheClient, "get", no_redis)
    assert unreachable.get("token", 7) == 7
