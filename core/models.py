"""Accounts with a role and a region, the audit trail, jobs and the notification outbox."""

import datetime as dt
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from silakso.models import TimeStampedModel

from .choices import (
    AuditAction,
    CodePurpose,
    JobStatus,
    NotificationChannel,
    NotificationStatus,
    RegionLevel,
    Role,
)

# Roles whose scope is a region, and the region levels each may hold. Province-level scopes
# let the same roles serve a provincial installation (DESIGN.md §5).
ROLE_SCOPE_LEVELS: dict[str, tuple[int, ...]] = {
    Role.VILLAGE_OPERATOR: (RegionLevel.VILLAGE,),
    Role.VILLAGE_HEAD: (RegionLevel.VILLAGE,),
    Role.SUPERVISOR: (RegionLevel.DISTRICT,),
    Role.FRONT_OFFICE: (RegionLevel.REGENCY, RegionLevel.PROVINCE),
    Role.VERIFIER: (RegionLevel.REGENCY, RegionLevel.PROVINCE),
    Role.BACK_OFFICE: (RegionLevel.REGENCY, RegionLevel.PROVINCE),
    Role.DATA_MANAGER: (RegionLevel.REGENCY, RegionLevel.PROVINCE),
    Role.HEAD_OF_DIVISION: (RegionLevel.REGENCY, RegionLevel.PROVINCE),
    Role.REGENT_OFFICE: (RegionLevel.REGENCY,),
    Role.API_CLIENT: tuple(RegionLevel.values),
}


