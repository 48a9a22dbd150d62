"""Django's ``LocaleMiddleware``, without the path lookup Pantau never needs.

The stock middleware asks ``get_language_from_path`` twice per request
(request and response) even when the URLconf has no ``i18n_patterns``; for
a path such as ``/api/v1/checkins/`` that lookup fails with an exception
that nothing caches, a few percent of a check-in's CPU at the morning rush.
Pantau's URLs carry no language prefix: the language comes from the
``django_language`` cookie or ``Accept-Language`` (Indonesian by default).
With ``i18n_patterns`` in the URLconf this class behaves exactly as
Django's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers


def _prefixed(request: Any) -> bool:
    urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
    return bool(is_language_prefix_patterns_used(urlconf)[0])


class PathlessLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: Any) -> None:
        if _prefixed(request):
            super().process_request(request)
            return
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: Any, response: Any) -> Any:
        if _prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
