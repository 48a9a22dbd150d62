from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mobile_api.views import attendance, auth, checkins

app_name = "mobile_api"

urlpatterns = [
    path("auth/token/", auth.LoginApi.as_view(), name="auth-token"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("me/", auth.MeApi.as_view(), name="me"),
    path("attendance/", attendance.AttendanceApi.as_view(), name="attendance"),
    path("checkins/", checkins.CheckInListCreateApi.as_view(), name="checkins"),
    path(
        "checkins/<int:pk>/", checkins.CheckInDetailApi.as_view(), name="checkin-detail"
    ),
    path(
        "checkins/<int:pk>/photo/",
        checkins.CheckInPhotoApi.as_view(),
        name="checkin-photo",
    ),
    path(
        "checkins/<int:pk>/thumbnail/",
        checkins.CheckInThumbnailApi.as_view(),
        name="checkin-thumbnail",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="mobile_api:schema"),
        name="docs",
    ),
]
