"""Admin of the application flow: read-mostly; every change of state goes through services."""

from django.contrib import admin

from silakso.admin import ServiceOwnedAdmin

from .models import Application, Batch, Deliberation, Objection, UpdateProposal


@admin.register(Application)
class ApplicationAdmin(ServiceOwnedAdmin):
    list_display = ["code", "program", "status", "village", "channel", "created_at"]
    list_filter = ["status", "channel", "program"]
    search_fields = ["code", "applicant_name"]
    readonly_fields = [f.name for f in Application._meta.fields]


@admin.register(UpdateProposal)
class UpdateProposalAdmin(ServiceOwnedAdmin):
    list_display = ["code", "kind", "status", "village", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in UpdateProposal._meta.fields]


@admin.register(Batch)
class BatchAdmin(ServiceOwnedAdmin):
    list_display = ["name", "regency", "cutoff", "status", "ratification_number"]
    readonly_fields = [f.name for f in Batch._meta.fields]


@admin.register(Deliberation)
class DeliberationAdmin(ServiceOwnedAdmin):
    list_display = ["village", "kind", "held_on", "attendees"]
    readonly_fields = [f.name for f in Deliberation._meta.fields]


@admin.register(Objection)
class ObjectionAdmin(ServiceOwnedAdmin):
    list_display = ["code", "kind", "village", "status", "created_at"]
    readonly_fields = [f.name for f in Objection._meta.fields]
