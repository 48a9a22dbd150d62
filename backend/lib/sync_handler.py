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
"""

from __future__ import annotations

from typing import Any

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler


class SyncChainASGIHandler(ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)
        self._middleware_chain: Any = sync_to_async(
            self._middleware_chain, thread_sensitive=True
        )


def get_sync_chain_asgi_application() -> SyncChainASGIHandler:
    """``django.core.asgi.get_asgi_application`` with the handler above."""
    django.setup(set_prefix=False)
    return SyncChainASGIHandler()
