"""Aid programs, their periods and who receives them (enrollments)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel

from ..choices import AidType, EnrollmentSource, EnrollmentStatus, FundingSource, ProgramTarget
from .regions import Region
from .registry import Household, Individual


class ProgramQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def available_in(self, region_code: str | None):
        """National programs, plus regional programs of the region's province or regency."""
        q = models.Q(region__isnull=True)
        if region_code:
            parts = region_code.split(".")
            ancestors = [".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
            q |= models.Q(region__in=ancestors)
        return self.filter(q)


class Program(TimeStampedModel):
    """A social-aid program (PKH, BPNT, PIP, PBI-JK, BLT, RS-RTLH, KUBE, ATENSI, regional …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(
        _("what it gives"), help_text=_("In plain words, for residents.")
    )
    eligibility = models.TextField(
        _("who can get it"), blank=True, help_text=_("In plain words, for residents.")
    )
    required_documents = models.TextField(
        _("documents to bring"), blank=True, help_text=_("One document per line.")
    )
    provider = models.CharField(_("provider"), max_length=150, blank=True)
    funding_source = models.CharField(_("funded by"), max_length=24, choices=FundingSource)
    aid_type = models.CharField(_("aid type"), max_length=24, choices=AidType)
    target = models.CharField(
        _("given to"), max_length=16, choices=ProgramTarget, default=ProgramTarget.HOUSEHOLD
    )
    max_desil = models.PositiveSmallIntegerField(
        _("highest desil"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Households above this desil are not eligible. Empty: no desil limit."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("regional program of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programs",
        help_text=_("Empty for national programs."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("program managers of the partner OPD"),
        blank=True,
        related_name="managed_programs",
        help_text=_(
            "Accounts of the partner OPD that owns the program: they keep its recipients "
            "(enroll, end, import) and see nothing else of the registry."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    accepts_applications = models.BooleanField(_("residents can apply online"), default=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.required_documents.splitlines() if line.strip()]


class ProgramPeriod(models.Model):
    """A distribution period of a program (for example 2026 quarter IV), with its quota."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="periods"
    )
    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    quota = models.PositiveIntegerField(_("quota"), null=True, blank=True)

    class Meta:
        verbose_name = _("program period")
        verbose_name_plural = _("program periods")
        ordering = ["program_id", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "name"], name="%(app_label)s_%(class)s_unique_name"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return "{} · {}".format(self.program.name, self.name)

    def overlaps(self, other: "ProgramPeriod") -> bool:
        return self.starts_on <= other.ends_on and other.starts_on <= self.ends_on


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The user's region; a partner OPD's program manager: its own programs' recipients."""
        from core.choices import Role

        if user is not None and user.is_authenticated and user.role == Role.PROGRAM_MANAGER:
            if not user.is_active or not user.region_id:
                return self.none()
            from core.scope import within

            return self.filter(
                models.Q(program__managers=user)
                & within("household__village__code", user.region_id)
            )
        return self.filter(region_q(user, "household__village__code"))

    def active(self):
        return self.filter(status=EnrollmentStatus.ACTIVE)


class Enrollment(TimeStampedModel):
    """A household (or one member) receiving a program in a period (kepesertaan, KPM)."""

    program = models.ForeignKey(
        Program, verbose_name=_("program"), on_delete=models.PROTECT, related_name="enrollments"
    )
    period = models.ForeignKey(
        ProgramPeriod,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="enrollments"
    )
    individual = models.ForeignKey(
        Individual,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrollmentStatus, default=EnrollmentStatus.ACTIVE
    )
    source = models.CharField(_("source"), max_length=16, choices=EnrollmentSource)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.TextField(_("why it ended"), blank=True)
    double_dip_reason = models.TextField(
        _("reason for a second aid of the same type"),
        blank=True,
        help_text=_("Filled in when an officer allowed the same aid type from another funder."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "household"],
                condition=models.Q(individual__isnull=True),
                name="%(app_label)s_%(class)s_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["period", "household", "individual"],
                condition=models.Q(individual__isnull=False),
                name="%(app_label)s_%(class)s_one_per_person",
            ),
        ]
        indexes = [models.Index(fields=["household", "status"], name="dtks_enrol_hh_status_idx")]

    def __str__(self) -> str:
        return "{} · {}".format(self.program, self.household)
