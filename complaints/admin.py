"""Admin of the complaint flow: service levels are set here; complaints are read-only."""

from django.contrib import admin

from .models import Complaint, SlaRule
from .services import sla_rule_save


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "status", "hours"]
    list_filter = ["category"]
    list_editable = ["hours"]

    def save_model(self, request, obj, form, change):
        sla_rule_save(rule=obj, actor=request.user)


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ["code", "category", "status", "village", "channel", "created_at"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["code"]
    readonly_fields = [f.name for f in Complaint._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
