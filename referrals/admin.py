"""Admin of case management: providers and their accounts (through services), deliveries."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import DeliveryStatus
from .models import Letter, Provider, ProviderMember, Service, WebhookDelivery
from .services import provider_member_add, provider_save, provider_webhook_approve, service_save


class ServiceInline(admin.TabularInline):
    model = Service
    extra = 0
    fields = ["name", "domain", "capacity", "capacity_period", "is_active"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
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

    def save_model(self, request, obj, form, change):
        provider_save(provider=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for service in formset.save(commit=False):
            service_save(service=service, actor=request.user)
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(ProviderMember)
class ProviderMemberAdmin(admin.ModelAdmin):
    """Link a provider admin or a provider's API client (no region) to its provider."""

    list_display = ["user", "provider"]
    autocomplete_fields = ["provider"]

    def save_model(self, request, obj, form, change):
        provider_member_add(user=obj.user, provider=obj.provider, actor=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
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
class LetterAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "recipient_name", "issued_at", "revoked_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request):
        return False
