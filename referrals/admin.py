"""Admin of case management, read-only: providers, services and accounts are kept in the app."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from silakso.admin import ServiceOwnedAdmin, ServiceOwnedInline

from .choices import DeliveryStatus
from .models import Letter, Provider, ProviderMember, Service, WebhookDelivery
from .services import provider_webhook_approve


class ServiceInline(ServiceOwnedInline):
    model = Service
    extra = 0
    fields = ["name", "domain", "capacity", "capacity_period", "is_active"]


@admin.register(Provider)
class ProviderAdmin(ServiceOwnedAdmin):
    list_display = ["name", "kind", "region", "is_active", "webhook_url", "webhook_is_approved"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    inlines = [ServiceInline]
    readonly_fields = ["webhook_approved_url"]
    actions = ["approve_webhook"]

    @admin.display(boolean=True, description=gettext_lazy("webhook approved"))
    def webhook_is_approved(self, obj):
        return obj.webhook_active if obj.webhook_url else None

    @admin.action(description=gettext_lazy("Approve the webhook URL (referrals are sent there)"))
    def approve_webhook(self, request, queryset):
        from django.contrib import messages
        from django.core.exceptions import ValidationError

        for provider in queryset:
            try:
                provider_webhook_approve(provider=provider, actor=request.user)
            except ValidationError as exc:
                messages.error(request, "{}: {}".format(provider, "; ".join(exc.messages)))


@admin.register(ProviderMember)
class ProviderMemberAdmin(ServiceOwnedAdmin):
    list_display = ["user", "provider"]
    autocomplete_fields = ["provider"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ServiceOwnedAdmin):
    list_display = [
        "event",
        "provider",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry_now"]

    @admin.action(description=gettext_lazy("Try again now (after the provider fixed its endpoint)"))
    def retry_now(self, request, queryset):
        count = queryset.exclude(status=DeliveryStatus.DELIVERED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(
            request, _("{count} deliveries will be sent again within a minute.").format(count=count)
        )


@admin.register(Letter)
class LetterAdmin(ServiceOwnedAdmin):
    list_display = ["number", "kind", "recipient_name", "issued_at", "revoked_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Letter._meta.fields]
