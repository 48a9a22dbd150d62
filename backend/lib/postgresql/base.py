"""Django's PostgreSQL backend, with a pool that does not wait for a dead
server.

psycopg's pool makes a request wait up to its timeout (``DB_POOL_TIMEOUT_S``)
for a connection, and after losing its connections it reconnects in the
background with a growing back-off (1, 2, 4, 8 s...). With PostgreSQL
restarting, every request then waited the whole timeout before its 503, and
service came back up to a back-off step after the server did (measured by
the PostgreSQL drill, docs/drills.md: 10 s answers, 12 s to recover).

``FailFastPool`` remembers that the pool's own last connection attempt
failed. Until one succeeds, a request that finds no idle connection makes
one direct attempt of its own (bounded by ``connect_timeout``) instead of
queueing: refused at once while the server is down (a 503 in milliseconds),
and a working, unpooled connection, closed after the request, as soon as it
is back; the idle connections left from before are then tested once
(``check()``) and the dead ones replaced. A request that was already
queued when the pool's attempt failed (its idle connections turned out dead
on a worker that had not noticed the outage) gets its error at once too.

A worker that served no request while PostgreSQL restarted never noticed
it: its idle connections are dead and nothing in the pool knows. So a
connection that sat idle for ``IDLE_CHECK_S`` or more is tested (an empty
query) before a request gets it; if it is dead, every idle connection is
tested and the request gets a working one. Under load a connection is back
in use within milliseconds, so the test costs nothing there.
Everything else is Django's backend unchanged.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

import psycopg
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base
from psycopg_pool import ConnectionPool


class FailFastPool(ConnectionPool):
    # A connection idle in the pool this long is tested before it is used.
    IDLE_CHECK_S = 1.0
    # The pool's own last attempt to connect failed.
    _unreachable = False
    # The server came back: idle connections from before may be dead.
    _stale = False

    def _connect(self, timeout: float | None = None) -> Any:
        # The pool's own attempts (start-up, replacing lost connections).
        try:
            conn: Any = super()._connect(timeout)
        except Exception as exc:
            self._unreachable = True
            self._fail_waiting(exc)
            raise
        if self._unreachable:
            self._stale = True
        self._unreachable = False
        conn._pantau_idle_since = monotonic()
        return conn

    def _fail_waiting(self, error: Exception) -> None:
        # Requests already queued for a connection when the attempt failed
        # (the pool found its idle connections dead and tried to replace
        # them) get their 503 now, not after the pool's timeout.
        with self._lock:
            waiting = list(self._waiting)
            self._waiting.clear()
        for client in waiting:
            client.fail(psycopg.OperationalError(f"PostgreSQL is unreachable: {error}"))

    def getconn(self, timeout: float | None = None) -> Any:
        if self._unreachable and not self._pool:
            # Not marked as the pool's: closing it after the request really
            # closes it. Raises at once while the server refuses.
            direct = ConnectionPool._connect(self)
            self._stale = True
            return direct
        if self._stale:
            self._stale = False
            # Test the idle connections once; the dead ones are replaced.
            self.check()
        conn: Any = super().getconn(timeout)
        if monotonic() - conn._pantau_idle_since < self.IDLE_CHECK_S:
            return conn
        try:
            self.check_connection(conn)
        except psycopg.Error:
            # Dead (PostgreSQL restarted while it waited): dropped, and so
            # is every other idle connection that turns out dead.
            self.putconn(conn)
            self.check()
            return super().getconn(timeout)
        return conn

    def putconn(self, conn: Any) -> None:
        # Idle from now on; a new connection is idle from when it was opened
        # (``_connect``).
        conn._pantau_idle_since = monotonic()
        super().putconn(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self) -> Any:
        # Django's own property, with FailFastPool for ConnectionPool.
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == NO_DB_ALIAS or not options:
            return None
        # Private in django-stubs, public enough in Django's own code.
        pools: dict[str, Any] = self._connection_pools  # type: ignore[attr-defined]
        if self.alias not in pools:
            kwargs = self.get_connection_params()
            kwargs["autocommit"] = True
            checks = self.settings_dict["CONN_HEALTH_CHECKS"]
            pool = FailFastPool(
                kwargs=kwargs,
                open=False,
                configure=self._configure_connection,  # type: ignore[attr-defined]
                check=FailFastPool.check_connection if checks else None,
                **({} if options is True else options),
            )
            pools.setdefault(self.alias, pool)
        return pools[self.alias]
