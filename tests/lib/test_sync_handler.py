"""The ASGI handler runs the middleware chain and the view in one hop."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest
from asgiref.sync import SyncToAsync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone

from backend.lib.sync_handler import RequestThreads, SyncChainASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def _token_for(user: Any) -> str:
    # Called through database_sync_to_async, which closes the connection
    # afterwards: one left open in asgiref's shared thread kept PostgreSQL
    # from dropping the test database when this module ran alone.
    from knox.models import AuthToken

    _instance, token = AuthToken.objects.create(user=user)
    return f"Token {token}"


def _count_hops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Thread ids of every sync call made from the event loop."""
    threads: list[int] = []
    real = SyncToAsync.__call__

    async def counted(self: SyncToAsync, *args: Any, **kwargs: Any) -> Any:
        def note_thread() -> None:
            threads.append(threading.get_ident())

        inner = self.func

        def wrapped(*a: Any, **k: Any) -> Any:
            note_thread()
            return inner(*a, **k)

        self.func = wrapped
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(SyncToAsync, "__call__", counted)
    return threads


def _http_scope(
    method: str, path: str, token: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"authorization", token.encode()),
            *headers,
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def _answer(communicator: ApplicationCommunicator) -> tuple[int, bytes]:
    """The status and whole body of the response, once the app is done."""
    start = await communicator.receive_output(20)
    body = b""
    while True:
        message = await communicator.receive_output(20)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(10)
    return start["status"], body


async def _get(application: Any, path: str, token: str = "") -> tuple[int, bytes]:
    communicator = ApplicationCommunicator(application, _http_scope("GET", path, token))
    await communicator.send_input({"type": "http.request", "body": b""})
    return await _answer(communicator)


async def _get_me(application: Any, token: str) -> tuple[int, dict[str, Any]]:
    status, body = await _get(application, "/api/v1/me/", token)
    return status, json.loads(body)


