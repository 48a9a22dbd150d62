"""Who may open a page of the web app.

``area_required("employee" | "supervisor" | "auditor")`` wraps a view: an
anonymous visitor goes to the login page, a user who has not accepted the
current privacy notice goes to the notice, and a user without the area gets
403. Areas come from ``backend.accounts.selectors.web_areas``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from backend.accounts.privacy import consent_required
from backend.accounts.selectors import web_areas

View = Callable[..., HttpResponse]


def _redirect_with_next(name: str, request: HttpRequest) -> HttpResponseRedirect:
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(name)}?{query}")


def area_required(area: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return _redirect_with_next("web:login", request)
            if consent_required(request.user):
                return _redirect_with_next("web:privacy", request)
            if area not in web_areas(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
