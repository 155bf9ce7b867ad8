"""Cases (one per household, needs per domain) and referrals of one need to one service."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import NOTHING, region_q
from silakso.models import StatusChange, TimeStampedModel

from ..choices import (
    CaseOrigin,
    CaseStatus,
    Domain,
    NeedLevel,
    ReferralStatus,
)
from .providers import Provider, Service, provider_of


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


class CaseStatusChange(StatusChange):
    """Opening and closing a case, like every other flow's steps."""

    statuses = CaseStatus
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("case step")
        verbose_name_plural = _("case steps")
