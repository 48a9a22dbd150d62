from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mobile_api.views import auth

app_name = "mobile_api"

urlpatterns = [
    path("auth/token/", auth.LoginApi.as_view(), name="auth-token"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("me/", auth.MeApi.as_view(), name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="mobile_api:schema"),
        name="docs",
    ),
]
