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

That one call also does what the stock handler crossed over for twice
more: it sends ``request_started`` before the chain, and a response that
is complete when the chain returns it (anything but a streaming response)
is closed right there, which sends ``request_finished``, instead of from
the event loop after sending. A request is then one hand-off each way
instead of three, and each hand-off wakes a sleeping thread: at eight
concurrent check-ins, about 5 % more small check-ins per second on one
worker. A streaming response (a photo file) is still closed after it has
been sent, on a hop of its own, as Django does.

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

import asyncio
import contextlib
import io
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import HttpRequest, HttpResponseBase
from django.urls import set_script_prefix

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
        self._serve_in_thread = sync_to_async(self._serve, thread_sensitive=True)

    def _serve(self, request: HttpRequest) -> HttpResponseBase:
        """A request's whole synchronous part, in its thread: what the WSGI
        handler does between a request's start and its finish."""
        # request.scope: an ASGIRequest's, as the stock handler sends it.
        signals.request_started.send(
            sender=self.__class__, scope=getattr(request, "scope", None)
        )
        # BaseHandler.get_response: the URLconf, the chain, the request's
        # files closed with the response, and 4xx/5xx answers logged.
        response = self.get_response(request)
        # close() names it as request_finished's sender (run_get_response
        # sets it too, but only after this returns).
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if not response.streaming:
            # Its content is all there: sending does not need it open.
            response.close()
        return response

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await self._serve_in_thread(request)

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        """Django 5.2's ``ASGIHandler.handle``, except that
        ``request_started`` and the close of a complete response happen in
        ``_serve``, in the request's thread."""
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        request, error_response = self.create_request(scope, body_file)
        if request is None:
            body_file.close()
            await signals.request_started.asend(sender=self.__class__, scope=scope)
            if error_response is not None:  # always, when there is no request
                await self.send_response(error_response, send)
                await sync_to_async(error_response.close)()
            return

        async def process_request(request: HttpRequest, send: Any) -> Any:
            response = await self.run_get_response(request)
            # Cancelled: the client disconnected while the answer was sent.
            with contextlib.suppress(asyncio.CancelledError):
                await self.send_response(response, send)
            return response

        # The disconnect listener first: it must not raise anything that
        # would keep process_request from being cancelled.
        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request(request, send)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            if task.done():
                try:
                    task.result()
                except RequestAborted:
                    pass
                except AssertionError:
                    body_file.close()
                    raise
            else:
                # Views may handle the cancellation.
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        try:
            response = tasks[1].result()
        except asyncio.CancelledError:
            await signals.request_finished.asend(sender=self.__class__)
        else:
            if response.streaming:
                await sync_to_async(response.close)()
        body_file.close()


def get_sync_chain_asgi_application() -> SyncChainASGIHandler:
    """``django.core.asgi.get_asgi_application`` with the handler above."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
