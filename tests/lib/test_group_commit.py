"""Writes of concurrent threads committed in one transaction
(backend/lib/group_commit.py): each caller gets its own result or error,
and returns only once its write is committed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import (
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)

from backend.lib import group_commit
from backend.lib.group_commit import GroupCommit, commit_together
from backend.organization.models import Instansi

pytestmark = pytest.mark.django_db(transaction=True)


def _create(code: str) -> Callable[[], int]:
    def write() -> int:
        return Instansi.objects.create(code=code, name=code).pk

    return write


def _in_threads(
    queue: GroupCommit, works: list[Callable[[], Any]]
) -> list[tuple[str, Any]]:
    """Run each work through ``queue`` from its own thread, all at once."""
    outcomes: list[tuple[str, Any]] = [("none", None)] * len(works)
    start = threading.Barrier(len(works))

    def run(index: int) -> None:
        try:
            start.wait(5)
            outcomes[index] = ("result", queue.run(works[index]))
        except Exception as exc:
            outcomes[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def _slow(work: Callable[[], Any], seconds: float = 0.2) -> Callable[[], Any]:
    """``work`` after a pause: while the first batch runs, the other threads
    queue behind it and are committed together in the next."""

    def run() -> Any:
        time.sleep(seconds)
        return work()

    return run


def test_concurrent_writes_share_a_transaction_and_each_gets_its_result() -> None:
    queue = GroupCommit()
    works = [_slow(_create("A0"))] + [_create(f"A{i}") for i in range(1, 6)]
    outcomes = _in_threads(queue, works)

    assert [kind for kind, _ in outcomes] == ["result"] * 6
    by_code = dict(Instansi.objects.values_list("code", "pk"))
    assert [value for _, value in outcomes] == [by_code[f"A{i}"] for i in range(6)]
    # Six writes, fewer transactions: the ones that queued shared one.
    assert queue.works == 6
    assert queue.batches < 6


def test_a_failing_write_rolls_back_alone_and_its_caller_gets_the_error() -> None:
    Instansi.objects.create(code="TAKEN", name="taken")
    queue = GroupCommit()
    works = [
        _slow(_create("B0")),
        _create("B1"),
        _create("TAKEN"),  # unique code: IntegrityError
        _create("B3"),
    ]
    outcomes = _in_threads(queue, works)

    kinds = [kind for kind, _ in outcomes]
    assert kinds == ["result", "result", "error", "result"]
    assert isinstance(outcomes[2][1], IntegrityError)
    codes = set(Instansi.objects.values_list("code", flat=True))
    assert {"B0", "B1", "B3", "TAKEN"} <= codes
    assert Instansi.objects.filter(code="TAKEN").count() == 1


def test_callers_return_only_after_the_commit() -> None:
    queue = GroupCommit()
    seen_after_return: list[bool] = []

    def write_then_check(code: str) -> Callable[[], None]:
        def run() -> None:
            queue.run(_create(code))
            # Another connection sees the row the moment run() returns.
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*) FROM {Instansi._meta.db_table} WHERE code = %s",  # noqa: S608
                    [code],
                )
                seen_after_return.append(cursor.fetchone()[0] == 1)

        return run

    threads = []
    for i in range(4):

        def target(i: int = i) -> None:
            try:
                write_then_check(f"C{i}")()
            finally:
                connections.close_all()

        threads.append(threading.Thread(target=target))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen_after_return == [True] * 4


def test_a_failed_commit_fails_every_caller_of_the_batch(monkeypatch: Any) -> None:
    queue = GroupCommit()
    real_atomic = transaction.atomic
    outer_blocks = 0

    class FailingCommit:
        """The batch's own transaction, whose COMMIT fails."""

        def __init__(self) -> None:
            self.block = real_atomic()

        def __enter__(self) -> Any:
            return self.block.__enter__()

        def __exit__(self, *exc: Any) -> Any:
            self.block.__exit__(DatabaseError, DatabaseError("disk I/O error"), None)
            raise DatabaseError("disk I/O error")

    def atomic(*args: Any, **kwargs: Any) -> Any:
        nonlocal outer_blocks
        if not connection.in_atomic_block:
            outer_blocks += 1
            return FailingCommit()
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(group_commit.transaction, "atomic", atomic)
    outcomes = _in_threads(queue, [_slow(_create("D0")), _create("D1"), _create("D2")])

    assert outer_blocks >= 1
    assert [kind for kind, _ in outcomes] == ["error"] * 3
    assert all(isinstance(error, DatabaseError) for _, error in outcomes)
    assert not Instansi.objects.filter(code__startswith="D").exists()


def test_a_batch_is_capped_and_the_rest_go_in_the_next() -> None:
    queue = GroupCommit(max_batch=2)
    outcomes = _in_threads(
        queue, [_slow(_create("E0"))] + [_create(f"E{i}") for i in range(1, 7)]
    )
    assert [kind for kind, _ in outcomes] == ["result"] * 7
    assert queue.works == 7
    assert queue.batches >= 4  # 1 + ceil(6 / 2) at least


def test_inside_a_transaction_the_write_joins_it(settings: Any) -> None:
    settings.WRITE_GROUP_COMMIT = True
    with pytest.raises(RuntimeError), transaction.atomic():
        commit_together(_create("F0"))
        # Not committed on its own: it rolls back with the caller's block.
        raise RuntimeError
    assert not Instansi.objects.filter(code="F0").exists()


def test_off_each_write_is_its_own_transaction(settings: Any, monkeypatch: Any) -> None:
    settings.WRITE_GROUP_COMMIT = False
    runs: list[Any] = []
    monkeypatch.setattr(group_commit._process, "run", runs.append)
    assert commit_together(_create("G0")) == Instansi.objects.get(code="G0").pk
    assert runs == []


def test_on_by_default_for_sqlite_only() -> None:
    from django.conf import settings

    assert (connection.vendor == "sqlite") == settings.WRITE_GROUP_COMMIT
