"""ASGI entry point: HTTP through Django (behind the admission limit,
backend/lib/admission.py, with the middleware chain run as one sync call,
backend/lib/sync_handler.py), WebSockets through realtime/."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

from backend.lib.sync_handler import get_sync_chain_asgi_application

django_application = get_sync_chain_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from backend.lib.admission import AdmissionLimit  # noqa: E402
from realtime.auth import feed_auth  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": AdmissionLimit(django_application, settings.WEB_MAX_IN_FLIGHT),
        "websocket": feed_auth(URLRouter(websocket_urlpatterns)),
    }
)

from backend.lib.gc_tuning import settle_heap  # noqa: E402

settle_heap(settings.WEB_GC_THRESHOLD)
