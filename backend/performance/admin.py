"""Admin for plans, reports and evaluations.

Plans are edited here (the phone only reads them); reports and evaluations
are read-only: they change through their services (review, evaluation), so
that events and override history are never skipped.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.performance.models import (
    ActionPlan,
    Comment,
    DailyReport,
    Evaluation,
    Indicator,
    PredikatOverride,
    ReportEvidence,
    ReportReview,
    Rhk,
    Skp,
)


class RhkInline(admin.StackedInline):
    model = Rhk
    extra = 0
    fields = ["kind", "text", "parent", "position"]
    raw_id_fields = ["parent"]
    show_change_link = True


@admin.register(Skp)
class SkpAdmin(admin.ModelAdmin):
    list_display = ["employee", "year", "rater", "status", "agreed_at"]
    list_filter = ["status", "year"]
    search_fields = ["employee__name", "employee__nip", "rater__name"]
    autocomplete_fields = ["employee", "rater"]
    list_select_related = ["employee", "rater"]
    readonly_fields = ["submitted_at", "agreed_at"]
    inlines = [RhkInline]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class ActionPlanInline(admin.TabularInline):
    model = ActionPlan
    extra = 0


@admin.register(Rhk)
class RhkAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "skp"]
    list_filter = ["kind", "skp__year"]
    search_fields = ["text", "skp__employee__name", "skp__employee__nip"]
    raw_id_fields = ["skp", "parent"]
    list_select_related = ["skp__employee"]
    inlines = [IndicatorInline, ActionPlanInline]


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EvidenceInline(_ReadOnlyInline):
    model = ReportEvidence
    fields = ["kind", "original_name", "url", "latitude", "longitude", "captured_at"]


class ReviewInline(_ReadOnlyInline):
    model = ReportReview
    fields = ["reviewer", "decision", "comment", "at"]


class CommentInline(_ReadOnlyInline):
    model = Comment
    fk_name = "report"
    fields = ["author_name", "text", "created_at"]


@admin.register(DailyReport)
class DailyReportAdmin(admin.ModelAdmin):
    list_display = ["employee", "date", "status", "work_mode", "output_quantity"]
    list_filter = ["status", "work_mode"]
    search_fields = ["employee__name", "employee__nip", "description"]
    date_hierarchy = "date"
    list_select_related = ["employee"]
    inlines = [EvidenceInline, ReviewInline, CommentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OverrideInline(_ReadOnlyInline):
    model = PredikatOverride
    fields = ["changed_by", "at", "previous", "matrix", "new", "reason"]


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = [
        "employee",
        "year",
        "period_kind",
        "number",
        "predikat",
        "predikat_matrix",
        "rater",
    ]
    list_filter = ["period_kind", "year", "predikat"]
    search_fields = ["employee__name", "employee__nip"]
    list_select_related = ["employee", "rater"]
    inlines = [OverrideInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
