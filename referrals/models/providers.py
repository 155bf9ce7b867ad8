"""Providers (OPD, CSR, NGO, BAZNAS), their members and their service catalogue."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from silakso.models import TimeStampedModel

from ..choices import (
    CapacityPeriod,
    Domain,
    ProviderKind,
)


def _secret() -> str:
    return secrets.token_urlsafe(32)


#: The accounts a provider member can be (``services.provider_member_add``).
PROVIDER_ROLES = (Role.PROVIDER_ADMIN, Role.API_CLIENT)


def _token() -> str:
    return secrets.token_urlsafe(24)


def provider_of(user):
    """The provider a provider admin or a provider's API client works for (or None).

    Remembered on the user object: a page asks several times (menu, scope, actions), and
    request.user lives for one request."""
    if user is None or not user.is_authenticated:
        return None
    if user.role not in PROVIDER_ROLES:  # only these accounts are linked to a provider
        return None
    if "_silakso_provider" not in user.__dict__:
        membership = ProviderMember.objects.filter(user=user).select_related("provider").first()
        user.__dict__["_silakso_provider"] = membership.provider if membership else None
    return user.__dict__["_silakso_provider"]


class ProviderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Provider(TimeStampedModel):
    """Who delivers services: an OPD, a national program, a CSR company, an NGO, BAZNAS."""

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=24, choices=ProviderKind)
    region = models.ForeignKey(
        "dtks.Region",
        verbose_name=_("serves"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The regency it serves; empty for a national provider."),
    )
    description = models.TextField(_("what it does"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    webhook_url = models.URLField(
        _("webhook URL"),
        blank=True,
        help_text=_("Its system is told here when a referral is sent."),
    )
    webhook_secret = models.CharField(_("webhook secret"), max_length=64, default=_secret)
    webhook_approved_url = models.URLField(
        _("approved webhook URL"),
        blank=True,
        help_text=_(
            "The webhook URL an administrator approved. Referrals are announced only while the "
            "webhook URL is this one."
        ),
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def standard_webhook_secret(self) -> str:
        """The same secret as Standard Webhooks libraries take it (``whsec_`` + base64)."""
        from referrals.services._common import standard_secret

        return standard_secret(self.webhook_secret)

    @property
    def webhook_active(self) -> bool:
        """Referrals are announced to its system: a URL is set and an administrator approved
        exactly that URL."""
        return bool(self.webhook_url) and self.webhook_url == self.webhook_approved_url


class ProviderMember(models.Model):
    """A provider admin (or a provider's API client) works for one provider."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("provider member")
        verbose_name_plural = _("provider members")

    def __str__(self) -> str:
        return "{} · {}".format(self.user, self.provider)


class Service(TimeStampedModel):
    """What a provider offers, kept current by its own admin (the service catalogue)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("service"), max_length=150)
    domain = models.CharField(_("domain"), max_length=32, choices=Domain)
    eligibility = models.TextField(_("who can get it"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("How many per period; empty: no limit.")
    )
    capacity_period = models.CharField(
        _("period"), max_length=16, choices=CapacityPeriod, default=CapacityPeriod.MONTH
    )
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["provider__name", "name"]

    def __str__(self) -> str:
        return "{} · {}".format(self.provider.name, self.name)
