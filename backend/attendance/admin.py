from __future__ import annotations

from django.contrib import admin

from backend.attendance.models import (
    Holiday,
    RamadanPeriod,
    Workplace,
    WorkSchedule,
    WorkScheduleDay,
)


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


class WorkScheduleDayInline(admin.TabularInline):
    model = WorkScheduleDay
    extra = 0
    max_num = 7


@admin.register(WorkSchedule)
class WorkScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "workplace", "variant", "grace_minutes"]
    list_filter = ["variant", "unit__instansi"]
    search_fields = ["name", "unit__name", "unit__code", "workplace__name"]
    autocomplete_fields = ["unit", "workplace"]
    list_select_related = ["unit", "workplace"]
    inlines = [WorkScheduleDayInline]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "instansi"]
    list_filter = ["instansi"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_select_related = ["instansi"]


@admin.register(RamadanPeriod)
class RamadanPeriodAdmin(admin.ModelAdmin):
    list_display = ["__str__", "start", "end"]
