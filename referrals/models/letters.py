"""SLRT service letters, numbered per kind and year, with a public QR check."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scope import region_q
from silakso.models import TimeStampedModel

from ..choices import (
    LetterKind,
)
from .cases import Case
from .providers import _token


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(region_q(user, "region__code"))


class LetterCounter(models.Model):
    """The last number given to a kind of letter in a year (letters are numbered per year)."""

    kind = models.CharField(max_length=24, choices=LetterKind)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"], name="%(app_label)s_%(class)s_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return "{} {}: {}".format(self.kind, self.year, self.last)


class Letter(models.Model):
    """An SLRT service letter, issued as a PDF with a verification QR code."""

    kind = models.CharField(_("letter"), max_length=24, choices=LetterKind)
    number = models.CharField(_("number"), max_length=60, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    region = models.ForeignKey(
        "dtks.Region", verbose_name=_("issued for"), on_delete=models.PROTECT, related_name="+"
    )
    recipient_name = models.CharField(_("issued to"), max_length=150)
    recipient_nik = models.CharField(_("NIK"), max_length=16, blank=True)
    household = models.ForeignKey(
        "dtks.Household", on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="letters"
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    token = models.CharField(max_length=64, unique=True, default=_token)
    pdf = models.FileField(_("PDF"), upload_to="letters/", blank=True)
    sha256 = models.CharField(_("fingerprint"), max_length=64, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.TextField(_("why revoked"), blank=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("service letter")
        verbose_name_plural = _("service letters")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "sequence"], name="%(app_label)s_%(class)s_numbered_once"
            )
        ]

    def __str__(self) -> str:
        return self.number


class LetterTemplate(TimeStampedModel):
    """How one kind of letter reads and who signs it, kept by the regency's administrator.

    The opening paragraph and the signatory are copied onto each letter when it is issued, so
    a letter issued last year still shows who signed it then."""

    kind = models.CharField(_("letter"), max_length=24, choices=LetterKind, unique=True)
    opening = models.TextField(
        _("opening paragraph"),
        blank=True,
        help_text=_("Empty: the standard text of this kind of letter."),
    )
    closing = models.TextField(_("closing paragraph"), blank=True)
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signatory_position = models.CharField(
        _("signatory's position"),
        max_length=150,
        blank=True,
        help_text=_("For example: Kepala Dinas Sosial."),
    )
    signatory_nip = models.CharField(
        _("signatory's NIP"),
        max_length=18,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9]{18}$", _("A NIP has exactly 18 digits, without spaces."))
        ],
    )
    valid_days = models.PositiveSmallIntegerField(
        _("valid for (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_("Empty: the letter has no end date."),
    )
    is_active = models.BooleanField(
        _("can be issued"), default=True, help_text=_("Off: nobody can issue this letter.")
    )
    # The kind's own eligibility, checked against the registry before a number is given.
    max_desil = models.PositiveSmallIntegerField(
        _("highest desil"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Only households of this desil or lower get the letter. Empty: any desil."),
    )
    refused_programs = models.ManyToManyField(
        "dtks.Program",
        verbose_name=_("not for recipients of"),
        blank=True,
        related_name="+",
        help_text=_(
            "A person whose household receives one of these programs now gets no letter "
            "(for example PBI-JK for a health-cost letter)."
        ),
    )

    class Meta:
        verbose_name = _("letter kind")
        verbose_name_plural = _("letter kinds")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()
