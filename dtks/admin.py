"""Admin for reference data only. Registry records change through the staff pages and the API,
where every change is versioned, explained and kept in the household history."""

from django.contrib import admin

from silakso.admin import ServiceOwnedAdmin, ServiceOwnedInline

from .models import PmtWeightSet, Program, ProgramPeriod, Region


@admin.register(Region)
class RegionAdmin(ServiceOwnedAdmin):
    list_display = ["code", "name", "level", "kind", "postal_code"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]


class ProgramPeriodInline(ServiceOwnedInline):
    model = ProgramPeriod


@admin.register(Program)
class ProgramAdmin(ServiceOwnedAdmin):
    list_display = ["name", "code", "aid_type", "funding_source", "max_desil", "is_active"]
    list_filter = ["is_active", "aid_type", "funding_source"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region"]
    inlines = [ProgramPeriodInline]


@admin.register(PmtWeightSet)
class PmtWeightSetAdmin(ServiceOwnedAdmin):
    """Read-only: weights are drafted in the app and approved by a second person."""

    list_display = ["version", "name", "is_active", "created_at"]
    readonly_fields = [
        "version",
        "is_active",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
    ]
    fields = [
        "version",
        "name",
        "notes",
        "intercept",
        "weights",
        "is_active",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
    ]
