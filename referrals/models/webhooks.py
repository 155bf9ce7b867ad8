"""Deliveries to and receipts from providers' own systems."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import (
    DeliveryStatus,
)
from .cases import Referral
from .providers import Provider, _token


class WebhookDelivery(models.Model):
    """One signed POST to a provider's system, stored first and retried with back-off."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="deliveries")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=64, unique=True, default=_token)
    sequence = models.PositiveIntegerField(
        _("sequence"), default=1, help_text=_("The number of this event among its referral's.")
    )
    url = models.URLField(_("URL"))
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DeliveryStatus,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="referrals_delivery_due_idx")
        ]

    def __str__(self) -> str:
        return "{} → {}".format(self.event, self.url)


class WebhookReceipt(models.Model):
    """An event a provider's system sent us, kept so the same event is never applied twice."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("received provider event")
        verbose_name_plural = _("received provider events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="%(app_label)s_%(class)s_once"
            )
        ]

    def __str__(self) -> str:
        return self.event_id
