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

_T = TypeVar("_T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_shape: tuple[int, int] | None = None
_on_pixel_thread = threading.local()


def _start_pixel_thread(nice: int) -> None:
    _on_pixel_thread.active = True
    if nice and sys.platform.startswith("linux"):
        # nice(2) changes the calling thread only, on Linux.
        os.nice(nice)


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_shape
    shape = (settings.PIXEL_THREADS or os.cpu_count() or 1, settings.PIXEL_THREAD_NICE)
    with _lock:
        if _pool is None or _pool_shape != shape:
            if _pool is not None:
                # Settings changed (tests): jobs already queued still finish.
                _pool.shutdown(wait=False)
            threads, nice = shape
            _pool = ThreadPoolExecutor(
                max_workers=threads,
                thread_name_prefix="pixels",
                initializer=_start_pixel_thread,
                initargs=(nice,),
            )
            _pool_shape = shape
        return _pool


def _forget_pool_in_child() -> None:
    # A forked child has none of the parent's threads: the pool it inherited
    # would take work and never run it. It starts its own on first use.
    global _pool, _pool_shape, _lock
    _pool, _pool_shape, _lock = None, None, threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_in_child)


def run(function: Callable[[], _T]) -> _T:
    """``function()``, run on a pixel thread; its exception is raised here.

    Called from a pixel thread, it runs in place: a pixel thread waiting for
    another could otherwise leave none free to do the work.
    """
    if getattr(_on_pixel_thread, "active", False):
        return function()
    return _executor().submit(function).result()