@pytest.mark.asyncio
async def test_a_request_crosses_to_its_thread_a_few_times_not_twenty(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await database_sync_to_async(_token_for)(org.alice.user)
    stock, ours = ASGIHandler(), SyncChainASGIHandler()

    stock_hops = _count_hops(monkeypatch)
    status, body = await _get_me(stock, token)
    assert status == 200
    monkeypatch.undo()

    our_hops = _count_hops(monkeypatch)
    our_status, our_body = await _get_me(ours, token)
    # The same answer, with one hand-off: the request started signal, the
    # whole chain and the response's close in one call.
    assert (our_status, our_body) == (status, body)
    assert len(our_hops) == 1 < 10 <= len(stock_hops)
    # All in the request's one thread, so its database connection is shared.
    assert len(set(our_hops)) == 1


@pytest.mark.asyncio
async def test_requests_reuse_an_idle_thread(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await database_sync_to_async(_token_for)(org.alice.user)
    handler = SyncChainASGIHandler()
    hops = _count_hops(monkeypatch)
    first_status, _body = await _get_me(handler, token)
    first = set(hops)
    hops.clear()
    second_status, _body = await _get_me(handler, token)
    assert (first_status, second_status) == (200, 200)
    # A WSGI-like thread per request in turn: the second request runs on the
    # first one's thread, so a kept database connection serves it too.
    assert set(hops) == first and len(first) == 1


def test_at_most_the_kept_number_of_idle_threads_stay() -> None:
    threads = RequestThreads(keep=2)
    lent = [threads.lend() for _ in range(4)]
    assert len({id(executor) for executor in lent}) == 4
    for executor in lent:
        threads.give_back(executor)
    again = [threads.lend(), threads.lend(), threads.lend()]
    assert {id(e) for e in again[:2]} <= {id(e) for e in lent[:2]}
    assert id(again[2]) not in {id(e) for e in lent}
    assert lent[3]._shutdown and lent[2]._shutdown


def _feeder(messages: list[dict[str, Any]]) -> Any:
    queue = list(messages)

    async def receive() -> dict[str, Any]:
        return queue.pop(0)

    return receive


@pytest.mark.asyncio
async def test_a_body_in_many_chunks_arrives_whole_in_memory(settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    parts = [bytes([i]) * 100 for i in range(10)]
    messages = [
        {"type": "http.request", "body": part, "more_body": True} for part in parts
    ]
    messages.append({"type": "http.request", "body": b"", "more_body": False})
    body = await SyncChainASGIHandler().read_body(_feeder(messages))
    assert body.read() == b"".join(parts)
    assert isinstance(body, io.BytesIO)


@pytest.mark.asyncio
async def test_a_body_beyond_the_memory_limit_goes_to_disk(settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000
    parts = [bytes([i]) * 400 for i in range(6)]
    messages = [
        {"type": "http.request", "body": part, "more_body": i < 5}
        for i, part in enumerate(parts)
    ]
    body = await SyncChainASGIHandler().read_body(_feeder(messages))
    assert not isinstance(body, io.BytesIO)
    assert body.fileno() >= 0  # a real file
    assert body.read() == b"".join(parts)
    body.close()


@pytest.mark.asyncio
async def test_a_disconnect_mid_body_aborts_the_request(settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    messages = [
        {"type": "http.request", "body": b"x" * 50, "more_body": True},
        {"type": "http.disconnect"},
    ]
    with pytest.raises(RequestAborted):
        await SyncChainASGIHandler().read_body(_feeder(messages))


@pytest.mark.asyncio
async def test_a_multipart_checkin_posted_in_small_chunks_is_created(
    org: Any, settings: Any
) -> None:
    from tests.api.test_checkins_api import payload

    token = await database_sync_to_async(_token_for)(org.alice.user)
    fields = payload(captured_at=timezone.now().isoformat())
    raw = encode_multipart(BOUNDARY, fields)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 4096  # the photo spills to disk
    scope = _http_scope(
        "POST",
        "/api/v1/checkins/",
        token,
        (
            (b"content-type", MULTIPART_CONTENT.encode()),
            (b"content-length", str(len(raw)).encode()),
        ),
    )
    communicator = ApplicationCommunicator(SyncChainASGIHandler(), scope)
    step = 1000
    for start in range(0, len(raw), step):
        await communicator.send_input(
            {
                "type": "http.request",
                "body": raw[start : start + step],
                "more_body": start + step < len(raw),
            }
        )
    status, body = await _answer(communicator)
    assert status == 201, body
    assert json.loads(body)["kind"] == "in"


# --- request_started, request_finished and the response's close ------------
#
# These tests route through the small URLconf below: a complete response, a
# streaming one that records when it is consumed and closed, and a 404.

_events: list[tuple[str, int]] = []


def _complete(request: Any) -> Any:
    from django.http import HttpResponse

    _events.append(("view", threading.get_ident()))
    return HttpResponse(b"done")


class _Stream:
    """A streaming response's content that notes its reading and close."""

    def __iter__(self) -> Any:
        for chunk in (b"one ", b"two"):
            _events.append(("chunk", threading.get_ident()))
            yield chunk

    def close(self) -> None:
        _events.append(("stream closed", threading.get_ident()))


def _streaming(request: Any) -> Any:
    from django.http import StreamingHttpResponse

    _events.append(("view", threading.get_ident()))
    return StreamingHttpResponse(_Stream())


def _urls() -> list[Any]:
    from django.urls import path

    return [path("complete/", _complete), path("streaming/", _streaming)]


urlpatterns = _urls()


@pytest.fixture
def signal_log(settings: Any) -> Any:
    from django.core import signals

    settings.ROOT_URLCONF = __name__
    _events.clear()

    def noting(name: str) -> Any:
        def receiver(**kwargs: Any) -> None:
            _events.append((name, threading.get_ident()))

        return receiver

    started, finished = noting("started"), noting("finished")
    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield _events
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


@pytest.mark.asyncio
async def test_a_complete_response_starts_and_finishes_in_the_request_thread(
    signal_log: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = _count_hops(monkeypatch)
    status, body = await _get(SyncChainASGIHandler(), "/complete/")
    assert (status, body) == (200, b"done")
    # Each signal once, around the view, all on the request's one thread.
    assert [name for name, _thread in signal_log] == ["started", "view", "finished"]
    assert {thread for _name, thread in signal_log} == set(hops)
    assert len(hops) == 1


@pytest.mark.asyncio
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous")
async def test_a_streaming_response_is_closed_after_it_was_sent(
    signal_log: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = _count_hops(monkeypatch)
    status, body = await _get(SyncChainASGIHandler(), "/streaming/")
    assert (status, body) == (200, b"one two")
    names = [name for name, _thread in signal_log]
    # The content is read to be sent (Django reads a synchronous iterator on
    # a hop of its own), and only then closed, which finishes the request,
    # on one more hop; all in the request's thread.
    assert names == [
        "started",
        "view",
        "chunk",
        "chunk",
        "stream closed",
        "finished",
    ]
    assert len(hops) == 3 and len(set(hops)) == 1


@pytest.mark.asyncio
async def test_an_error_answer_is_logged_once_and_finished(
    signal_log: list[tuple[str, int]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="django.request"):
        status, _body = await _get(SyncChainASGIHandler(), "/nowhere/")
    assert status == 404
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in logged] == ["Not Found: /nowhere/"]
    assert [name for name, _thread in signal_log] == ["started", "finished"]


@pytest.mark.asyncio
async def test_a_request_django_cannot_build_still_starts_and_finishes(
    signal_log: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.http import HttpResponseBadRequest

    # What create_request answers for a request it cannot decode.
    monkeypatch.setattr(
        SyncChainASGIHandler,
        "create_request",
        lambda self, scope, body: (None, HttpResponseBadRequest()),
    )
    status, _body = await _get(SyncChainASGIHandler(), "/complete/")
    assert status == 400
    assert [name for name, _thread in signal_log] == ["started", "finished"]
