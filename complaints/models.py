"""Complaints (pengaduan), their attachments, steps, escalations and the SLA per category."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import NOTHING, region_q
from dtks.nik import mask_nik
from silakso.models import StatusChange, TimeStampedModel

from .choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    Rating,
    ResolvedBy,
    ToldVia,
)

OPEN_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.FORWARDED,
    ComplaintStatus.IN_REVIEW,
    ComplaintStatus.IN_FOLLOW_UP,
    ComplaintStatus.RESOLVED,
)
# Hours a complaint may stay in each step when the administrator has set nothing else.
DEFAULT_SLA_HOURS: dict[str, int] = {
    ComplaintStatus.RECEIVED: 72,
    ComplaintStatus.FORWARDED: 48,
    ComplaintStatus.IN_REVIEW: 72,
    ComplaintStatus.IN_FOLLOW_UP: 240,
    ComplaintStatus.RESOLVED: 48,
}


class SlaRule(models.Model):
    """How long a complaint of a category may stay in a step before it is escalated."""

    category = models.CharField(_("category"), max_length=24, choices=ComplaintCategory)
    status = models.CharField(
        _("step"),
        max_length=24,
        choices=[(s, ComplaintStatus(s).label) for s in OPEN_STATUSES],
    )
    hours = models.PositiveIntegerField(
        _("hours allowed"), validators=[MinValueValidator(1), MaxValueValidator(24 * 90)]
    )

    class Meta:
        verbose_name = _("service level (SLA)")
        verbose_name_plural = _("service levels (SLA)")
        ordering = ["category", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "status"], name="%(app_label)s_%(class)s_one_per_step"
            )
        ]

    def __str__(self) -> str:
        return "{} · {} · {} h".format(
            self.get_category_display(), self.get_status_display(), self.hours
        )


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff: their region; misuse reports only for Dinsos (never the village reported);
        residents: their own; partner systems: their region's ordinary complaints."""
        from core.choices import Role
        from core.permissions import DINSOS_ROLES

        if user is None or not user.is_authenticated or not user.is_active:
            return self.filter(NOTHING)
        if user.role == Role.RESIDENT:
            own = models.Q(resident=user)
            if user.nik:
                own |= models.Q(complainant_nik=user.nik)
            return self.filter(own)
        queryset = self.filter(region_q(user, "village__code"))
        if user.is_installation_wide or user.role in DINSOS_ROLES:
            return queryset
        return queryset.filter(is_restricted=False)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Complaint(TimeStampedModel):
    """A grievance or question, through any channel, until the resident has been told and asked
    how it went. ``village`` is where it is about and decides who may see it."""

    code = models.CharField(_("ticket code"), max_length=16, unique=True)
    category = models.CharField(_("category"), max_length=24, choices=ComplaintCategory)
    membership_related = models.BooleanField(
        _("about receiving aid (kepesertaan)"),
        default=False,
        help_text=_("About being, or not being, a recipient of a program."),
    )
    channel = models.CharField(_("channel"), max_length=24, choices=ComplaintChannel)
    is_restricted = models.BooleanField(
        _("restricted (misuse report)"),
        default=False,
        help_text=_("Only Dinsos sees it; the reporter only the assigned officer."),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ComplaintStatus,
        default=ComplaintStatus.RECEIVED,
        db_index=True,
    )
    # -- who complains (all optional for an anonymous misuse report)
    complainant_nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    complainant_name = models.CharField(_("name"), max_length=150, blank=True)
    phone = models.CharField(_("phone / WhatsApp"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    secret_hash = models.CharField(max_length=128, blank=True)
    village = models.ForeignKey(
        "dtks.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "dtks.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    individual = models.ForeignKey(
        "dtks.Individual",
        verbose_name=_("person in the registry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    description = models.TextField(_("what happened"))
    # -- handling
    status_changed_at = models.DateTimeField(_("in this step since"), null=True, blank=True)
    due_at = models.DateTimeField(_("step due"), null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    last_escalated_at = models.DateTimeField(_("last escalated"), null=True, blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    analysis = models.TextField(_("review and analysis"), blank=True)
    in_registry = models.BooleanField(_("household in the registry"), null=True, blank=True)
    update_proposal = models.ForeignKey(
        "applications.UpdateProposal",
        verbose_name=_("update proposal"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    program = models.ForeignKey(
        "dtks.Program",
        verbose_name=_("program linked"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    resolved_by_kind = models.CharField(
        _("solved by"), max_length=24, choices=ResolvedBy, blank=True
    )
    resolution = models.TextField(_("what was done"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    told_via = models.CharField(_("resident told by"), max_length=16, choices=ToldVia, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating, null=True, blank=True)
    rating_comment = models.TextField(_("comment on the service"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 4)),
                name="%(app_label)s_%(class)s_rating_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(status=ComplaintStatus.CLOSED),
                name="%(app_label)s_%(class)s_rated_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="complaints_overdue_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def nik_masked(self) -> str:
        return mask_nik(self.complainant_nik) if self.complainant_nik else ""


class ComplaintStatusChange(StatusChange):
    statuses = ComplaintStatus
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="status_changes"
    )

    class Meta(StatusChange.Meta):
        verbose_name = _("complaint step")
        verbose_name_plural = _("complaint steps")


class ComplaintEscalation(models.Model):
    """A late step was escalated: to whom, at which level."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="escalations")
    status = models.CharField(_("step"), max_length=24, choices=ComplaintStatus)
    level = models.PositiveSmallIntegerField(_("level"))
    escalated_to = models.CharField(_("escalated to"), max_length=32)
    notified = models.PositiveIntegerField(_("officers told"), default=0)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "{} · {}".format(self.complaint_id, self.level)


class ComplaintAttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(complaint__in=Complaint.objects.visible_to(user))


def _attachment_path(instance, filename: str) -> str:
    return "complaints/{}/{}".format(instance.complaint.code, filename)


class ComplaintAttachment(TimeStampedModel):
    """A photo or PDF sent with a complaint. Never public."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))

    objects = ComplaintAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["complaint_id", "id"]

    def __str__(self) -> str:
        return self.file.name
