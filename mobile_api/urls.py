from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mobile_api.views import attendance, auth, checkins, evaluations, plans, reports
from mobile_api.views import audit as audit_views
from mobile_api.views import flexwork as flex_views
from mobile_api.views import privacy as privacy_views

app_name = "mobile_api"

urlpatterns = [
    path("auth/token/", auth.LoginApi.as_view(), name="auth-token"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="auth-logout"),
    path("me/", auth.MeApi.as_view(), name="me"),
    path("me/consent/", privacy_views.ConsentApi.as_view(), name="me-consent"),
    path(
        "flex-requests/",
        flex_views.FlexRequestListCreateApi.as_view(),
        name="flex-requests",
    ),
    path(
        "flex-requests/<int:pk>/decision/",
        flex_views.FlexRequestDecisionApi.as_view(),
        name="flex-request-decision",
    ),
    path("audit/checkins/", audit_views.AuditQueueApi.as_view(), name="audit-checkins"),
    path(
        "audit/checkins/<int:pk>/decision/",
        audit_views.CheckInDecisionApi.as_view(),
        name="audit-checkin-decision",
    ),
    path(
        "audit/patterns/<slug:kind>/",
        audit_views.AuditPatternApi.as_view(),
        name="audit-pattern",
    ),
    path(
        "checkins/<int:pk>/reviews/",
        audit_views.CheckInReviewsApi.as_view(),
        name="checkin-reviews",
    ),
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
    path("plans/", plans.PlanCreateApi.as_view(), name="plans"),
    path("plans/current/", plans.PlanCurrentApi.as_view(), name="plan-current"),
    path("plans/<int:pk>/", plans.PlanDetailApi.as_view(), name="plan-detail"),
    path("plans/<int:pk>/submit/", plans.PlanSubmitApi.as_view(), name="plan-submit"),
    path("plans/<int:pk>/review/", plans.PlanReviewApi.as_view(), name="plan-review"),
    path("rhk/<int:pk>/comments/", plans.RhkCommentsApi.as_view(), name="rhk-comments"),
    path("reports/", reports.ReportListCreateApi.as_view(), name="reports"),
    path("reports/<int:pk>/", reports.ReportDetailApi.as_view(), name="report-detail"),
    path(
        "reports/<int:pk>/submit/",
        reports.ReportSubmitApi.as_view(),
        name="report-submit",
    ),
    path(
        "reports/<int:pk>/review/",
        reports.ReportReviewApi.as_view(),
        name="report-review",
    ),
    path(
        "reports/<int:pk>/comments/",
        reports.ReportCommentsApi.as_view(),
        name="report-comments",
    ),
    path(
        "reports/<int:pk>/evidence/<int:eid>/",
        reports.ReportEvidenceApi.as_view(),
        name="report-evidence",
    ),
    path(
        "reports/<int:pk>/evidence/<int:eid>/thumbnail/",
        reports.ReportEvidenceThumbnailApi.as_view(),
        name="report-evidence-thumbnail",
    ),
    path("team/reports/", reports.TeamReportListApi.as_view(), name="team-reports"),
    path(
        "team/evaluations/",
        evaluations.TeamEvaluationsApi.as_view(),
        name="team-evaluations",
    ),
    path(
        "evaluations/<int:employee_id>/<str:period>/",
        evaluations.EvaluationApi.as_view(),
        name="evaluation",
    ),
    path(
        "exports/kinerja/",
        evaluations.KinerjaExportApi.as_view(),
        name="export-kinerja",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="mobile_api:schema"),
        name="docs",
    ),
]
