"""The web app's pages. Names are in the ``web`` namespace.

The supervisor dashboard (``atasan/``, ``web:supervisor-dashboard``) and the
auditor desk (``audit/``, ``web:auditor-desk``) are added beside these.
"""

from __future__ import annotations

from django.urls import path

from web.views import auditor, auth, employee, pwa, supervisor

app_name = "web"

urlpatterns = [
    path("masuk/", auth.login_view, name="login"),
    path("keluar/", auth.logout_view, name="logout"),
    path("privasi/", auth.privacy_view, name="privacy"),
    path("tanpa-akses/", auth.no_area_view, name="no-area"),
    path("", employee.home, name="home"),
    path("presensi/", employee.checkin, name="checkin"),
    path("laporan/", employee.reports, name="reports"),
    path("laporan/baru/", employee.report_new, name="report-new"),
    path("riwayat/", employee.history, name="history"),
    path("kerja-fleksibel/", employee.flex, name="flex"),
    path("kerja-fleksibel/baru/", employee.flex_new, name="flex-new"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("atasan/", supervisor.dashboard, name="supervisor-dashboard"),
    path(
        "atasan/laporan/<int:pk>/",
        supervisor.report_decide,
        name="supervisor-report-decide",
    ),
    path(
        "atasan/fleksibel/<int:pk>/",
        supervisor.flex_decide,
        name="supervisor-flex-decide",
    ),
    path("audit/", auditor.desk, name="auditor-desk"),
    path("audit/<int:pk>/keputusan/", auditor.decide, name="auditor-decide"),
    path("audit/rekap/", auditor.recap, name="auditor-recap"),
]
