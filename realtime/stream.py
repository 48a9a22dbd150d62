"""One socket's feed: the summary, the replay after a gap, then live events,
all sent by a single writer task, in id order, nothing skipped.

The stream keeps a cursor (the newest event id it has dealt with) instead of
a queue of messages: a doorbell only wakes the writer, which sends what the
outbox holds after the cursor and the viewer may see. So memory per socket
is bounded whatever happens, nothing is sent twice (unless the client asks
for a replay again), and a slow client only falls behind: it catches up from
the process's memory, or from the database when it is far behind. A client
that does not take a message within ``SEND_TIMEOUT_S`` is dropped (closed
with 4408); the other sockets never wait for it, as each has its own writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from channels.db import database_sync_to_async
from django.utils import translation
from django.utils.translation import gettext as _

from backend.activity import selectors
from backend.activity.audience import can_see, flag_names
from backend.activity.models import ActivityEvent
from backend.attendance.flags import Names
from backend.organization.visibility import Viewer, forget_viewer, viewer_for
from realtime import messages, outbox

logger = logging.getLogger(__name__)

SEND_TIMEOUT_S = 10.0
RETRY_S = 1.0

_replay = database_sync_to_async(selectors.events_visible_to, thread_sensitive=False)
_summary = database_sync_to_async(selectors.team_summary, thread_sensitive=False)


def _fresh_viewer(user: Any) -> Viewer:
    forget_viewer(user)  # the replay and the summary then use the new one
    return viewer_for(user)


_reload_viewer = database_sync_to_async(_fresh_viewer, thread_sensitive=False)

SendText = Callable[[str], Awaitable[None]]
ViewerChanged = Callable[[Viewer], Awaitable[None]]


class TooSlow(Exception):
    """The client did not take a message within SEND_TIMEOUT_S."""


class FeedStream:
    def __init__(
        self,
        *,
        user: Any,
        viewer: Viewer,
        send_text: SendText,
        language: str,
        base_url: str = "",
    ) -> None:
        self.user = user
        self.viewer = viewer
        # Every event with an id up to here was sent or is not for this viewer.
        self.cursor = 0
        self._send_text = send_text
        self._language = language
        self._base_url = base_url
        self._reader = outbox.reader()
        self._wakeup = asyncio.Event()
        self._target = 0
        self._fresh_read = False
        self._rewind: int | None = None
        self._summary_wanted = False
        self._notices: list[dict[str, Any]] = []
        self._on_stall: Callable[[], None] = lambda: None
        self._viewer_stale = False
        self._on_viewer: ViewerChanged | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(
        self,
        *,
        after: int | None,
        on_stall: Callable[[], None],
        on_viewer: ViewerChanged | None = None,
    ) -> None:
        """Begin with the summary, then the events after ``after`` (when
        given), then live events. Join the channel groups first, so no
        doorbell falls between the two. ``on_viewer`` is awaited with the
        new viewer after ``reload_viewer`` (to join its channel groups)."""
        self.cursor = await self._reader.attach(self)
        self._rewind = after
        self._summary_wanted = True
        self._on_stall = on_stall
        self._on_viewer = on_viewer
        self._task = asyncio.create_task(self._run())
        self.wake()

    async def stop(self) -> None:
        self._reader.detach(self)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def wake(self, event_id: int | None = None) -> None:
        """A doorbell: event ``event_id`` (or something) is there to read."""
        if event_id is not None and event_id > self._target:
            self._target = event_id
        self._wakeup.set()

    def ring(self, event_id: int | None) -> None:
        """A doorbell for event ``event_id``; None when the event's id was
        not known as it was announced (PostgreSQL numbers events at
        commit): the next catch-up then reads what committed since."""
        if event_id is None:
            self._fresh_read = True
            self._wakeup.set()
        else:
            self.wake(event_id)

    def rewind(self, after: int) -> None:
        """Send every event after ``after`` again (a client's resume)."""
        self._rewind = after
        self.wake()

    def reload_viewer(self) -> None:
        """The user's roles or place in the hierarchy changed: read the
        viewer again before sending anything more."""
        self._viewer_stale = True
        self.wake()

    def request_summary(self) -> None:
        self._summary_wanted = True
        self.wake()

    def notice(self, message: dict[str, Any]) -> None:
        """Queue a message (an error reply) for the writer to send."""
        self._notices.append(message)
        self.wake()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            try:
                await self._step()
            except TooSlow:
                logger.info("feed: dropping a client that stopped reading")
                self._reader.detach(self)
                self._on_stall()
                return
            except OSError:
                return  # the client is gone; disconnect() cleans up
            except Exception:
                logger.warning("feed: step failed, retrying", exc_info=True)
                await asyncio.sleep(RETRY_S)
                self._wakeup.set()

    async def _step(self) -> None:
        if self._viewer_stale:
            self._viewer_stale = False
            try:
                self.viewer = await _reload_viewer(self.user)
            except Exception:
                self._viewer_stale = True
                raise
            # Events that committed while the socket was joining its new
            # groups rang no doorbell here: read what committed since.
            self._fresh_read = True
            if self._on_viewer is not None:
                await self._on_viewer(self.viewer)
        while self._notices:
            await self._send(self._notices.pop(0))
        if self._summary_wanted:
            self._summary_wanted = False
            try:
                summary = await _summary(self.user)
            except Exception:
                self._summary_wanted = True
                raise
            await self._send(messages.summary_message(summary))
        if self._rewind is not None:
            after, self._rewind = self._rewind, None
            try:
                await self._replay(after)
            except Exception:
                if self._rewind is None:
                    self._rewind = after
                raise
        await self._catch_up()

    async def _replay(self, after: int) -> None:
        await self._reader.advance()
        upto = self._reader.head
        replay = await _replay(self.user, after=after, upto=upto)
        if replay.truncated:
            with translation.override(self._language):
                text = _(
                    "Some events after %(after)d are no longer available (the "
                    "feed replays at most the last %(events)d events of the last "
                    "%(hours)d hours); reload to see the current state."
                ) % {
                    "after": after,
                    "events": selectors.REPLAY_MAX_EVENTS,
                    "hours": int(selectors.REPLAY_MAX_AGE.total_seconds() // 3600),
                }
            await self._send(messages.truncated_message(after, text))
        for event in replay.events:
            await self._send_event(event)
        self.cursor = upto

    async def _catch_up(self) -> None:
        if self._fresh_read:
            self._fresh_read = False
            try:
                await self._reader.advance()
            except Exception:
                self._fresh_read = True
                raise
        elif self._target > self._reader.head:
            await self._reader.advance(self._target)
        found = self._reader.since(self.cursor)
        if found is None:
            # Further behind than this process remembers.
            await self._replay(self.cursor)
            return
        events, head = found
        for event in events:
            if self._viewer_stale:
                # Decide the rest with the new viewer (next step).
                self._wakeup.set()
                return
            if can_see(self.viewer, event):
                await self._send_event(event)
            self.cursor = event.pk
        self.cursor = max(self.cursor, head)

    async def _send_event(self, event: ActivityEvent) -> None:
        # Rendered once per process for all sockets with this language and
        # host: a fan-out to 1,000 sockets renders it once, not 1,000 times.
        # The employee the event is about gets their own rendering, whose
        # flags do not name the other employees involved; others one per set
        # of named employees they may see (almost always all or none).
        subject = event.employee_id == self.viewer.employee_id
        names = Names() if subject else flag_names(self.viewer, event)
        key = (self._language, self._base_url, subject, names)
        await self._send_raw(
            self._reader.text(
                event, key, partial(self._render, for_subject=subject, names=names)
            )
        )

    def _render(self, event: ActivityEvent, *, for_subject: bool, names: Names) -> str:
        with translation.override(self._language):
            try:
                message = messages.event_message(
                    event, base_url=self._base_url, for_subject=for_subject, names=names
                )
            except Exception:
                # One malformed row must not block the socket for good.
                logger.exception("feed: cannot render event %s", event.pk)
                message = messages.event_message(
                    event, raw=True, for_subject=for_subject, names=names
                )
        return json.dumps(message)

    async def _send(self, message: dict[str, Any]) -> None:
        await self._send_raw(json.dumps(message))

    async def _send_raw(self, text: str) -> None:
        try:
            await asyncio.wait_for(self._send_text(text), SEND_TIMEOUT_S)
        except TimeoutError:
            raise TooSlow from None
