"""Village deliberations (musdes / muskel, or an SPTJM) and field checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import NOTHING, region_q
from silakso.models import TimeStampedModel

from ..choices import DeliberationKind


class DeliberationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "village__code"))


def _minutes_path(instance, filename: str) -> str:
    return "deliberations/{}/{}".format(instance.village_id, filename)


class Deliberation(TimeStampedModel):
    """A village meeting (or the village head's SPTJM) that decided on proposals.

    The minutes (berita acara) or the signed SPTJM are kept as a document; each application or
    update proposal decided carries a reference to it and its own decision.
    """

    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DeliberationKind)
    held_on = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("number of attendees"), null=True, blank=True)
    document = models.FileField(_("minutes or SPTJM"), upload_to=_minutes_path)
    document_type = models.CharField(max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = DeliberationQuerySet.as_manager()

    class Meta:
        verbose_name = _("village deliberation")
        verbose_name_plural = _("village deliberations")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return "{} · {}".format(self.get_kind_display(), self.held_on.strftime("%d-%m-%Y"))


class FieldCheckQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.filter(NOTHING)
        return self.filter(region_q(user, "village__code"))


def _photo_path(instance, filename: str) -> str:
    return "field-checks/{}/{}".format(instance.village_id, filename)


class FieldCheck(TimeStampedModel):
    """A visit to the household: photo with GPS, what was found (ground check / verification)."""

    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="field_checks",
    )
    proposal = models.ForeignKey(
        "applications.UpdateProposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="field_checks",
    )
    photo = models.FileField(_("photo"), upload_to=_photo_path, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    notes = models.TextField(_("what was found"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    objects = FieldCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("field check")
        verbose_name_plural = _("field checks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(proposal__isnull=False),
                name="%(app_label)s_%(class)s_has_subject",
            )
        ]

    def __str__(self) -> str:
        return str(self.created_at)
