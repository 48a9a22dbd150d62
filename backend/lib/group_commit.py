"""Write transactions of concurrent requests committed together (SQLite).

SQLite has one writer at a time, and a check-in's write transaction held
that lock about 6 ms in a busy worker: 1.3 ms for the fsync of the WAL at
COMMIT, under 2 ms of Python, and the rest waiting to get the GIL back
after each statement. At eight concurrent check-ins the lock was busy four
fifths of the time and requests queued 35 ms for it: that, not the CPU,
capped check-ins per second, with a core left idle.

``commit_together(work)`` queues ``work`` (a function that writes); the
first caller to find no batch in progress leads one: it takes every queued
work, runs each in a savepoint of one transaction, commits once and hands
each caller its own result or exception. Every caller returns only after
that commit, so a write acknowledged is as durable as with a transaction of
its own; what is shared is the BEGIN, the COMMIT and its fsync, and the
writer lock is taken once per batch instead of once per request.

A work that raises rolls back its own savepoint only, and its caller gets
the exception (an ``IntegrityError`` from a unique constraint, say); if the
COMMIT fails, every caller of the batch gets that error and nothing of the
batch is written. A work runs in the leader's thread, on the leader's
database connection: it must take what it needs as arguments, not from
its own thread (the active language, say). Its ``transaction.on_commit``
callbacks run in the leader's thread after the commit.

Only SQLite batches (``WRITE_GROUP_COMMIT``, on by default there). On
PostgreSQL writers lock rows, not the database, and the server groups
commits itself: there, and for a caller already inside a transaction,
``commit_together`` is ``with transaction.atomic(): return work()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction

T = TypeVar("T")

# Works per transaction at most: a batch holds the writer lock (and its
# callers wait) for as long as all of them take.
MAX_BATCH = 64


class _Work(Generic[T]):
    __slots__ = ("done", "error", "function", "result")

    def __init__(self, function: Callable[[], T]) -> None:
        self.function = function
        self.done = False
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """The queue of one process's writes and its batch in progress."""

    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._changed = threading.Condition(threading.Lock())
        self._queue: list[_Work[Any]] = []
        self._leading = False
        # Batches committed and works in them: for tests and diagnostics.
        self.batches = 0
        self.works = 0

    def run(self, function: Callable[[], T]) -> T:
        work = _Work(function)
        with self._changed:
            self._queue.append(work)
            while not work.done:
                if self._leading:
                    self._changed.wait()
                    continue
                self._leading = True
                batch = self._queue[: self.max_batch]
                del self._queue[: self.max_batch]
                self._changed.release()
                try:
                    self._commit(batch)
                finally:
                    self._changed.acquire()
                    self._leading = False
                    self._changed.notify_all()
        if work.error is not None:
            raise work.error
        return work.result  # type: ignore[return-value]

    def _commit(self, batch: list[_Work[Any]]) -> None:
        try:
            with transaction.atomic():
                for work in batch:
                    try:
                        with transaction.atomic():
                            work.result = work.function()
                    except Exception as exc:
                        work.error = exc
                if transaction.get_rollback():
                    # A savepoint that could not be rolled back: the outer
                    # block would roll back without a word.
                    raise DatabaseError("a write left the batch's transaction unusable")
        except BaseException as exc:
            # BEGIN or COMMIT failed: nothing of the batch was written.
            for work in batch:
                work.result, work.error = None, exc
            if not isinstance(exc, Exception):
                raise
        finally:
            self.batches += 1
            self.works += len(batch)
            for work in batch:
                work.done = True


_process = GroupCommit()


def commit_together(function: Callable[[], T]) -> T:
    """Run ``function`` in a transaction and return its result once the
    transaction has committed, sharing the transaction with the writes of
    other threads queued at the same moment (see the module's notes)."""
    if not settings.WRITE_GROUP_COMMIT or connection.in_atomic_block:
        with transaction.atomic():
            return function()
    return _process.run(function)
