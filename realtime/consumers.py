"""``ws://HOST/ws/feed/``: the live activity feed (contract: docs/realtime.md).

The consumer authorizes in ``connect()`` and hands the socket to a
``FeedStream`` (realtime.stream), which does all the sending. Channel-layer
messages are doorbells named after the event type (``checkin.created`` is
handled by ``checkin_created``); client messages are ``resume`` and
``summary``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_supported_language_variant, override
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header

from backend.organization.visibility import Viewer, viewer_for
from realtime import messages
from realtime.auth import query_params
from realtime.groups import credential_group, user_group, viewer_groups
from realtime.stream import FeedStream

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_TOO_SLOW = 4408
LAYER_TIMEOUT_S = 2.0

_viewer_for = database_sync_to_async(viewer_for, thread_sensitive=False)


class FeedConsumer(AsyncJsonWebsocketConsumer):
    stream: FeedStream | None = None
    feed_groups: list[str]
    # The groups that do not depend on what the user may see.
    own_groups: list[str]

    async def connect(self) -> None:
        self.feed_groups = []
        self.own_groups = []
        self.language = language_of(self.scope)
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close: a client sees the 4401 and knows to log in
            # again, where a refused handshake looks like a network error.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        viewer = await _viewer_for(user)
        # A change of the user's roles or place in the hierarchy makes this
        # socket re-read its viewer (viewer_changed); deleting the token, or
        # logging out of the browser session, closes it (session_revoked).
        self.own_groups = [user_group(user.pk)]
        session = self.scope.get("session")
        revocable = credential_group(
            self.scope.get("token_digest"),
            session.session_key if session is not None else None,
        )
        if revocable is not None:
            self.own_groups.append(revocable)
        self.feed_groups = viewer_groups(viewer) + self.own_groups
        for group in self.feed_groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.stream = FeedStream(
            user=user,
            viewer=viewer,
            send_text=self._send_text,
            language=self.language,
            base_url=base_url_of(self.scope),
        )
        after, problem = _after_param(query_params(self.scope).get("after", []))
        await self.stream.start(
            after=after, on_stall=self._drop, on_viewer=self._regroup
        )
        if problem:
            self._say_error("bad_after", problem)

    async def disconnect(self, code: int) -> None:
        if self.stream is not None:
            await self.stream.stop()
            self.stream = None
        for group in self.feed_groups:
            try:
                async with asyncio.timeout(LAYER_TIMEOUT_S):
                    await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # Redis down: the subscription dies with the socket
                logger.debug("feed: group_discard %s failed", group, exc_info=True)

    async def receive(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        **kwargs: Any,
    ) -> None:
        if self.stream is None:
            return
        try:
            content = json.loads(text_data or "")
        except ValueError:
            self._say_error("bad_message", _("Send JSON objects."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.stream is None:
            return
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "resume":
            after, problem = _after_param([content.get("after")])
            if after is None:
                self._say_error("bad_after", problem or _("Give the last id seen."))
            else:
                self.stream.rewind(after)
        elif kind == "summary":
            self.stream.request_summary()
        else:
            self._say_error(
                "bad_message",
                _(
                    'Unknown message; send {"type": "resume", "after": <id>} or '
                    '{"type": "summary"}.'
                ),
            )

    async def dispatch(self, message: dict[str, Any]) -> None:
        # AsyncConsumer.dispatch first closes stale database connections in
        # the thread of Django's sync views, for every message: each doorbell
        # of a 1,000-socket fan-out would queue behind the check-in upload
        # running there. This consumer reaches the database only through
        # database_sync_to_async, which does that cleanup itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is not None:
            await handler(message)
        elif "id" in message:
            # A doorbell of an event type this consumer does not name yet:
            # still a doorbell (what is sent comes from the outbox), and it
            # must not close every socket that hears it.
            logger.warning("feed: no handler for %s; ringing anyway", message["type"])
            self._ring(message)
        else:
            raise ValueError(f"No handler for message type {message['type']}")

    # Doorbells from realtime.publish, one handler per event type
    # (ActivityEvent.Type). They only wake the stream, which reads the event.

    async def checkin_created(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def checkin_flagged(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def checkin_reviewed(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def report_submitted(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def report_reviewed(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def flex_requested(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def flex_decided(self, message: dict[str, Any]) -> None:
        self._ring(message)

    async def session_revoked(self, message: dict[str, Any]) -> None:
        """The socket's token was deleted or its session logged out: the
        client must log in again."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def viewer_changed(self, message: dict[str, Any]) -> None:
        """The user's roles or place in the hierarchy changed: the stream
        re-reads the viewer before it sends anything more."""
        if self.stream is not None:
            self.stream.reload_viewer()

    async def _regroup(self, viewer: Viewer) -> None:
        """Join the groups of the new ``viewer``, leave the others."""
        wanted = viewer_groups(viewer) + self.own_groups
        joined, left = (
            [g for g in wanted if g not in self.feed_groups],
            [g for g in self.feed_groups if g not in wanted],
        )
        self.feed_groups = wanted
        for group in joined:
            try:
                async with asyncio.timeout(LAYER_TIMEOUT_S):
                    await self.channel_layer.group_add(group, self.channel_name)
            except Exception:  # Redis down: the outbox sweep still delivers
                logger.warning("feed: group_add %s failed", group, exc_info=True)
        for group in left:
            try:
                async with asyncio.timeout(LAYER_TIMEOUT_S):
                    await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # a stale membership only rings for nothing
                logger.debug("feed: group_discard %s failed", group, exc_info=True)

    async def _send_text(self, text: str) -> None:
        await self.send(text_data=text)

    def _ring(self, message: dict[str, Any]) -> None:
        if self.stream is not None:
            event_id = message.get("id")
            self.stream.ring(None if event_id is None else int(event_id))

    def _say_error(self, code: str, text: Promise | str) -> None:
        if self.stream is not None:
            with override(self.language):
                self.stream.notice(messages.error_message(code, str(text)))

    def _drop(self) -> None:
        """The client stopped reading: close it without waiting for it."""
        self.stream = None

        async def close() -> None:
            with contextlib.suppress(Exception):
                await self.close(code=CLOSE_TOO_SLOW)

        task = asyncio.get_running_loop().create_task(close())
        _background.add(task)
        task.add_done_callback(_background.discard)


# Strong references to fire-and-forget tasks (asyncio keeps only weak ones).
_background: set[asyncio.Task[None]] = set()


def _after_param(values: list[Any]) -> tuple[int | None, Promise | str]:
    """The ``after`` id a client gave, or None with what is wrong with it."""
    if not values or values[0] in (None, ""):
        return None, ""
    value = values[0]
    try:
        after = int(value)
    except (TypeError, ValueError):
        after = -1
    if isinstance(value, bool) or after < 0:
        return None, _("'after' must be the id of the last event seen (0 or more).")
    return after, ""


def language_of(scope: dict[str, Any]) -> str:
    """The socket's language, from Accept-Language (browsers send it)."""
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            for code, _quality in parse_accept_lang_header(value.decode("latin-1")):
                if code == "*":
                    break
                with contextlib.suppress(LookupError):
                    return get_supported_language_variant(code)
    return str(settings.LANGUAGE_CODE)


def base_url_of(scope: dict[str, Any]) -> str:
    """``https://host`` for links in messages ("" when the host is unknown)."""
    for name, value in scope.get("headers", []):
        if name == b"host":
            scheme = "https" if scope.get("scheme") == "wss" else "http"
            return f"{scheme}://{value.decode('latin-1')}"
    return ""
