"""Admin screens for a BKD admin: search by NIP and name, filter by unit.

Saves go through the organisation services, so unit paths and supervisor
chains stay right whichever screen changed them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.lib.client_ip import client_ip
from backend.organization import services
from backend.organization.models import Employee, Instansi, RoleAssignment, Unit


@admin.register(Instansi)
class InstansiAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "timezone"]
    search_fields = ["code", "name"]


class OpdFilter(admin.SimpleListFilter):
    """Filter by top-level unit (OPD): thousands of units do not fit a list."""

    title = _("OPD")
    parameter_name = "opd"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        return [(u.path, u.name) for u in Unit.objects.filter(parent__isnull=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        field = "path" if queryset.model is Unit else "unit__path"
        return queryset.filter(**{f"{field}__startswith": value})


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "head", "instansi"]
    list_filter = ["instansi", "kind", OpdFilter]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent", "head"]
    list_select_related = ["parent", "head", "instansi"]

    def save_model(
        self, request: HttpRequest, obj: Unit, form: Any, change: bool
    ) -> None:
        if change:
            services.unit_update(obj)
        else:
            created = services.unit_create(
                instansi=obj.instansi,
                code=obj.code,
                name=obj.name,
                kind=obj.kind,
                parent=obj.parent,
            )
            obj.pk, obj.path = created.pk, created.path
            if obj.head_id:
                services.unit_set_head(unit=created, head=obj.head)


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit", "instansi"]


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = [
        "nip",
        "name",
        "status",
        "jabatan",
        "golongan",
        "unit",
        "supervisor",
        "under_sanction",
    ]
    list_filter = [OpdFilter, "status", "jabatan_kind", "under_sanction", "unit__kind"]
    search_fields = ["nip", "name", "jabatan", "unit__name", "unit__code"]
    autocomplete_fields = ["unit", "supervisor"]
    list_select_related = ["unit", "supervisor"]
    readonly_fields = ["user", "chain", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["nip", "name", "status", "user"]}),
        (
            _("Position"),
            {
                "fields": [
                    "unit",
                    "supervisor",
                    "jabatan",
                    "jabatan_kind",
                    "golongan",
                    "placement_date",
                    "under_sanction",
                ]
            },
        ),
        (
            _("Home (domisili)"),
            {"fields": ["domisili_address", "domisili_latitude", "domisili_longitude"]},
        ),
        (
            _("Record"),
            {"fields": ["chain", "created_at", "updated_at"], "classes": ["collapse"]},
        ),
    ]

    def save_model(
        self, request: HttpRequest, obj: Employee, form: Any, change: bool
    ) -> None:
        if change:
            services.employee_update(obj, actor=request.user, ip=client_ip(request))
            return
        created = services.employee_create(
            nip=obj.nip,
            name=obj.name,
            unit=obj.unit,
            status=obj.status,
            supervisor=obj.supervisor,
            jabatan=obj.jabatan,
            jabatan_kind=obj.jabatan_kind,
            golongan=obj.golongan,
            placement_date=obj.placement_date,
            under_sanction=obj.under_sanction,
            domisili_address=obj.domisili_address,
            domisili_latitude=obj.domisili_latitude,
            domisili_longitude=obj.domisili_longitude,
        )
        obj.pk, obj.user, obj.chain = created.pk, created.user, created.chain


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "instansi", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__employee__nip", "user__employee__name"]
    autocomplete_fields = ["user", "unit", "instansi"]

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool
    ) -> None:
        if change:
            obj.full_clean()
            obj.save()
            return
        created = services.role_assign(
            user=obj.user,
            role=obj.role,
            unit=obj.unit,
            instansi=obj.instansi,
            actor=request.user,
            ip=client_ip(request),
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        services.role_revoke(assignment=obj, actor=request.user, ip=client_ip(request))
