"""Photo decodes on a few threads of their own, below the request threads'
CPU priority.

A 9 MP check-in spends about two thirds of its CPU time in libjpeg,
without the GIL, and the rest in Python, under the GIL, which only one
thread of a process holds at a time. Decoded in the request threads
themselves, as many photos were decoded at once as requests were in
flight, at the same priority as the Python work, and the kernel shared
the cores evenly among them: the thread holding the GIL, the one part
of the server that cannot run in parallel, waited for a core behind
decodes, the requests reached their decodes in bursts, and between
bursts a core sat idle (0.08 of this machine's two cores at eight
concurrent 9 MP check-ins through one worker).

Here a decode runs on a pixel thread, at most one per core
(``PIXEL_THREADS``), and those threads run with a raised nice value
(``PIXEL_THREAD_NICE``), so a thread that has the GIL gets a core at once
and the decodes take whatever is left. The request thread waits for its
decode without holding the GIL. Measured in docs/performance.md.

The nice value is per thread on Linux only (elsewhere it is per process,
so it is left alone). It only ranks this process's threads against each
other and against other processes of the same user; a nice value can be
raised without privileges but never lowered again, hence threads of
their own rather than request threads lowered for the length of a
decode.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.core.signals import setting_changed

_T = TypeVar("_T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_on_pixel_thread = threading.local()


def _start_pixel_thread(nice: int) -> None:
    _on_pixel_thread.active = True
    if nice and sys.platform.startswith("linux"):
        # nice(2) changes the calling thread only, on Linux.
        os.nice(nice)


def _executor() -> ThreadPoolExecutor:
    global _pool
    pool = _pool
    if pool is not None:
        return pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.PIXEL_THREADS or os.cpu_count() or 1,
                thread_name_prefix="pixels",
                initializer=_start_pixel_thread,
                initargs=(settings.PIXEL_THREAD_NICE,),
            )
        return _pool


def _forget_pool_in_child() -> None:
    # A forked child has none of the parent's threads: the pool it inherited
    # would take work and never run it. It starts its own on first use.
    global _pool, _lock
    _pool, _lock = None, threading.Lock()


def _new_pool_for_new_settings(*, setting: str, **kwargs: object) -> None:
    global _pool
    if setting not in {"PIXEL_THREADS", "PIXEL_THREAD_NICE"}:
        return
    with _lock:
        old, _pool = _pool, None
    if old is not None:
        # Jobs already queued still finish; new ones go to a new pool.
        old.shutdown(wait=False)


os.register_at_fork(after_in_child=_forget_pool_in_child)
setting_changed.connect(_new_pool_for_new_settings)


def run(function: Callable[[], _T]) -> _T:
    """``function()``, run on a pixel thread; its exception is raised here.

    Called from a pixel thread, it runs in place: a pixel thread waiting for
    another could otherwise leave none free to do the work.
    """
    if getattr(_on_pixel_thread, "active", False):
        return function()
    return _executor().submit(function).result()
