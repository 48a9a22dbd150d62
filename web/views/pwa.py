"""The installable app: web manifest, service worker (served from the root
so its scope covers every page) and the page shown when offline."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Files the service worker keeps so the check-in page opens without network.
SHELL_STATIC = (
    "web/css/pantau.css",
    "web/js/app.js",
    "web/js/checkin.js",
    "web/js/queue.js",
    "web/icons/icon-192.png",
)


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("Pantau attendance"),
        "short_name": "Pantau",
        "description": _("Check in with location and photo, report your work."),
        "start_url": reverse("web:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {
                "src": static(f"web/icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ]
        + [
            {
                "src": static("web/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            }
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False),
        content_type="application/manifest+json; charset=utf-8",
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "web/sw.js",
        {
            "shell": json.dumps(
                [reverse("web:checkin"), reverse("web:offline")]
                + [static(path) for path in SHELL_STATIC]
            ),
            "offline_url": json.dumps(reverse("web:offline")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    # The browser checks for a new worker on every navigation; never serve a
    # stale one from a cache.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "web/offline.html")
