"""SQLite write transactions queue on a lock instead of sleeping in
SQLite's busy handler (backend/lib/sqlite_writers)."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection, connections, transaction

from backend.lib.sqlite_writers.base import _writers_of
from backend.organization.models import Instansi

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the embedded SQLite database only"
    ),
]


def _queue() -> Any:
    return _writers_of(os.path.abspath(str(connection.settings_dict["NAME"])))


def _in_thread(work: Any) -> threading.Thread:
    def run() -> None:
        try:
            work()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_writer_waits_for_the_commit_and_then_proceeds() -> None:
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with transaction.atomic():
            Instansi.objects.create(code="A", name="A")
            holding.set()
            time.sleep(0.3)
            order.append("first commits")

    def second() -> None:
        holding.wait(5)
        with transaction.atomic():
            order.append("second begins")
            Instansi.objects.create(code="B", name="B")

    threads = [_in_thread(first), _in_thread(second)]
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second begins"]
    assert set(Instansi.objects.values_list("code", flat=True)) >= {"A", "B"}


def test_rollback_and_close_release_the_writer_lock() -> None:
    queue = _queue()
    with pytest.raises(RuntimeError), transaction.atomic():
        Instansi.objects.create(code="R", name="R")
        raise RuntimeError
    assert queue.threads.acquire(timeout=0.1)
    queue.threads.release()

    with transaction.atomic():
        Instansi.objects.create(code="C", name="C")
        connection.close()  # a worker stopping mid-transaction
    assert queue.threads.acquire(timeout=0.1)
    queue.threads.release()
    assert not Instansi.objects.filter(code__in=["R", "C"]).exists()


def test_a_writer_that_waits_past_the_busy_timeout_fails_as_sqlite_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    queue = _queue()
    assert queue.threads.acquire(timeout=1)
    try:
        with (
            pytest.raises(OperationalError, match="database is locked"),
            transaction.atomic(),
        ):
            Instansi.objects.create(code="T", name="T")
    finally:
        queue.threads.release()
    assert not Instansi.objects.filter(code="T").exists()


def test_processes_queue_on_the_lock_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # Another worker process holds the writer: its lock is on the file.
    other = os.open(_queue().path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(other, fcntl.LOCK_EX)
    started = time.monotonic()
    threading.Timer(0.3, fcntl.flock, (other, fcntl.LOCK_UN)).start()
    try:
        with transaction.atomic():
            Instansi.objects.create(code="P", name="P")
    finally:
        os.close(other)
    assert time.monotonic() - started >= 0.25
    assert Instansi.objects.filter(code="P").exists()


def test_destroying_a_test_database_removes_the_files_next_to_it(tmp_path: Any) -> None:
    from backend.lib.sqlite_writers.base import DatabaseWrapper

    name = str(tmp_path / "scratch.sqlite3")
    scratch = DatabaseWrapper({**connection.settings_dict, "NAME": name}, "scratch")
    try:
        scratch.ensure_connection()
        with scratch.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            scratch._start_transaction_under_autocommit()  # takes the writer lock
            cursor.execute("CREATE TABLE t (x INTEGER)")
            scratch._commit()
        for beside in (f"{name}.writer-lock", f"{name}-wal", f"{name}-shm"):
            assert os.path.exists(beside), beside
        # Removed while a connection is open, as a test thread's may be.
        scratch.creation._destroy_test_db(name, verbosity=0)
    finally:
        scratch.close()

    for leftover in (name, f"{name}.writer-lock", f"{name}-wal", f"{name}-shm"):
        assert not os.path.exists(leftover), leftover
    # The suite's own database keeps its lock.
    assert os.path.exists(f"{_queue().path}")
