from __future__ import annotations

from django.urls import path

from realtime.consumers import FeedConsumer

websocket_urlpatterns = [
    path("ws/feed/", FeedConsumer.as_asgi()),
]
