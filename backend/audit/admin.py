"""The audit log in the admin: read-only, nothing can be added, changed or
deleted from here (the log is append-only, see models.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from backend.audit.models import AuditEntry, CheckInReview


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnly):
    list_display = [
        "chain",
        "seq",
        "at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "target_id", "action", "hash"]
    date_hierarchy = "at"
    actions = None


@admin.register(CheckInReview)
class CheckInReviewAdmin(_ReadOnly):
    list_display = ["checkin", "verdict", "reviewer", "created_at", "status_after"]
    list_filter = ["verdict"]
    list_select_related = ["checkin__employee", "reviewer"]
    actions = None
