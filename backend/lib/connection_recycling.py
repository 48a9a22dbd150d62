"""Keep-alive connections recycled, so worker processes share the load.

With ``WEB_CONCURRENCY`` above one, the uvicorn workers accept from one
shared socket: a connection goes to whichever worker's event loop accepts
it first, and stays there for as long as the client keeps it alive. Clients
that open their connections together (a proxy's pool, the phones behind one
gateway, the benchmark's eight clients) then often land mostly on one
worker, which runs at its GIL's limit while the other idles; measured with
eight keep-alive clients on two workers, 1280-px check-ins ran anywhere
between 100/s and 165/s from one run to the next, by how the connections
happened to split.

``RecycleConnections`` answers every ``every``-th request of a connection
with ``Connection: close``. The client opens a new connection for its next
request, and the worker that accepts it is most often the one whose event
loop is free first: the less loaded one. The connection is told at the end
of a response it was sent in full, so no request is lost or repeated; a
reconnect on loopback or a LAN costs far less than one check-in.
"""

from __future__ import annotations

from typing import Any

from backend.lib.admission import AsgiApp, Message, Receive, Scope, Send

# Connections whose requests are counted; the oldest is forgotten first
# (a connection that closed by itself is never seen again).
MAX_TRACKED = 10_000


class RecycleConnections:
    """Close each HTTP connection after ``every`` requests (0: never)."""

    def __init__(self, app: AsgiApp, every: int) -> None:
        self.app = app
        self.every = every
        # Requests so far per connection (its client address and port), in
        # the order the connections were last used.
        self._served: dict[tuple[Any, ...], int] = {}
        self.recycled = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or self.every <= 0 or not client:
            await self.app(scope, receive, send)
            return
        key = tuple(client)
        served = self._served.pop(key, 0) + 1
        if served < self.every:
            self._served[key] = served
            if len(self._served) > MAX_TRACKED:
                del self._served[next(iter(self._served))]
            await self.app(scope, receive, send)
            return
        self.recycled += 1

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", ())
                    if name.lower() != b"connection"
                ]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
