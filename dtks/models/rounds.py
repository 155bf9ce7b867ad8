"""Registry rounds: a national extract (DTKS/DTSEN) compared with the registry before it is
applied, proposed by the data manager, approved by the head of division, then applied."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel


class RoundStatus(models.TextChoices):
    COMPARING = "comparing", _("Being compared with the registry")
    COMPARED = "compared", _("Compared, not yet proposed")
    PROPOSED = "proposed", _("Proposed, waits for the head of division")
    APPLYING = "applying", _("Approved, being applied")
    APPLIED = "applied", _("Applied")
    REFUSED = "refused", _("Not approved")
    FAILED = "failed", _("Could not be compared")


class RoundChange(models.TextChoices):
    """What a round does to a household or a person of the registry."""

    NEW = "new", _("New")
    CHANGED = "changed", _("Changed")
    UNCHANGED = "unchanged", _("Unchanged")
    ABSENT = "absent", _("Absent: retired when applied")
    KEPT = "kept", _("Absent but changed here since the extract: kept")


#: The lists a round page offers: (change, people or households) → file name part.
ROUND_LISTS = {
    ("new", False): "rumah-tangga-baru",
    ("changed", False): "rumah-tangga-berubah",
    ("absent", False): "rumah-tangga-keluar",
    ("kept", False): "rumah-tangga-dipertahankan",
    ("new", True): "jiwa-baru",
    ("changed", True): "jiwa-berubah",
    ("absent", True): "jiwa-keluar",
    ("kept", True): "jiwa-dipertahankan",
}


class RegistryRoundQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "region_code"))


class RegistryRound(TimeStampedModel):
    """One national extract and what it does to the registry."""

    #: the area of the extract: the scope of the data manager who uploaded it
    region_code = models.CharField(max_length=13, blank=True, null=True)
    name = models.CharField(_("name"), max_length=120)
    extract_date = models.DateField(_("extract date"))
    filename = models.CharField(_("file"), max_length=200)
    path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus, default=RoundStatus.COMPARING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    #: rows, accepted, rejected of the comparison; the import's counts once applied
    counts = models.JSONField(default=dict, blank=True)
    #: per village: {"households": {change: n}, "people": {change: n}}
    by_village = models.JSONField(default=dict, blank=True)
    #: per district, before and after applying: {"before": {code: [households, people]}, ...}
    totals = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    report_file = models.CharField(max_length=255, blank=True)
    compare_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    apply_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RegistryRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registry round")
        verbose_name_plural = _("registry rounds")

    def __str__(self) -> str:
        return self.name

    @property
    def running_job(self):
        """The job the round waits for (comparing or applying), or None."""
        if self.status == RoundStatus.COMPARING:
            return self.compare_job
        if self.status == RoundStatus.APPLYING:
            return self.apply_job
        return None


class RoundEntry(models.Model):
    """A household or a person a round adds, changes or retires (the downloadable lists)."""

    round = models.ForeignKey(RegistryRound, on_delete=models.CASCADE, related_name="entries")
    change = models.CharField(max_length=16, choices=RoundChange)
    is_person = models.BooleanField(default=False)
    dtks_id = models.CharField(max_length=32, blank=True)
    nik = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=150, blank=True)
    village_code = models.CharField(max_length=13, blank=True)
    household = models.ForeignKey(
        "dtks.Household", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("registry round entry")
        verbose_name_plural = _("registry round entries")
        indexes = [models.Index(fields=["round", "change", "is_person"])]

    def __str__(self) -> str:
        return "{} {}".format(self.get_change_display(), self.nik or self.dtks_id)
