"""The language of a request: cookie, then Accept-Language, then Indonesian."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils import translation

from backend.lib.locale_middleware import PathlessLocaleMiddleware


def test_the_default_is_indonesian(client: Client) -> None:
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "id"
    assert "Accept-Language" in response.headers["Vary"]


def test_accept_language_picks_english(client: Client) -> None:
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "en"
    assert "credentials" in response.json()["message"].lower()


def test_the_language_cookie_wins_over_the_header(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.headers["Content-Language"] == "en"


def test_a_path_that_looks_like_a_language_does_not_choose_it(client: Client) -> None:
    # Without i18n_patterns a leading /en/ is an ordinary path segment.
    response = client.get("/en/api/v1/me/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.headers["Content-Language"] == "id"


def test_the_path_is_not_looked_at_without_i18n_patterns(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked: list[str] = []

    def looking(path: str) -> None:
        looked.append(path)

    monkeypatch.setattr(translation, "get_language_from_path", looking)
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "en"
    assert looked == []


def _probe(request: HttpRequest) -> HttpResponse:
    return HttpResponse(translation.get_language())


# This module is also the URLconf of the test below that marks it so.
urlpatterns = i18n_patterns(path("probe/", _probe))


@pytest.mark.urls("tests.lib.test_locale_middleware")
def test_with_i18n_patterns_it_behaves_as_djangos(client: Client) -> None:
    response = client.get("/en/probe/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.content == b"en"
    assert response.headers["Content-Language"] == "en"


def test_it_is_the_installed_locale_middleware() -> None:
    dotted = (
        f"{PathlessLocaleMiddleware.__module__}.{PathlessLocaleMiddleware.__name__}"
    )
    assert dotted in settings.MIDDLEWARE
    assert "django.middleware.locale.LocaleMiddleware" not in settings.MIDDLEWARE
