"""Registry history, official desil values, house photos and verification flags."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel

from ..choices import ChangeSource, FlagKind, FlagStatus, HouseholdEventKind
from .registry import Household, Individual


class HouseholdEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "household__village__code"))


class HouseholdEvent(models.Model):
    """One entry of a household's timeline: who changed what, when, why and on what source.

    Append-only by convention: services write events, nothing edits them. ``version`` is the
    household version the change produced, so a stale edit can be told exactly what changed
    since the version it started from.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="events"
    )
    individual = models.ForeignKey(
        Individual,
        verbose_name=_("member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=24, choices=HouseholdEventKind)
    source = models.CharField(_("source"), max_length=24, choices=ChangeSource)
    reason = models.TextField(_("reason"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # Provenance, like the audit trail: no database constraint, so bulk imports do not
        # lock the importing account once per row; Django still nulls it if an account is
        # ever deleted.
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    objects = HouseholdEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("household history entry")
        verbose_name_plural = _("household history")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "version"], name="dtks_event_version_idx")]

    def __str__(self) -> str:
        return "{} · {}".format(self.get_kind_display(), self.household_id)


class DesilRecord(models.Model):
    """An official desil value as imported, with its as-of date; every value is kept.

    Answers "what was this household's desil on the ratification date?".
    """

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.CASCADE,
        related_name="desil_records",
    )
    desil = models.PositiveSmallIntegerField(
        _("desil"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    as_of = models.DateField(_("as of"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # Provenance, like the audit trail: no database constraint, so bulk imports do not
        # lock the importing account once per row; Django still nulls it if an account is
        # ever deleted.
        db_constraint=False,
    )
    created_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        verbose_name = _("official desil value")
        verbose_name_plural = _("official desil values")
        ordering = ["household_id", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "as_of"], name="%(app_label)s_%(class)s_one_per_date"
            ),
            models.CheckConstraint(
                condition=models.Q(desil__range=(1, 10)), name="%(app_label)s_%(class)s_range"
            ),
        ]

    def __str__(self) -> str:
        return "desil {} ({})".format(self.desil, self.as_of)


def household_photo_path(instance, filename: str) -> str:
    return "households/{}/{}".format(instance.household_id, filename)


class HouseholdPhoto(TimeStampedModel):
    """A geotagged photo of the house, served only through a scoped view, never publicly."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to=household_photo_path)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("house photo")
        verbose_name_plural = _("house photos")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.caption or str(_("House photo"))


class FlagQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "household__village__code"))

    def open(self):
        return self.filter(status=FlagStatus.OPEN)


class Flag(TimeStampedModel):
    """A problem found in registry data, with the reason and the evidence, on a worklist."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="flags"
    )
    individual = models.ForeignKey(
        Individual,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="flags",
    )
    kind = models.CharField(_("problem"), max_length=32, choices=FlagKind, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=FlagStatus, default=FlagStatus.OPEN, db_index=True
    )
    reason = models.TextField(_("reason"))
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("data problem")
        verbose_name_plural = _("data problems")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "household", "individual"],
                condition=models.Q(status="open") & models.Q(individual__isnull=False),
                name="%(app_label)s_%(class)s_one_open_per_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "household"],
                condition=models.Q(status="open") & models.Q(individual__isnull=True),
                name="%(app_label)s_%(class)s_one_open_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class MergeRecord(TimeStampedModel):
    """What a merge of two records keeps to be undone: what it moved, who, why, and whether
    (and why) it was reversed."""

    #: "app_label.model.field" → primary keys moved from the merged record to the survivor
    moved = models.JSONField(default=dict)
    reason = models.TextField(_("reason"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reversed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reverse_reason = models.TextField(_("reason for reversing"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]


class PersonMergeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "survivor__household__village__code"))


class PersonMerge(MergeRecord):
    """Two records of one person made one: the survivor keeps the chosen values and
    everything that pointed at the other record (enrollments, applications, complaints,
    cases, flags, history); the other record stays, marked merged, so that its NIK still
    finds the survivor. Reversible: ``moved`` lists what was moved, the snapshots what was
    there before."""

    survivor = models.ForeignKey(
        Individual,
        verbose_name=_("kept record"),
        on_delete=models.PROTECT,
        related_name="merges_in",
    )
    merged = models.ForeignKey(
        Individual,
        verbose_name=_("merged record"),
        on_delete=models.PROTECT,
        related_name="merges_out",
    )
    merged_nik = models.CharField(_("NIK of the merged record"), max_length=16, db_index=True)
    survivor_before = models.JSONField(default=dict)
    merged_before = models.JSONField(default=dict)

    objects = PersonMergeQuerySet.as_manager()

    class Meta(MergeRecord.Meta):
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")

    def __str__(self) -> str:
        return "{} ← {}".format(self.survivor_id, self.merged_id)


class HouseholdMergeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "survivor__village__code"))


class HouseholdMerge(MergeRecord):
    """One household registered twice made one: the survivor takes the other's members,
    family cards, programs, photos, requests, complaints, cases and history; the other stays,
    inactive and empty. Reversible from what ``moved`` and ``relations`` keep."""

    survivor = models.ForeignKey(
        Household,
        verbose_name=_("kept household"),
        on_delete=models.PROTECT,
        related_name="merges_in",
    )
    merged = models.ForeignKey(
        Household,
        verbose_name=_("merged household"),
        on_delete=models.PROTECT,
        related_name="merges_out",
    )
    #: the merged household's head and other members: their relation to their old head
    relations = models.JSONField(default=dict)
    closed_flags = models.JSONField(default=list)

    objects = HouseholdMergeQuerySet.as_manager()

    class Meta(MergeRecord.Meta):
        verbose_name = _("merge of two households")
        verbose_name_plural = _("merges of two households")

    def __str__(self) -> str:
        return "{} ← {}".format(self.survivor_id, self.merged_id)
