"""Django's SQLite backend with writers queued, instead of sleeping.

SQLite has one writer at a time. A write transaction that finds the lock
taken goes to SQLite's busy handler, which polls it with growing sleeps
(1, 2, 5, 10, 15, 20, 25 ms, ...): at the morning rush, when check-ins
hold the lock for a few milliseconds each, writers slept far longer than
they waited, and the workers sat idle with requests queued.

Here a write transaction (every ``atomic`` block: Pantau's SQLite
transactions are ``BEGIN IMMEDIATE``) first takes a lock of the process,
so its threads queue and are woken the moment the lock is free, then an
advisory lock on a file next to the database, so the worker processes do
the same among themselves; then SQLite's own lock is free when BEGIN asks
for it. Both are held until COMMIT or ROLLBACK. Waiting longer than the
busy timeout fails as SQLite would, with "database is locked".
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import threading
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base, creation
from django.utils.functional import cached_property

# How often a process waiting for another process's writer polls the file
# lock (the threads of one process wait on their own lock, woken at once).
POLL_S = 0.0005


class _Writers:
    """The writer lock of one database file, in this process."""

    def __init__(self, path: str) -> None:
        self.threads = threading.Lock()
        self.path = f"{path}.writer-lock"
        self.descriptor: int | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            raise OperationalError("database is locked")
        try:
            if self.descriptor is None:
                self.descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            while True:
                try:
                    fcntl.flock(self.descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked")
                time.sleep(POLL_S)
        except BaseException:
            self.threads.release()
            raise

    def release(self) -> None:
        try:
            if self.descriptor is not None:
                fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        finally:
            self.threads.release()


_by_path: dict[str, _Writers] = {}
_by_path_lock = threading.Lock()


def _forget_writers(path: str) -> None:
    """Close and remove the writer lock of a database file that is gone."""
    with _by_path_lock:
        writers = _by_path.pop(path, None)
    if writers is not None and writers.descriptor is not None:
        os.close(writers.descriptor)
    with contextlib.suppress(FileNotFoundError):
        os.remove(f"{path}.writer-lock")


def _writers_of(path: str) -> _Writers:
    with _by_path_lock:
        if path not in _by_path:
            _by_path[path] = _Writers(path)
        return _by_path[path]


class DatabaseCreation(creation.DatabaseCreation):
    # The private hook is Django's own; the type stubs do not declare it.
    def _destroy_test_db(self, test_database_name: Any, verbosity: Any) -> None:
        super()._destroy_test_db(test_database_name, verbosity)  # type: ignore[misc]
        if test_database_name and not self.is_in_memory_db(test_database_name):
            # The files next to it go with it: the writer lock, and the WAL
            # and its index, which SQLite leaves behind when a connection of
            # another thread is still open as the file is removed.
            path = os.path.abspath(str(test_database_name))
            _forget_writers(path)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(f"{path}{suffix}")


# The private hooks below are Django's own transaction entry points; the
# type stubs do not declare them.
class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The writer lock this connection holds, from BEGIN to COMMIT/ROLLBACK.
        self._holding: _Writers | None = None

    @cached_property
    def _writers(self) -> _Writers | None:
        if self.is_in_memory_db():
            return None
        return _writers_of(os.path.abspath(str(self.settings_dict["NAME"])))

    def _start_transaction_under_autocommit(self) -> None:
        writers = self._writers
        if writers is not None:
            writers.acquire(float(self.settings_dict["OPTIONS"].get("timeout", 5)))
            self._holding = writers
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._stop_writing()
            raise

    def _stop_writing(self) -> None:
        holding, self._holding = self._holding, None
        if holding is not None:
            holding.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._stop_writing()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._stop_writing()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._stop_writing()
