"""Providers and their services, cases and referrals, webhook deliveries, and service letters."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import NOTHING, region_q
from silakso.models import StatusChange, TimeStampedModel

from .choices import (
    CapacityPeriod,
    CaseOrigin,
    CaseStatus,
    DeliveryStatus,
    Domain,
    LetterKind,
    NeedLevel,
    ProviderKind,
    ReferralStatus,
)


def _secret() -> str:
    return secrets.token_urlsafe(32)


def _token() -> str:
    return secrets.token_urlsafe(24)


def provider_of(user):
    """The provider a provider admin or a provider's API client works for (or None).

    Remembered on the user object: a page asks several times (menu, scope, actions), and
    request.user lives for one request."""
    if user is None or not user.is_authenticated:
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

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "village__code"))


class Case(TimeStampedModel):
    """One case per household: needs assessed across domains, a plan, a referral per need."""

    code = models.CharField(_("case number"), max_length=16, unique=True)
    household = models.ForeignKey(
        "dtks.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(_("came from"), max_length=16, choices=CaseOrigin)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("aid application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus, default=CaseStatus.OPEN, db_index=True
    )
    plan = models.TextField(_("plan"), blank=True)
    contact_phone = models.CharField(_("household's phone"), max_length=20, blank=True)
    follow_up_on = models.DateField(_("follow-up visit"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(_("follow-up done"), null=True, blank=True)
    follow_up_notes = models.TextField(_("follow-up notes"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=models.Q(status=CaseStatus.OPEN),
                name="%(app_label)s_%(class)s_one_open_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Assessment(models.Model):
    """The household's need in one domain."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    domain = models.CharField(_("domain"), max_length=32, choices=Domain)
    need = models.CharField(_("need"), max_length=16, choices=NeedLevel, default=NeedLevel.NONE)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["case_id", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "domain"], name="%(app_label)s_%(class)s_one_per_domain"
            )
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.get_domain_display(), self.get_need_display())


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Case workers: their region. A provider's admin or API client: what was sent to it."""
        from core.choices import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.filter(NOTHING)
        provider = provider_of(user)
        if provider is not None:
            return self.filter(provider=provider).exclude(status=ReferralStatus.DRAFT)
        if user.role in (Role.PROVIDER_ADMIN, Role.RESIDENT):
            return self.filter(NOTHING)
        return self.filter(region_q(user, "case__village__code"))


class Referral(TimeStampedModel):
    """One need sent to one provider's service, followed until it is settled."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="referrals"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="referrals"
    )
    individual = models.ForeignKey(
        "dtks.Individual",
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        help_text=_("The member it is for; empty for the whole household."),
    )
    need = models.TextField(_("what is needed"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ReferralStatus,
        default=ReferralStatus.DRAFT,
        db_index=True,
    )
    duplicate_reason = models.TextField(_("why despite a similar service"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    response_due_at = models.DateTimeField(_("answer due"), null=True, blank=True, db_index=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.TextField(_("why declined"), blank=True)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    outcome_date = models.DateField(_("delivered on"), null=True, blank=True)
    value = models.DecimalField(
        _("value (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    last_escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("in this step since"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["provider", "status"], name="referrals_provider_idx")]

    def __str__(self) -> str:
        return "{} → {}".format(self.case.code, self.service.name)


class ReferralStatusChange(StatusChange):
    statuses = ReferralStatus
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("referral step")
        verbose_name_plural = _("referral steps")


class ReferralNote(models.Model):
    """A monitoring note (from the case worker or the provider)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("monitoring note")
        verbose_name_plural = _("monitoring notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class WebhookDelivery(models.Model):
    """One signed POST to a provider's system, stored first and retried with back-off."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="deliveries")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=64, unique=True, default=_token)
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


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "region__code"))


class LetterCounter(models.Model):
    """The last number given to a kind of letter in a year (letters are numbered per year)."""

    kind = models.CharField(max_length=24, choices=LetterKind)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"], name="%(app_label)s_%(class)s_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return "{} {}: {}".format(self.kind, self.year, self.last)


class Letter(models.Model):
    """An SLRT service letter, issued as a PDF with a verification QR code."""

    kind = models.CharField(_("letter"), max_length=24, choices=LetterKind)
    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    region = models.ForeignKey(
        "dtks.Region", verbose_name=_("issued for"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(_("issued to"), max_length=150)
    recipient_nik = models.CharField(_("NIK"), max_length=16, blank=True)
    household = models.ForeignKey(
        "dtks.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    token = models.CharField(max_length=64, unique=True, default=_token)
    pdf = models.FileField(_("PDF"), upload_to="letters/", blank=True)
    sha256 = models.CharField(_("fingerprint"), max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("why revoked"), blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("service letter")
        verbose_name_plural = _("service letters")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="%(app_label)s_%(class)s_numbered_once"
            )
        ]

    def __str__(self) -> str:
        return self.number
