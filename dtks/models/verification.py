"""Civil-registry extracts to compare against, and field campaigns (form A4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel

from ..choices import CampaignOutcome, CampaignStatus, OutcomeReview, Sex
from .history import Flag
from .regions import Region
from .registry import Household, Individual


class CivilRegistryRecord(models.Model):
    """One person of an imported Dukcapil extract, the reference the registry is matched to."""

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=150)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex, blank=True)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True)
    #: the address Dukcapil has: village code and RT/RW (blank when the extract lacks them)
    village_code = models.CharField(_("village"), max_length=13, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    deceased = models.BooleanField(_("deceased"), default=False)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    moved_out = models.BooleanField(_("moved out (pindah keluar)"), default=False)
    moved_on = models.DateField(_("date of moving"), null=True, blank=True)
    district_code = models.CharField(_("district"), max_length=8, db_index=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("civil registry record")
        verbose_name_plural = _("civil registry records")

    def __str__(self) -> str:
        return self.name


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "region__code"))


class Campaign(TimeStampedModel):
    """A field verification campaign: a list of households to visit, with an A4 outcome each."""

    name = models.CharField(_("name"), max_length=150)
    region = models.ForeignKey(
        Region, verbose_name=_("area"), on_delete=models.PROTECT, related_name="campaigns"
    )
    due_on = models.DateField(_("to finish by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=CampaignStatus, default=CampaignStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("field campaign")
        verbose_name_plural = _("field campaigns")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "household__village__code"))


class CampaignItem(TimeStampedModel):
    """One household of a campaign (and the problem that brought it there)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="items"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="+"
    )
    individual = models.ForeignKey(
        Individual,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    flag = models.ForeignKey(
        Flag,
        verbose_name=_("problem"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_items",
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=CampaignOutcome, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # Outcomes that end or change aid (REVIEWED_OUTCOMES) are applied only once Dinsos approves.
    review = models.CharField(
        _("review"), max_length=16, choices=OutcomeReview, blank=True, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = CampaignItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign household")
        verbose_name_plural = _("campaign households")
        ordering = ["household__village_id", "household_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="%(app_label)s_%(class)s_once"
            )
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.campaign, self.household_id)

    @property
    def status(self) -> str:
        """Where the visit stands, for the step declarations (dtks.workflow.CAMPAIGN_ITEM_STEPS):
        ``to_visit``, ``pending`` (an outcome that changes aid, waiting for Dinsos),
        ``rejected`` (not accepted: visit again) or ``done``."""
        if not self.outcome:
            return "to_visit"
        if self.review in (OutcomeReview.PENDING, OutcomeReview.REJECTED):
            return str(self.review)
        return "done"
