from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.flexwork.models import FlexDay, FlexDecision, FlexPolicy, FlexRequest


@admin.register(FlexPolicy)
class FlexPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "instansi",
        "enabled",
        "max_days_per_week",
        "unit_share_percent",
        "new_placement_months",
        "exclude_under_sanction",
    ]
    autocomplete_fields = ["instansi"]


class FlexDayInline(admin.TabularInline):
    model = FlexDay
    fields = ["date"]
    readonly_fields = ["date"]
    extra = 0
    can_delete = False


class FlexDecisionInline(admin.TabularInline):
    model = FlexDecision
    fields = ["created_at", "decided_by", "decision", "comment"]
    readonly_fields = ["created_at", "decided_by", "decision", "comment"]
    extra = 0
    can_delete = False


@admin.register(FlexRequest)
class FlexRequestAdmin(admin.ModelAdmin):
    """Requests are decided in the app (``services.flex_request_decide``);
    the admin only shows them."""

    list_display = ["employee", "location_type", "status", "created_at"]
    list_filter = ["status", "location_type"]
    search_fields = ["employee__name", "employee__nip"]
    list_select_related = ["employee"]
    inlines = [FlexDayInline, FlexDecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
