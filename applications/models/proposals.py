"""Update proposals (usulan pembaruan): registry data added or corrected through the village."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import StatusChange, TimeStampedModel

from ..choices import PovertyDecision, ProposalKind, ProposalStatus


class UpdateProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "village__code"))


class UpdateProposal(TimeStampedModel):
    """A request to add or correct a household in the registry or re-assess its welfare.

    Filled in by the village operator, checked on the ground (photo, GPS), decided by the
    village deliberation (poor / not poor), verified by Dinsos and then applied to the registry
    as a new version of the household, with this proposal as reason and source.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ProposalKind)
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ProposalStatus,
        default=ProposalStatus.SUBMITTED,
        db_index=True,
    )
    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "dtks.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_proposals",
        help_text=_("Empty when the household is not in the registry yet."),
    )
    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("aid application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="update_proposal",
    )
    # The person the proposal is about, as given (for a new household: its head).
    nik = models.CharField(_("NIK"), max_length=16)
    name = models.CharField(_("full name"), max_length=150)
    reason = models.TextField(_("what does not match"), blank=True)
    # Proposed household variables (field name -> value), and for a new household its head
    # (nik, name, birth_date, sex, ...) and KK number.
    variables = models.JSONField(_("proposed data"), default=dict, blank=True)
    head = models.JSONField(_("head of household"), default=dict, blank=True)
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True)
    household_version = models.PositiveIntegerField(
        _("household version when filled in"), null=True, blank=True
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    deliberation = models.ForeignKey(
        "applications.Deliberation",
        verbose_name=_("deliberation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
    )
    poverty_decision = models.CharField(
        _("deliberation decided"), max_length=16, choices=PovertyDecision, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(_("in this step since"), null=True, blank=True)

    objects = UpdateProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("update proposal")
        verbose_name_plural = _("update proposals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class ProposalStatusChange(StatusChange):
    statuses = ProposalStatus
    proposal = models.ForeignKey(
        UpdateProposal, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("update proposal step")
        verbose_name_plural = _("update proposal steps")
