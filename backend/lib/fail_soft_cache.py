"""Django's Redis cache, for which an unreachable Redis is a cache miss.

Pantau's cache holds only what can be found again (verified API tokens with
their employee, the login throttle and lockout counters), so a Redis outage
must cost speed, not requests: while Redis cannot be reached every read is a
miss, every write is dropped and ``incr`` reports a missing key. Each call
is bounded by the socket timeouts in ``CACHES["default"]["OPTIONS"]``, and
after a failure the process leaves Redis alone for ``COOLDOWN_S``, so a
Redis that hangs costs one short wait per cool-down, not one per request.

What is given up while Redis is away: login throttling and lockout counting
(every login goes to the password check), and the tombstone of a token
revoked during the outage is not written; should that Redis come back with
its data rather than empty, a token it cached before the outage stays usable
for at most ``AUTH_TOKEN_CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

COOLDOWN_S = 5.0
T = TypeVar("T")

# time.monotonic() until which Redis is not asked (per process).
_paused_until = 0.0


def _soft(call: Callable[[], T], fallback: T) -> T:
    global _paused_until
    if time.monotonic() < _paused_until:
        return fallback
    try:
        return call()
    except RedisError as exc:
        _paused_until = time.monotonic() + COOLDOWN_S
        logger.warning(
            "cache unavailable (%s: %s); serving without it for %.0f s",
            type(exc).__name__,
            exc,
            COOLDOWN_S,
        )
        return fallback


class FailSoftRedisCacheClient(RedisCacheClient):
    _base = RedisCacheClient

    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return _soft(partial(self._base.add, self, key, value, timeout), False)

    def get(self, key: Any, default: Any) -> Any:
        return _soft(partial(self._base.get, self, key, default), default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        _soft(partial(self._base.set, self, key, value, timeout), None)

    def touch(self, key: Any, timeout: Any) -> bool:
        return _soft(partial(self._base.touch, self, key, timeout), False)

    def delete(self, key: Any) -> bool:
        return _soft(partial(self._base.delete, self, key), False)

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return _soft(partial(self._base.get_many, self, keys), {})

    def has_key(self, key: Any) -> bool:
        return _soft(partial(self._base.has_key, self, key), False)

    def incr(self, key: Any, delta: int) -> Any:
        missing = object()
        value = _soft(partial(self._base.incr, self, key, delta), missing)
        if value is missing:
            # What Django's caches say for a key they do not hold.
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data: Any, timeout: Any) -> None:
        _soft(partial(self._base.set_many, self, data, timeout), None)

    def delete_many(self, keys: Any) -> None:
        _soft(partial(self._base.delete_many, self, keys), None)

    def clear(self) -> bool:
        return _soft(partial(self._base.clear, self), False)


# One client (and so one connection pool) per configuration and process.
_clients: dict[str, FailSoftRedisCacheClient] = {}
_clients_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that degrades to no
    cache while Redis cannot be reached (see the module docstring).

    Django makes a cache object per request under ASGI (per context, not
    per thread), and each made its own connection pool: every request
    opened a new connection to Redis. The client, with its pool, is
    shared by the whole process instead (redis-py's pools are thread-safe).
    """

    # Set by RedisCache.__init__.
    _servers: list[str]
    _options: dict[str, Any]

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    @cached_property
    def _cache(self) -> FailSoftRedisCacheClient:
        key = repr((self._servers, sorted(self._options.items())))
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
        return client
