from __future__ import annotations

from django.contrib import admin

from backend.attendance.models import Workplace


@admin.register(Workplace)
class WorkplaceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "latitude",
        "longitude",
        "radius_m",
        "timezone",
        "is_active",
    ]
    list_filter = ["timezone", "is_active"]
    search_fields = ["name", "unit__name", "unit__code", "address"]
    autocomplete_fields = ["unit", "employees"]
