"""Choices of the core app: roles, scope levels, audit actions, job and notification states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in SILAKSO (DESIGN.md §1). One role per account."""

    RESIDENT = "resident", _("Resident")
    VILLAGE_OPERATOR = "village_operator", _("Village operator / facilitator")
    VILLAGE_HEAD = "village_head", _("Village head")
    SUPERVISOR = "supervisor", _("District supervisor")
    FRONT_OFFICE = "front_office", _("Front office (Dinsos)")
    VERIFIER = "verifier", _("Verifier (Dinsos)")
    BACK_OFFICE = "back_office", _("Back office (Dinsos)")
    DATA_MANAGER = "data_manager", _("Data manager (Dinsos)")
    HEAD_OF_DIVISION = "head_of_division", _("Head of division (Dinsos)")
    REGENT_OFFICE = "regent_office", _("Regent's office")
    PROVIDER_ADMIN = "provider_admin", _("Partner provider admin")
    PROGRAM_MANAGER = "program_manager", _("Program manager (partner OPD)")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    API_CLIENT = "api_client", _("API client (partner system)")


class RegionLevel(models.IntegerChoices):
    """Kemendagri hierarchy depth; a region code has as many dotted parts as its level."""

    PROVINCE = 1, _("Province")
    REGENCY = 2, _("Regency / city")
    DISTRICT = 3, _("District")
    VILLAGE = 4, _("Village")


class AuditAction(models.TextChoices):
    """What an audit event records."""

    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    TRANSITION = "transition", _("Status changed")
    VIEW = "view", _("Opened")
    VIEW_SENSITIVE = "view_sensitive", _("Full personal data shown")
    EXPORT = "export", _("Exported")
    LOOKUP = "lookup", _("Public lookup")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    ACTIVATE = "activate", _("Account activated")
    DEACTIVATE = "deactivate", _("Account deactivated")
    TWO_FACTOR = "two_factor", _("Two-factor setting changed")
    JOB = "job", _("Background job started")


class JobStatus(models.TextChoices):
    """Life of a background job as its starter sees it."""

    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Finished")
    FAILED = "failed", _("Failed")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Gave up")
    #: the person asked for no messages on this address (an urgent one-time code still goes)
    SKIPPED = "skipped", _("Not sent: the person asked for no messages")


class CodePurpose(models.TextChoices):
    """What a resident's one-time code opens."""

    SIGN_UP = "sign_up", _("Sign up")
    SIGN_IN = "sign_in", _("Sign in")
    RESET = "reset", _("New password")