class SilaksoUserManager(UserManager):
    """``createsuperuser`` makes an installation-wide system administrator, never a resident:
    a superuser is staff, so it signs in with a second factor like every staff account."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.SYSTEM_ADMIN)
        extra_fields.setdefault("region", None)
        extra_fields.setdefault("full_name", username)
        if extra_fields["role"] != Role.SYSTEM_ADMIN:
            raise ValueError("A superuser is a system administrator (role=system_admin).")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person or machine that signs in. Its role says what it may do, its region where.

    Village operators start inactive: the head of their village activates them, so operator
    turnover does not leave live accounts behind (seed 002).
    """

    first_name = None
    last_name = None
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role, default=Role.RESIDENT)
    region = models.ForeignKey(
        "dtks.Region",
        verbose_name=_("region (scope)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The village, district or regency this account works in."),
    )
    phone = models.CharField(_("phone number"), max_length=20, blank=True)
    nik = models.CharField(
        _("NIK"),
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text=_(
            "Links the account to the person: a resident's own records; for staff, the "
            "separation of duties (nobody decides on their own household's request)."
        ),
    )
    activated_by = models.ForeignKey(
        "self",
        verbose_name=_("activated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    objects = SilaksoUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="%(app_label)s_%(class)s_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()

    def clean(self) -> None:
        super().clean()
        allowed = ROLE_SCOPE_LEVELS.get(self.role)
        if allowed is not None and self.role != Role.API_CLIENT:
            if self.region_id is None:
                raise ValidationError({"region": _("This role needs a region to work in.")})
            level = self.region.level
            if level not in allowed:
                raise ValidationError(
                    {
                        "region": _("A {role} works in a {levels}, not a {level}.").format(
                            role=self.get_role_display(),
                            levels=" / ".join(str(RegionLevel(x).label) for x in allowed),
                            level=RegionLevel(level).label,
                        )
                    }
                )
        if self.role == Role.RESIDENT and self.region_id is not None:
            raise ValidationError({"region": _("Resident accounts have no region scope.")})

    # ------------------------------------------------------------------ scope helpers
    @property
    def scope_code(self) -> str | None:
        """Region code prefix every scoped query starts from, or None for no region."""
        return self.region_id

    @property
    def is_installation_wide(self) -> bool:
        """System administrators without a region see the whole installation."""
        return self.is_superuser or (self.role == Role.SYSTEM_ADMIN and self.region_id is None)

    @property
    def is_regency_wide(self) -> bool:
        """Regency (or wider) roles: the only ones that see records with no region."""
        if self.is_installation_wide:
            return True
        return self.region_id is not None and self.region_id.count(".") <= 1

    @property
    def needs_two_factor(self) -> bool:
        """Staff sign in with a TOTP code: every role above resident, and whoever may open the
        admin (``is_staff``) or holds every permission (``is_superuser``), whatever the role
        field says. Residents sign in with a password; API clients use tokens."""
        if self.is_staff or self.is_superuser:
            return True
        return self.role not in (Role.RESIDENT, Role.API_CLIENT)


class AuditEventQuerySet(models.QuerySet):
    """Audit rows are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One entry of the append-only audit trail: a change of domain data or a sensitive read.

    On PostgreSQL a trigger also refuses UPDATE and DELETE, so not even a bug can rewrite it.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # DO_NOTHING and no database constraint: removing an account must never rewrite the trail
    # (actor_label keeps the name).
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=13, null=True, blank=True)
    changes = models.JSONField(_("before / after"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="core_audit_object_idx"),
            models.Index(fields=["region_code", "created_at"], name="core_audit_region_idx"),
            models.Index(fields=["actor", "created_at"], name="core_audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class Job(TimeStampedModel):
    """A long-running task started by a user, with progress that user can watch.

    The task name and arguments are stored so a job queued while Redis was down is sent again
    by the periodic sweep instead of being lost.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=64)
    label = models.CharField(_("description"), max_length=200)
    started_by = models.ForeignKey(
        User, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="jobs"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=JobStatus, default=JobStatus.QUEUED, db_index=True
    )
    task_name = models.CharField(_("task"), max_length=200)
    task_kwargs = models.JSONField(_("task arguments"), default=dict, blank=True)
    progress_current = models.PositiveBigIntegerField(_("done"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)
    message = models.TextField(_("message"), blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # the lease (core.jobs): who runs it, until when, how often it was tried, when it was sent
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    enqueued_at = models.DateTimeField(_("sent to the worker at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_until"], name="core_job_lease_idx")]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_current / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class Notification(TimeStampedModel):
    """The outbox: a message to a resident or officer, stored before any attempt to send it.

    Sending happens in a Celery task; when Redis, the worker or the gateway is down the row
    stays pending and a periodic sweep retries it with back-off.
    """

    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=NotificationStatus,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    object_type = models.CharField(_("about"), max_length=100, blank=True)
    object_id = models.CharField(_("about id"), max_length=64, blank=True)
    event = models.CharField(_("kind of message"), max_length=40, blank=True)
    #: the gateway's own id of the message, which its delivery receipt names
    provider_id = models.CharField(_("gateway's message id"), max_length=100, blank=True)
    delivery_status = models.CharField(_("delivery receipt"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_notif_due_idx"),
            models.Index(
                fields=["provider_id"],
                name="core_notif_provider_idx",
                condition=~models.Q(provider_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"


class SubmissionReceipt(models.Model):
    """What a form submission created, by the form's signed key: a retry (double tap, lost
    answer) is shown the same result instead of creating it again (silakso.forms.run_once)."""

    key = models.CharField(max_length=80, unique=True)
    url = models.CharField(max_length=400)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("submission receipt")
        verbose_name_plural = _("submission receipts")

    def __str__(self) -> str:
        return self.key


class ApiKeyQuerySet(models.QuerySet):
    def live(self, at=None):
        """Keys that open the API now: not revoked, not expired."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class ApiKey(models.Model):
    """A credential of a partner system (an API client account): what it may do (``scopes``),
    until when, from which addresses. Only a hash of the key is stored; the key itself is shown
    once, when it is issued (core.apikeys)."""

    client = models.ForeignKey(
        User, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(_("key begins with"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    allowed_ips = models.JSONField(
        _("allowed addresses"),
        default=list,
        blank=True,
        help_text=_("Addresses or networks (CIDR) the key works from; empty: any address."),
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(_("last used from"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "{} ({}…)".format(self.name, self.prefix)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and (
            self.expires_at is None or self.expires_at > timezone.now()
        )


class AgencyProfile(models.Model):
    """The agency's public contact details and opening hours: one row, kept by its
    administrator, shown on the public pages, in messages and on letters."""

    name = models.CharField(_("agency name"), max_length=150)
    address = models.CharField(_("office address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    whatsapp = models.CharField(_("WhatsApp"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.TextField(
        _("opening hours"),
        blank=True,
        help_text=_("One line per day or group of days, for example: Senin–Kamis 08.00–15.30."),
    )
    complaint_note = models.TextField(
        _("where else to complain"),
        blank=True,
        help_text=_("For example the Ombudsman's regional office, shown beside every service."),
    )
    quiet_from = models.TimeField(
        _("no SMS or WhatsApp from"),
        null=True,
        blank=True,
        default=dt.time(21, 0),
        help_text=_(
            "Messages about requests and complaints wait for the morning; one-time codes and "
            "answers to a resident's own message are sent at once. Leave both empty to send "
            "at any hour."
        ),
    )
    message_village = models.ForeignKey(
        "dtks.Region",
        verbose_name=_("village for complaints by SMS from unknown senders"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": 4},
        help_text=_(
            "A complaint sent by SMS or WhatsApp (ADUAN …) belongs to the sender's household's "
            "village when SILAKSO knows them; otherwise to this village's queue, for example "
            "the kelurahan of the SLRT secretariat. Empty: such senders are asked to use the "
            "online form."
        ),
    )
    quiet_until = models.TimeField(_("until"), null=True, blank=True, default=dt.time(7, 0))
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("agency profile")
        verbose_name_plural = _("agency profile")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="%(app_label)s_%(class)s_one")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def opening_lines(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]


class WebhookSubscription(models.Model):
    """A partner system (an API client) asks to be told of some event types at its URL."""

    client = models.ForeignKey(
        User, verbose_name=_("API client"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    url = models.URLField(_("URL"))
    events = models.JSONField(_("event types"), default=list)
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("set up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set up at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "{} → {}".format(self.client, self.url)


class EventDelivery(models.Model):
    """One signed POST of one event to one subscription, stored first and retried with
    back-off (``core.outbox``); the delivery log a partner's administrator reads."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=64, unique=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    sequence = models.PositiveIntegerField(_("sequence"), default=1)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=[
            ("pending", _("Waiting to be sent")),
            ("delivered", _("Delivered")),
            ("failed", _("Gave up")),
        ],
        default="pending",
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="core_event_due_idx"),
            models.Index(
                fields=["subscription", "object_type", "object_id"], name="core_event_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return "{} #{}".format(self.event, self.sequence)


class MonthlyReport(models.Model):
    """The month's report for the regent and the province: a PDF and an XLSX with the same
    tables, made on the first of each month (and on demand), with small cells suppressed."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    pdf = models.FileField(_("PDF"), upload_to="reports/")
    xlsx = models.FileField(_("XLSX"), upload_to="reports/")
    k = models.PositiveSmallIntegerField(_("smallest count shown"))
    generated_at = models.DateTimeField(_("made at"), auto_now=True)
    generated_by = models.ForeignKey(
        User,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when made by the monthly schedule."),
    )

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class MessageTemplate(models.Model):
    """An administrator's own text for one kind of message (``core.messaging.EVENTS``), for one
    channel or (channel empty) for all of them."""

    event = models.CharField(_("kind of message"), max_length=40)
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel, blank=True)
    subject = models.CharField(_("subject (email)"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    updated_by = models.ForeignKey(
        User, verbose_name=_("changed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("message text")
        verbose_name_plural = _("message texts")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"], name="%(app_label)s_%(class)s_one_per_channel"
            )
        ]

    def __str__(self) -> str:
        return "{} ({})".format(self.event, self.channel or "*")


class MessageOptOut(models.Model):
    """An address that asked for no more messages (a STOP reply, the resident's own page, the
    office). Only urgent messages — a one-time code the person asked for — still go."""

    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel)
    recipient = models.CharField(_("recipient"), max_length=254)
    source = models.CharField(_("asked through"), max_length=40)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("message opt-out")
        verbose_name_plural = _("message opt-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "recipient"], name="%(app_label)s_%(class)s_once"
            )
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.channel, self.recipient)


class OneTimeCode(models.Model):
    """A code sent by SMS to a resident's phone to sign up, sign in or choose a new password.

    Only a keyed hash of the code is kept. A request that matched nothing (a NIK not in the
    registry, a number without an account) still gets a row, marked ``usable=False``: the page
    answers the same for it, and no code entered ever opens it (no enumeration)."""

    purpose = models.CharField(_("for"), max_length=16, choices=CodePurpose)
    phone = models.CharField(_("phone number"), max_length=20)
    code_hash = models.CharField(max_length=64)
    usable = models.BooleanField(default=False)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    individual = models.ForeignKey(
        "dtks.Individual", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["phone", "created_at"], name="core_otp_phone_idx")]

    def __str__(self) -> str:
        return "{} {}".format(self.purpose, self.phone)


class InboundMessage(models.Model):
    """A message a resident sent to the agency's SMS/WhatsApp number, as the gateway passed it
    on (signed): kept once per gateway id, with what SILAKSO did with it."""

    gateway_id = models.CharField(_("gateway's message id"), max_length=100, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=NotificationChannel)
    sender = models.CharField(_("from"), max_length=30)
    text = models.TextField(_("message"))
    outcome = models.CharField(_("what was done"), max_length=40)
    object_code = models.CharField(_("tracking code"), max_length=40, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return "{} {}".format(self.sender, self.outcome)


class SurveyResponse(models.Model):
    """One resident's answer to the public satisfaction survey (IKM, Permenpan-RB 14/2017)
    about one finished service: nine elements scored 1–4, once per service given."""

    service = models.CharField(_("service"), max_length=40, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    region_code = models.CharField(max_length=20, blank=True, db_index=True)
    u1 = models.PositiveSmallIntegerField(_("requirements"))
    u2 = models.PositiveSmallIntegerField(_("procedure"))
    u3 = models.PositiveSmallIntegerField(_("time taken"))
    u4 = models.PositiveSmallIntegerField(_("cost"))
    u5 = models.PositiveSmallIntegerField(_("result"))
    u6 = models.PositiveSmallIntegerField(_("officers' competence"))
    u7 = models.PositiveSmallIntegerField(_("officers' conduct"))
    u8 = models.PositiveSmallIntegerField(_("handling of complaints and suggestions"))
    u9 = models.PositiveSmallIntegerField(_("facilities"))
    suggestion = models.TextField(_("suggestion"), blank=True)
    # who answered is not kept: the survey page promises that no officer sees it
    created_at = models.DateTimeField(_("answered at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction survey answer")
        verbose_name_plural = _("satisfaction survey answers")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="%(app_label)s_%(class)s_once"
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{"u{}__range".format(n): (1, 4)}),
                    name="%(app_label)s_%(class)s_u{}_range".format(n),
                )
                for n in range(1, 10)
            ),
        ]

    def __str__(self) -> str:
        return "{} {}".format(self.service, self.object_id)


class SummaryCount(models.Model):
    """One figure of the dashboards, per village: ``metric`` (households by desil, complaints
    received…), its ``key`` (the desil, the category, a step; "" for none) and its ``month``
    (empty for what stands now). Rewritten as a whole by ``core.dashboard.refresh`` from what
    the apps declare, so a dashboard adds up a few thousand rows instead of counting a million."""

    metric = models.CharField(max_length=40)
    region_code = models.CharField(max_length=20, null=True, blank=True)
    key = models.CharField(max_length=40, blank=True, default="")
    month = models.DateField(null=True, blank=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        indexes = [
            models.Index(fields=["region_code", "metric"], name="core_summary_region_idx"),
        ]

    def __str__(self) -> str:
        return "{} {} {}".format(self.metric, self.region_code, self.key)


class SummaryState(models.Model):
    """When the dashboards' figures were last counted, and how long it took (one row)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard count")
        verbose_name_plural = _("dashboard counts")

    def __str__(self) -> str:
        return str(self.refreshed_at)


class FieldSubmission(models.Model):
    """One item the field app sent from a phone's outbox (a birth, a field visit…), by the key
    the phone gave it: sent again after a lost answer, it gets the first answer back instead
    of being recorded twice (``core.fieldwork``)."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=60)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("item sent from the field app")
        verbose_name_plural = _("items sent from the field app")

    def __str__(self) -> str:
        return "{} {}".format(self.kind, self.key)
