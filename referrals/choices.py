"""Choices of case management and referrals (SLRT, DESIGN.md §3; seed 001's five stages)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProviderKind(models.TextChoices):
    OPD = "opd", _("Government agency (OPD)")
    NATIONAL_PROGRAM = "national_program", _("National program")
    CSR = "csr", _("Company (CSR)")
    NGO = "ngo", _("NGO / community organisation")
    BAZNAS = "baznas", _("BAZNAS / zakat body")


class Domain(models.TextChoices):
    """Where a household's needs are assessed and referred."""

    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    ECONOMY = "economy", _("Economy and work")
    CIVIL_DOCUMENTS = "civil_documents", _("Civil documents")
    SOCIAL_REHABILITATION = "social_rehabilitation", _("Social rehabilitation")


class NeedLevel(models.TextChoices):
    NONE = "none", _("No need")
    SOME = "some", _("Some need")
    URGENT = "urgent", _("Urgent need")


class CapacityPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class CaseOrigin(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    COMPLAINT = "complaint", _("A complaint")
    APPLICATION = "application", _("An aid application")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent, waiting for the provider")
    ACCEPTED = "accepted", _("Accepted by the provider")
    DECLINED = "declined", _("Declined by the provider")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Could not be delivered")
    CANCELLED = "cancelled", _("Cancelled")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class LetterKind(models.TextChoices):
    """SLRT service letters (seed 004, Bekasi's service recap)."""

    LKS = "lks", _("Registered social welfare institution (LKS) letter")
    LKM_NIK = "lkm_nik", _("Health service recommendation by NIK (LKM-NIK)")
    DTKS_RECEIPT = "dtks_receipt", _("DTKS registration receipt")
    REPATRIATION = "repatriation", _("Repatriation of a stranded person")
