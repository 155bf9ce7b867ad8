"""Admin for reference data only. Registry records change through the staff pages and the API,
where every change is versioned, explained and kept in the household history."""

from django.contrib import admin

from .models import PmtWeightSet, Program, ProgramPeriod, Region
from .services import pmt_weight_set_save, program_period_save, program_save


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "kind", "postal_code"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProgramPeriodInline(admin.TabularInline):
    model = ProgramPeriod
    extra = 1


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "aid_type", "funding_source", "max_desil", "is_active"]
    list_filter = ["is_active", "aid_type", "funding_source"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["region"]
    inlines = [ProgramPeriodInline]

    def save_model(self, request, obj, form, change):
        program_save(program=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        periods = formset.save(commit=False)
        for period in periods:
            program_period_save(period=period, actor=request.user)
        for removed in formset.deleted_objects:
            removed.delete()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PmtWeightSet)
class PmtWeightSetAdmin(admin.ModelAdmin):
    """Editing a used version saves a new version; old runs keep their weights."""

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

    def save_model(self, request, obj, form, change):
        pmt_weight_set_save(weight_set=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
