"""Aid applications (usulan bansos), their documents and their status history."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import NOTHING, region_q
from dtks.nik import mask_nik
from silakso.models import StatusChange, TimeStampedModel

from ..choices import ApplicationChannel, ApplicationStatus, DocumentKind, ScreeningResult

# Statuses in which an application still counts as "open" (one open application per person and
# program, enforced by the database).
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.NEEDS_UPDATE,
    ApplicationStatus.AWAITING_DELIBERATION,
    ApplicationStatus.DELIBERATED,
    ApplicationStatus.VERIFIED,
    ApplicationStatus.FINALISED,
    ApplicationStatus.RATIFIED,
    ApplicationStatus.EXPORTED,
)
# Letters and digits that cannot be confused when read aloud or typed from an SMS.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_tracking_code(prefix: str = "U") -> str:
    """A random, non-sequential tracking code such as U-7K3M-9P2Q (no enumeration by counting)."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return "{}-{}-{}".format(prefix, body[:4], body[4:])


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff: their region. Residents: their own applications (account or NIK)."""
        from core.choices import Role

        if (
            user is not None
            and user.is_authenticated
            and user.is_active
            and user.role == Role.RESIDENT
        ):
            own = models.Q(resident=user)
            if user.nik:
                own |= models.Q(applicant_nik=user.nik)
            return self.filter(own)
        return self.filter(region_q(user, "village__code"))

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Application(TimeStampedModel):
    """A request to be enrolled in a program, from the resident's request to the ministry's answer.

    The applicant is identified by NIK; screening links the person and household found in the
    registry. ``village`` decides who may see it (the scope rule of core.scope).
    """

    code = models.CharField(_("tracking code"), max_length=16, unique=True)
    program = models.ForeignKey(
        "dtks.Program",
        verbose_name=_("program"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ApplicationStatus,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    channel = models.CharField(_("channel"), max_length=24, choices=ApplicationChannel)
    # -- the applicant, as they gave it
    applicant_nik = models.CharField(_("NIK"), max_length=16, db_index=True)
    applicant_name = models.CharField(_("full name"), max_length=150)
    kk_number = models.CharField(_("KK number"), max_length=16, blank=True)
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    village = models.ForeignKey(
        "dtks.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    address = models.CharField(_("address"), max_length=255)
    reason = models.TextField(_("why the help is needed"), blank=True)
    # -- what screening found in the registry
    individual = models.ForeignKey(
        "dtks.Individual",
        verbose_name=_("person in the registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    household = models.ForeignKey(
        "dtks.Household",
        verbose_name=_("household in the registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    screening_result = models.CharField(
        _("screening"), max_length=16, choices=ScreeningResult, blank=True
    )
    screening = models.JSONField(_("screening checks"), default=list, blank=True)
    # -- who did what
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The officer who entered it on the resident's behalf."),
    )
    deliberation = models.ForeignKey(
        "applications.Deliberation",
        verbose_name=_("deliberation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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
    decision_reason = models.TextField(
        _("reason given to the resident"),
        blank=True,
        help_text=_("Why it was not approved, in words the resident understands."),
    )
    batch = models.ForeignKey(
        "applications.Batch",
        verbose_name=_("period list"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
    )
    ministry_note = models.TextField(_("ministry's note"), blank=True)
    status_changed_at = models.DateTimeField(_("in this step since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    last_escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    # Double-clicked or re-sent forms carry the same key and get the same application back.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "applicant_nik"],
                condition=models.Q(status__in=OPEN_STATUSES),
                name="%(app_label)s_%(class)s_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "status_changed_at"], name="applications_waiting_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.applicant_nik)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ApplicationStatusChange(StatusChange):
    """A step of an application: what the resident's status page lists."""

    statuses = ApplicationStatus

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")


class ApplicationDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.filter(NOTHING)
        return self.filter(application__in=Application.objects.visible_to(user))


def _document_path(instance, filename: str) -> str:
    return "applications/{}/{}".format(instance.application.code, filename)


class ApplicationDocument(TimeStampedModel):
    """A document uploaded with an application (photo from a phone, or PDF). Never public."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=24, choices=DocumentKind)
    label = models.CharField(_("name"), max_length=150, blank=True)
    file = models.FileField(_("file"), upload_to=_document_path)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApplicationDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["application_id", "id"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()
