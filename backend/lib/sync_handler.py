"""Django's ASGI handler with the middleware chain run as one sync call.

Every Pantau view is synchronous (DRF and the web pages), and so is
WhiteNoise. Django's stock ASGI handler builds the middleware chain for
async wherever a middleware allows it, so a request crossed between the
event loop and a worker thread at WhiteNoise, at each ``process_request``
and ``process_response`` of the middlewares below it, at each
``process_view`` and at the view itself: about twenty thread hand-offs per
request, a large part of what a request cost.

``SyncChainASGIHandler`` builds the chain exactly as the WSGI handler
does (all sync, same order, same behaviour) and runs it with one
``sync_to_async`` call, in the request's own thread as before (thread
sensitive, so database connections stay per request thread).

The stock handler also started a new thread for every request and ended
it afterwards, so no database connection outlived its request. Here a
request borrows an idle thread (asgiref's ``ThreadSensitiveContext``
with a caller-owned executor) and returns it when done, as a WSGI server
reuses its threads: a connection kept by ``CONN_MAX_AGE`` serves the
thread's next request, with Django's usual checks at each request's start
and end.

The body is read as the stock handler reads it, with one change of
bookkeeping: chunks are kept in a list and joined once, instead of appended
to a growing in-memory file (a tenth of the event loop's CPU at the morning
rush went to those appends); past ``FILE_UPLOAD_MAX_MEMORY_SIZE`` the body
goes to a temporary file on disk, as before.
"""

from __future__ import annotations

import io
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler

# Idle request threads kept for reuse; more run at a peak, and end after it.
KEEP_IDLE_THREADS = 32


class RequestThreads:
    """Single-thread executors, one lent to each request in progress."""

    def __init__(self, keep: int = KEEP_IDLE_THREADS) -> None:
        self._idle: list[ThreadPoolExecutor] = []
        self._keep = keep
        self._lock = threading.Lock()

    def lend(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(executor)
                return
        executor.shutdown(wait=False)


class SyncChainASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.threads = RequestThreads()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(
                f"Django can only handle ASGI/HTTP connections, not {scope['type']}."
            )
        executor = self.threads.lend()
        try:
            # Every sync call of the request runs on the lent thread; the
            # handler waits for all of them before it returns.
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(executor)

    async def read_body(self, receive: Any) -> Any:
        """The request body as a file: in memory up to
        ``FILE_UPLOAD_MAX_MEMORY_SIZE``, on disk beyond it."""
        limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
        chunks: list[bytes] = []
        size = 0
        spilled: Any = None
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if spilled is not None:
                    spilled.close()
                # Early client disconnect.
                raise RequestAborted()
            chunk = message.get("body", b"")
            if chunk:
                if spilled is not None:
                    spilled.write(chunk)
                else:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > limit:
                        # Handed to the request, which closes it.
                        spilled = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115
                        spilled.writelines(chunks)
                        chunks = []
            if not message.get("more_body", False):
                break
        body = spilled if spilled is not None else io.BytesIO(b"".join(chunks))
        body.seek(0)
        return body

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain: Any = sync_to_async(
            self._middleware_chain, thread_sensitive=True
        )


def get_sync_chain_asgi_application() -> SyncChainASGIHandler:
    """``django.core.asgi.get_asgi_application`` with the handler above."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
