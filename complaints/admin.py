"""Admin of the complaint flow, read-only: service levels are set in the app (Pengaturan)."""

from django.contrib import admin

from silakso.admin import ServiceOwnedAdmin

from .models import Complaint, SlaRule


@admin.register(SlaRule)
class SlaRuleAdmin(ServiceOwnedAdmin):
    list_display = ["category", "status", "hours"]
    list_filter = ["category"]


@admin.register(Complaint)
class ComplaintAdmin(ServiceOwnedAdmin):
    list_display = ["code", "category", "status", "village", "channel", "created_at"]
    list_filter = ["status", "category", "channel"]
    search_fields = ["code"]
    readonly_fields = [f.name for f in Complaint._meta.fields]
