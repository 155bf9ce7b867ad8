"""The local proxy-means test (PMT): versioned weights and the record of every ranking run."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from silakso.models import TimeStampedModel


class PmtWeightSet(TimeStampedModel):
    """One version of the PMT weights. A version that has been used is never changed again:
    an edit is saved as a new version, so every run can be explained with its own weights."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    notes = models.TextField(_("notes"), blank=True)
    intercept = models.FloatField(_("base score"), default=0.0)
    weights = models.JSONField(
        _("weights"),
        help_text=_(
            '{"categorical": {variable: {code: weight}}, "boolean": {variable: weight}, '
            '"numeric": {variable: weight}, "composition": {variable: weight}}'
        ),
    )
    is_active = models.BooleanField(_("used for new runs"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("A second person, never the one who drafted the weights."),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    @property
    def is_draft(self) -> bool:
        return self.approved_at is None

    class Meta:
        verbose_name = _("PMT weight set")
        verbose_name_plural = _("PMT weight sets")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_active=False) | models.Q(approved_at__isnull=False),
                name="%(app_label)s_%(class)s_active_is_approved",
            )
        ]

    def __str__(self) -> str:
        return "v{} {}".format(self.version, self.name)


class PmtRun(models.Model):
    """A scoring and ranking run: who started it, with which weights, over what, how long."""

    weight_set = models.ForeignKey(
        PmtWeightSet, verbose_name=_("weights"), on_delete=models.PROTECT, related_name="runs"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for the nightly schedule."),
    )
    scope = models.CharField(_("region"), max_length=13, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households ranked"), default=0)
    regencies = models.PositiveIntegerField(_("regencies"), default=0)
    changed = models.PositiveIntegerField(_("households whose estimate changed"), default=0)
    seconds = models.FloatField(_("duration (s)"), default=0)

    class Meta:
        verbose_name = _("PMT run")
        verbose_name_plural = _("PMT runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return "{} · {}".format(self.weight_set, self.started_at)
