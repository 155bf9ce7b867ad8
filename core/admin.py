from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from silakso.admin import ServiceOwnedAdmin

from .models import ApiKey, AuditEvent, Job, Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin, ServiceOwnedAdmin):
    ordering = ["username"]
    list_display = ["username", "full_name", "role", "region", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["username", "full_name", "email"]
    autocomplete_fields = ["region"]
    readonly_fields = ["activated_by", "activated_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "phone", "nik")}),
        (_("Role and scope"), {"fields": ("role", "region")}),
        (
            _("Status"),
            {"fields": ("is_active", "activated_by", "activated_at", "is_staff", "is_superuser")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "full_name", "role", "region", "password1", "password2")}),
    )
    actions = ["issue_setup_code"]

    @admin.action(description=_("Issue a set-up code for the authenticator (shown once)"))
    def issue_setup_code(self, request, queryset):
        from django.contrib import messages

        from silakso.exceptions import DomainError

        from . import services

        for user in queryset[:20]:
            if not user.needs_two_factor:
                continue
            try:
                code = services.enrolment_code_issue(user=user, actor=request.user)
            except DomainError as exc:
                messages.error(request, "{}: {}".format(user.username, exc.message))
                continue
            messages.warning(
                request,
                _(
                    "Set-up code for {user}: {code} — give it to the person directly; it works "
                    "once, for 72 hours, and their old authenticator no longer works."
                ).format(user=user.username, code=code),
            )


@admin.register(AuditEvent)
class AuditEventAdmin(ServiceOwnedAdmin):
    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "request_id"]


@admin.register(Job)
class JobAdmin(ServiceOwnedAdmin):
    list_display = ["label", "status", "started_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(Notification)
class NotificationAdmin(ServiceOwnedAdmin):
    list_display = ["subject", "channel", "recipient", "status", "attempts", "created_at"]
    list_filter = ["status", "channel"]


# API keys are issued in the app (Administrasi → Sistem mitra) or with manage.py
# issue_api_key: only there is the key shown once. The admin lists them, read-only; DRF's plain
# tokens no longer open the API.
admin.site.unregister(TokenProxy)


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceOwnedAdmin):
    list_display = ["name", "client", "prefix", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "client__username"]
