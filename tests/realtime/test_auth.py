"""Who may open the feed: API tokens (header or query), or a browser session
from an allowed Origin. Everyone else is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from knox.models import AuthToken

from backend.asgi import application
from tests.realtime.conftest import WebsocketCommunicator, feed, token_for

pytestmark = pytest.mark.django_db(transaction=True)


async def refused_with(path: str, headers: list[tuple[bytes, bytes]]) -> Any:
    """The close code of a socket the server accepted then closed, or
    "rejected" for a refused handshake."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, _code = await communicator.connect(timeout=5)
        if not connected:
            return "rejected"
        output = await communicator.receive_output(timeout=5)
        assert output["type"] == "websocket.close", output
        return output["code"]
    finally:
        await communicator.disconnect()


async def test_a_socket_without_credentials_is_closed_with_4401(org: Any) -> None:
    assert await refused_with("/ws/feed/", []) == 4401


async def test_a_bad_token_is_refused(org: Any) -> None:
    assert await refused_with("/ws/feed/?token=nonsense", []) == 4401
    headers = [(b"authorization", b"Token 0123456789abcdef0123456789abcdef")]
    assert await refused_with("/ws/feed/", headers) == 4401


async def test_an_expired_token_is_refused(org: Any) -> None:
    @database_sync_to_async
    def expired_token() -> str:
        _instance, token = AuthToken.objects.create(
            user=org.bob.user, expiry=dt.timedelta(seconds=-1)
        )
        return str(token)

    token = await expired_token()
    assert await refused_with(f"/ws/feed/?token={token}", []) == 4401


async def test_an_inactive_users_token_is_refused(org: Any) -> None:
    token = await token_for(org.bob.user)

    @database_sync_to_async
    def deactivate() -> None:
        org.bob.user.is_active = False
        org.bob.user.save(update_fields=["is_active"])

    await deactivate()
    assert await refused_with(f"/ws/feed/?token={token}", []) == 4401


async def test_a_token_in_the_header_opens_the_feed_without_origin(org: Any) -> None:
    async with feed(org.bob.user) as socket:
        assert await socket.receive_nothing(0.1)


async def test_a_token_in_the_query_opens_the_feed(org: Any) -> None:
    token = await token_for(org.bob.user)
    async with feed(query=f"token={token}") as socket:
        assert await socket.receive_nothing(0.1)


@database_sync_to_async
def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def test_a_browser_session_from_an_allowed_origin_opens_the_feed(
    org: Any,
) -> None:
    cookie = await session_cookie(org.bob.user)
    headers = [(b"cookie", cookie), (b"origin", b"http://localhost:8000")]
    async with feed(headers=headers) as socket:
        assert await socket.receive_nothing(0.1)


async def test_a_browser_session_from_another_site_is_rejected(org: Any) -> None:
    cookie = await session_cookie(org.bob.user)
    headers = [(b"cookie", cookie), (b"origin", b"https://evil.example")]
    assert await refused_with("/ws/feed/", headers) == "rejected"


async def test_a_session_without_origin_is_rejected(org: Any) -> None:
    cookie = await session_cookie(org.bob.user)
    assert await refused_with("/ws/feed/", [(b"cookie", cookie)]) == "rejected"


async def test_no_session_from_an_allowed_origin_is_closed_with_4401(
    org: Any,
) -> None:
    headers = [(b"origin", b"http://localhost:8000")]
    assert await refused_with("/ws/feed/", headers) == 4401


async def test_deleting_the_token_closes_its_open_sockets(org: Any) -> None:
    kept = await token_for(org.bob.user)
    revoked = await token_for(org.bob.user)
    async with (
        feed(query=f"token={kept}") as stays,
        feed(query=f"token={revoked}") as goes,
    ):

        @database_sync_to_async
        def log_out() -> None:
            # What POST /api/v1/auth/logout/ does: delete the request's token.
            [instance] = [
                t
                for t in AuthToken.objects.filter(user=org.bob.user)
                if str(revoked).startswith(t.token_key)
            ]
            instance.delete()

        await log_out()
        closed = await goes.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4401}
        # The user's other token keeps its socket.
        assert await stays.receive_nothing(0.3)


async def test_logout_through_the_api_closes_the_socket(org: Any) -> None:
    token = await token_for(org.alice.user)
    async with feed(query=f"token={token}") as socket:

        @database_sync_to_async
        def log_out() -> int:
            client = Client(HTTP_AUTHORIZATION=f"Token {token}")
            return client.post("/api/v1/auth/logout/").status_code

        assert await log_out() == 204
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4401}


async def test_logging_out_of_the_browser_closes_the_sessions_socket(
    org: Any,
) -> None:
    browser = Client()

    @database_sync_to_async
    def log_in() -> bytes:
        browser.force_login(org.bob.user)
        return f"sessionid={browser.cookies['sessionid'].value}".encode()

    @database_sync_to_async
    def log_out() -> int:
        return browser.post("/keluar/").status_code

    cookie = await log_in()
    other = await session_cookie(org.bob.user)
    origin = (b"origin", b"http://localhost:8000")
    async with (
        feed(headers=[(b"cookie", cookie), origin]) as socket,
        feed(headers=[(b"cookie", other), origin]) as elsewhere,
    ):
        assert await log_out() == 302
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4401}
        # The same user's session on another browser stays.
        assert await elsewhere.receive_nothing(0.3)
