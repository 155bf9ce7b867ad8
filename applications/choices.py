"""Choices of the aid-application flow (DESIGN.md §3, Permensos 3/2025)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    """Where an aid application (usulan bansos) stands; workflow.py says how it moves."""

    SUBMITTED = "submitted", _("Received")
    NEEDS_UPDATE = "needs_update", _("Registry data being updated")
    AWAITING_DELIBERATION = "awaiting_deliberation", _("Waiting for the village deliberation")
    DELIBERATED = "deliberated", _("Approved by the village, waiting for Dinsos verification")
    VERIFIED = "verified", _("Verified by Dinsos")
    REJECTED = "rejected", _("Not approved")
    FINALISED = "finalised", _("Finalised in the period list")
    RATIFIED = "ratified", _("Ratified by the regent")
    EXPORTED = "exported", _("Sent to the Ministry of Social Affairs")
    ACCEPTED = "accepted", _("Accepted by the ministry")
    NOT_ACCEPTED = "not_accepted", _("Not accepted by the ministry")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ApplicationChannel(models.TextChoices):
    """How the request reached Dinsos (recorded for every application)."""

    ONLINE = "online", _("Online by the resident")
    VILLAGE_OFFICE = "village_office", _("Village operator / facilitator")
    PUSKESOS = "puskesos", _("Puskesos at the village office")
    MPP_COUNTER = "mpp_counter", _("Counter at the public service mall (MPP)")
    HOME_VISIT = "home_visit", _("Home visit")
    API = "api", _("Partner system (API)")


class DocumentKind(models.TextChoices):
    KTP = "ktp", _("ID card (KTP)")
    KK = "kk", _("Family card (KK)")
    SKTM = "sktm", _("Letter of low income (SKTM)")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    SCHOOL_LETTER = "school_letter", _("Letter from the school")
    HOUSE_PHOTO = "house_photo", _("Photo of the house")
    LAND_PROOF = "land_proof", _("Proof of land ownership")
    OTHER = "other", _("Other document")


class ScreeningResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    NEEDS_UPDATE = "needs_update", _("Registry data must be updated first")


class ProposalKind(models.TextChoices):
    """What an update proposal (usulan pembaruan) asks for."""

    NEW_HOUSEHOLD = "new_household", _("Register a household that is not in the registry")
    CORRECTION = "correction", _("Correct registry data")
    REASSESSMENT = "reassessment", _("Re-assess the household's welfare")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Received")
    VARIABLES_FILLED = "variables_filled", _("Data filled in")
    GROUND_CHECKED = "ground_checked", _("Checked in the field")
    DELIBERATED = "deliberated", _("Decided by the village deliberation")
    APPLIED = "applied", _("Verified and applied to the registry")
    REJECTED = "rejected", _("Rejected")


class PovertyDecision(models.TextChoices):
    """The deliberation's judgement of an update proposal's household."""

    POOR = "poor", _("Poor / vulnerable")
    NOT_POOR = "not_poor", _("Not poor")


class DeliberationKind(models.TextChoices):
    MEETING = "meeting", _("Village deliberation (musdes / muskel)")
    SPTJM = "sptjm", _("Village head's liability statement (SPTJM)")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FINALISED = "finalised", _("Finalised, waiting for ratification")
    RATIFIED = "ratified", _("Ratified")
    EXPORTED = "exported", _("Sent to the ministry")


class ObjectionKind(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("A proposed or listed recipient is not eligible")
    MISSING = "missing", _("An eligible neighbour is missing")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class ObjectionOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the list is corrected")
    DISMISSED = "dismissed", _("Not upheld: the data is correct")
    FOLLOW_UP = "follow_up", _("Taken up as a new application or data update")
