"""The Django admin: for superusers only, and read-only.

Every write in SILAKSO goes through a service (checks, scope, separation of duties, audit) and
the regency's administrators do theirs in the app (Administrasi → Pengaturan). The admin is a
superuser's window onto the tables, never a second way to change them that skips those rules.
"""

from django.contrib import admin


def superusers_only(request) -> bool:
    """``admin.site.has_permission``: an active superuser (a staff flag alone is not enough)."""
    user = request.user
    return bool(user.is_active and user.is_superuser)


class ServiceOwnedAdmin(admin.ModelAdmin):
    """A model whose writes a service owns: shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceOwnedInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
