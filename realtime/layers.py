"""The in-memory channel layer of the embedded deployment, made O(1) per
message.

channels' ``InMemoryChannelLayer`` sweeps every queue and every group
membership for expired entries on each ``receive`` and ``group_send``. Each
of N sockets receives the doorbell of an event, so one event costs N sweeps
of N entries: with 1,000 sockets about 300 ms of the event loop on the
development machine, before the first socket is sent anything. This layer
runs that sweep at most once a second, which keeps its purpose (messages
expire after a minute, memberships after a day) at a constant cost.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as _InMemoryChannelLayer

SWEEP_INTERVAL_S = 1.0


class InMemoryChannelLayer(_InMemoryChannelLayer):
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_INTERVAL_S:
            return
        self._swept_at = now
        super()._clean_expired()
