from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from mobile_api import errors

admin.site.site_header = _("Pantau administration")
admin.site.site_title = _("Pantau")
admin.site.index_title = _("Organisation, attendance and performance")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("mobile_api.urls")),
    path("healthz", errors.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("web.urls")),
]

handler404 = errors.handler404
handler500 = errors.handler500
