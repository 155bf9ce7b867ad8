"""Period lists (batches) ratified by the regent and sent to the ministry; public objections."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import StatusChange, TimeStampedModel

from ..choices import BatchStatus, ObjectionKind, ObjectionOutcome, ObjectionStatus


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "regency__code"))


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Batch(TimeStampedModel):
    """The verified applications of one regency up to a cut-off date (finalisasi usulan).

    Finalised by Dinsos, ratified by the regent's office (which produces the PDF annex with a
    verification QR code), exported in the ministry's upload format, and the ministry's results
    imported back.
    """

    regency = models.ForeignKey(
        "dtks.Region", verbose_name=_("regency"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    cutoff = models.DateField(
        _("cut-off date"), help_text=_("Applications verified up to this day are included.")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=BatchStatus, default=BatchStatus.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    ratification_number = models.CharField(_("decree number"), max_length=100, blank=True)
    ratification_date = models.DateField(_("decree date"), null=True, blank=True)
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ratified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ratified_at = models.DateTimeField(_("ratified at"), null=True, blank=True)
    annex = models.FileField(_("annex (PDF)"), upload_to="batches/", blank=True)
    annex_sha256 = models.CharField(_("annex fingerprint"), max_length=64, blank=True)
    verification_token = models.CharField(max_length=64, unique=True, default=_new_token)
    export_file = models.FileField(_("ministry upload file"), upload_to="batches/", blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    results_imported_at = models.DateTimeField(_("results imported at"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("period list")
        verbose_name_plural = _("period lists")
        ordering = ["-cutoff", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "name"], name="%(app_label)s_%(class)s_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BatchStatusChange(StatusChange):
    statuses = BatchStatus
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("period list step")
        verbose_name_plural = _("period list steps")


class ObjectionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Objections are Dinsos work: regency-wide roles of the village's regency only."""
        from core.permissions import DINSOS_ROLES, has_role
        from core.scope import NOTHING

        installation_wide = bool(user) and user.is_authenticated and user.is_installation_wide
        if not (has_role(user, *DINSOS_ROLES) or installation_wide):
            return self.filter(NOTHING)
        return self.filter(region_q(user, "village__code"))


def _evidence_path(instance, filename: str) -> str:
    return "objections/{}".format(filename)


class Objection(TimeStampedModel):
    """A public objection (sanggah): a listed recipient is not eligible, or a neighbour is missing.

    Anyone may file one. Who filed it is visible to Dinsos only; the verifier answers it.
    """

    code = models.CharField(_("code"), max_length=16, unique=True)
    kind = models.CharField(_("objection"), max_length=16, choices=ObjectionKind)
    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    subject_name = models.CharField(_("name of the person"), max_length=150)
    subject_address = models.CharField(_("address or RT/RW"), max_length=255, blank=True)
    reason = models.TextField(_("reason"))
    evidence = models.FileField(_("evidence"), upload_to=_evidence_path, blank=True)
    evidence_type = models.CharField(max_length=64, blank=True)
    objector_name = models.CharField(_("your name"), max_length=150, blank=True)
    objector_phone = models.CharField(_("your phone"), max_length=20, blank=True)
    #: the resident account that filed it, who follows it on "Layanan saya"
    objector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by (resident account)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objections",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ObjectionStatus,
        default=ObjectionStatus.OPEN,
        db_index=True,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ObjectionOutcome, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection (sanggah)")
        verbose_name_plural = _("objections (sanggah)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class ObjectionStatusChange(StatusChange):
    """Filing and answering an objection, like every other flow's steps."""

    statuses = ObjectionStatus
    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("objection step")
        verbose_name_plural = _("objection steps")
