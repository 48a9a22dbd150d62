from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from backend.activity.models import ActivityEvent


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """Read-only: events are written by the domain services only."""

    list_display = ["id", "type", "at", "actor_name", "actor_unit", "flagged"]
    list_filter = ["type", "flagged", "instansi"]
    search_fields = ["actor_nip", "actor_name"]
    date_hierarchy = "at"
    raw_id_fields = ["employee"]
    list_select_related = ["instansi"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ActivityEvent | None = None
    ) -> bool:
        return False
