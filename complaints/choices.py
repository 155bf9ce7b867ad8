"""Choices of the complaint flow (SLRT, DESIGN.md §3; seeds 001 and 004)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ComplaintStatus(models.TextChoices):
    """Where a complaint (pengaduan) stands; workflow.py says how it moves."""

    RECEIVED = "received", _("Received")
    FORWARDED = "forwarded", _("Forwarded to the district supervisor")
    IN_REVIEW = "in_review", _("Review and analysis at Dinsos")
    IN_FOLLOW_UP = "in_follow_up", _("Follow-up by the Dinsos back office")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class ComplaintCategory(models.TextChoices):
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    SOCIAL_AID = "social_aid", _("Social aid")
    HOUSING = "housing", _("Housing")
    DATA_CORRECTION = "data_correction", _("Correction of my data")
    MISUSE = "misuse", _("Misuse or abuse (for example a card kept by a cadre)")
    OTHER = "other", _("Something else")


class ComplaintChannel(models.TextChoices):
    ONLINE = "online", _("Online by the resident")
    HOME_VISIT = "home_visit", _("Home visit by a facilitator")
    PUSKESOS = "puskesos", _("Puskesos at the village office")
    SLRT_SECRETARIAT = "slrt_secretariat", _("SLRT secretariat")
    MPP_COUNTER = "mpp_counter", _("Counter at the public service mall (MPP)")
    API = "api", _("Partner system (API)")
    MESSAGE = "message", _("SMS or WhatsApp message")


class ResolvedBy(models.TextChoices):
    """Who solved it when the village could (a village, private or NGO programme)."""

    VILLAGE = "village", _("A village programme")
    PRIVATE = "private", _("A private or company programme")
    NGO = "ngo", _("An NGO or charity")
    DINSOS = "dinsos", _("The social agency")
    PROGRAM = "program", _("A social aid program")
    REFERRAL = "referral", _("A referral to a partner service")
    INFORMATION = "information", _("Information or explanation given")


class ToldVia(models.TextChoices):
    SMS = "sms", _("SMS / WhatsApp")
    EMAIL = "email", _("Email")
    PHONE_CALL = "phone_call", _("Phone call")
    IN_PERSON = "in_person", _("In person")


class Rating(models.IntegerChoices):
    """The IKM scale Indonesian public services use."""

    VERY_GOOD = 4, _("Very good")
    GOOD = 3, _("Good")
    POOR = 2, _("Poor")
    VERY_POOR = 1, _("Very poor")
