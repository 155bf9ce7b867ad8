from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .choices import Role
from .models import AuditEvent, Job, Notification, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label", "request_id"]


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["label", "status", "started_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["subject", "channel", "recipient", "status", "attempts", "created_at"]
    list_filter = ["status", "channel"]


# API tokens only for partner systems (silakso.api.authentication refuses any other token).
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ClientTokenAdmin(TokenAdmin):
    """Tokens can be made for active API-client accounts only."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(
                role=Role.API_CLIENT, is_active=True, is_staff=False, is_superuser=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
