"""Writes of case management and referrals: cases per household, referrals to providers with a
duplicate-service guard and capacity, the providers' answers, signed webhooks retried from the
database, and numbered service letters with a verification QR code."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import outbox
from core.choices import AuditAction, Role
from core.models import User
from core.outbox import SendFailed
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    notify_user,
    object_lock,
    open_audited,
    status_transition,
)
from dtks.models import Household, Individual, Region
from dtks.nik import mask_nik
from silakso.celery import enqueue_on_commit
from silakso.codes import save_with_code
from silakso.exceptions import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidTransition,
    NotFound,
    require,
)
from silakso.validation import required_text

from . import permissions as perms
from .choices import CaseStatus, DeliveryStatus, Domain, LetterKind, NeedLevel
from .choices import ReferralStatus as R
from .models import (
    Assessment,
    Case,
    Letter,
    LetterCounter,
    Provider,
    ProviderMember,
    Referral,
    ReferralNote,
    Service,
    WebhookDelivery,
    WebhookReceipt,
)
from .selectors import capacity_used, referral_duplicates
from .workflow import CASE_FLOW, REFERRAL_FLOW, SETTLED

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 10
SIGNATURE_TOLERANCE_SECONDS = 300
# The event a provider's system receives for each step after "sent".
STATUS_EVENTS = {
    R.CANCELLED: "referral.cancelled",
    R.ACCEPTED: "referral.accepted",
    R.DECLINED: "referral.declined",
    R.IN_SERVICE: "referral.started",
    R.COMPLETED: "referral.completed",
    R.FAILED: "referral.failed",
}


def _authorize_case_work(case: Case, actor, code: str) -> None:
    try:
        CASE_FLOW.authorize(code, case, actor)
    except InvalidTransition as exc:
        raise DomainError(_("The case is closed.")) from exc


def _lock_case(case: Case, actor) -> Case:
    """The case, locked, through the actor's scope."""
    return object_lock(Case, case.pk, actor=actor)


# ============================================================================ providers
@transaction.atomic
def provider_save(*, provider: Provider, actor) -> Provider:
    """An administrator adds or changes a provider."""
    require(
        perms.has_role(actor, *perms.CATALOGUE_ADMINS), _("Only administrators manage providers.")
    )
    created = provider.pk is None
    provider.full_clean()
    provider.save()
    audit_log(
        actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=provider
    )
    return provider


@transaction.atomic
def provider_member_add(*, user: User, provider: Provider, actor) -> ProviderMember:
    """Link a provider admin or a provider's API client account to its provider."""
    require(
        perms.has_role(actor, *perms.CATALOGUE_ADMINS), _("Only administrators manage providers.")
    )
    if user.role not in (Role.PROVIDER_ADMIN, Role.API_CLIENT):
        raise ValidationError(
            {"user": _("Only provider admins and API clients work for a provider.")}
        )
    if user.region_id is not None:
        # A regional API client reads the registry of its region; a provider's reads only the
        # referrals sent to it and their summaries.
        raise ValidationError(
            {"user": _("A provider's account has no region; remove the region first.")}
        )
    member, _created = ProviderMember.objects.update_or_create(
        user=user, defaults={"provider": provider}
    )
    user.__dict__.pop("_silakso_provider", None)  # forget what provider_of() remembered
    audit_log(
        actor=actor, action=AuditAction.UPDATE, obj=user, changes={"provider": [None, provider.pk]}
    )
    return member


@transaction.atomic
def service_save(*, service: Service, actor) -> Service:
    """The provider's own admin keeps its catalogue current (administrators too)."""
    require(
        perms.is_provider_of(actor, service.provider)
        or perms.has_role(actor, *perms.CATALOGUE_ADMINS),
        _("You keep the catalogue of your own organisation only."),
    )
    created = service.pk is None
    service.full_clean()
    service.save()
    audit_log(
        actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=service
    )
    return service


@transaction.atomic
def provider_connection_save(
    *, provider: Provider, webhook_url: str, actor, new_secret: bool = False
) -> Provider:
    """The provider's admin connects its own system: where referrals are announced, and a
    fresh signing secret when the old one may have leaked."""
    require(
        perms.is_provider_of(actor, provider) or perms.has_role(actor, *perms.CATALOGUE_ADMINS),
        _("You connect the system of your own organisation only."),
    )
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    provider.webhook_url = (webhook_url or "").strip()
    if new_secret:
        provider.webhook_secret = secrets.token_urlsafe(32)
    provider.full_clean()
    provider.save(update_fields=["webhook_url", "webhook_secret", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=provider,
        changes={"webhook_url": [None, provider.webhook_url], "new_secret": [None, new_secret]},
    )
    return provider


# ============================================================================ cases
@transaction.atomic
def case_create(
    *,
    household: Household,
    origin: str,
    actor,
    complaint=None,
    application=None,
    plan: str = "",
    contact_phone: str = "",
) -> Case:
    """Open the household's case (one open case per household)."""
    case = Case(
        household=household,
        village_id=household.village_id,
        origin=origin,
        complaint=complaint,
        application=application,
        plan=(plan or "").strip(),
        contact_phone=(contact_phone or "").strip()[:20],
        opened_by=actor,
        status="",
    )
    CASE_FLOW.authorize("open", case, actor)
    household = object_lock(Household, household.pk, actor=actor)
    existing = Case.objects.filter(household=household, status=CaseStatus.OPEN).first()
    if existing is not None:
        raise DomainError(
            _("This household already has an open case: {code}.").format(code=existing.code),
            code="case_open",
        )
    try:
        save_with_code(
            case,
            prefix="K",
            save=lambda: status_transition(case, CaseStatus.OPEN, flow=CASE_FLOW, actor=actor),
        )
    except IntegrityError as exc:  # another officer opened one at the same moment
        raise DomainError(_("This household already has an open case."), code="case_open") from exc
    Assessment.objects.bulk_create(
        [Assessment(case=case, domain=domain) for domain in Domain.values]
    )
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        region_code=case.village_id,
        changes={"origin": [None, origin]},
    )
    return case


@transaction.atomic
def case_assess(*, case: Case, domain: str, need: str, notes: str, actor) -> Assessment:
    """Record the household's need in a domain."""
    case = _lock_case(case, actor)
    _authorize_case_work(case, actor, "assess")
    if domain not in Domain.values or need not in NeedLevel.values:
        raise ValidationError({"need": _("Choose the domain and the need.")})
    assessment, _created = Assessment.objects.update_or_create(
        case=case, domain=domain, defaults={"need": need, "notes": (notes or "").strip()}
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        region_code=case.village_id,
        changes={domain: [None, need]},
    )
    return assessment


@transaction.atomic
def case_plan(*, case: Case, plan: str, follow_up_on: dt.date | None, actor) -> Case:
    case = _lock_case(case, actor)
    _authorize_case_work(case, actor, "plan")
    case.plan = (plan or "").strip()
    case.follow_up_on = follow_up_on
    case.save(update_fields=["plan", "follow_up_on", "updated_at"])
    audit_log(actor=actor, action=AuditAction.UPDATE, obj=case, region_code=case.village_id)
    return case


@transaction.atomic
def case_follow_up_done(*, case: Case, notes: str, actor) -> Case:
    """The follow-up visit (the fifth SLRT stage) took place."""
    case = _lock_case(case, actor)
    CASE_FLOW.authorize("follow_up", case, actor)
    case.follow_up_notes = required_text(
        notes, "notes", message=_("Write what the follow-up found."), minimum=3, maximum=4000
    )
    case.follow_up_done_at = timezone.now()
    case.save(update_fields=["follow_up_notes", "follow_up_done_at", "updated_at"])
    audit_log(actor=actor, action=AuditAction.UPDATE, obj=case, region_code=case.village_id)
    return case


@transaction.atomic
def case_close(*, case: Case, actor) -> Case:
    """Close the case once every referral is settled and the follow-up is done."""
    case = _lock_case(case, actor)
    CASE_FLOW.authorize("close", case, actor)
    open_referrals = case.referrals.exclude(status__in=SETTLED).count()
    if open_referrals:
        raise DomainError(
            _("{count} referral(s) are not settled yet.").format(count=open_referrals),
            code="referrals_open",
        )
    if case.follow_up_on and case.follow_up_done_at is None:
        raise DomainError(_("Record the follow-up visit first."), code="follow_up_open")
    case.closed_at = timezone.now()
    status_transition(case, CaseStatus.CLOSED, flow=CASE_FLOW, actor=actor, fields=["closed_at"])
    return case


# ============================================================================ referrals
def _move(referral: Referral, target: str, *, actor, note: str = "", fields=()) -> Referral:
    status_transition(
        referral,
        target,
        flow=REFERRAL_FLOW,
        actor=actor,
        note=note,
        fields=tuple(fields),
        region_code=referral.case.village_id,
    )
    # the provider's system hears of every step after "sent" but those it sent itself
    if target in STATUS_EVENTS and actor is not None and referral.provider.webhook_url:
        webhook_queue(referral=referral, event=STATUS_EVENTS.get(target, "referral.status_changed"))
    return referral


def _lock(referral: Referral, actor) -> Referral:
    """The referral, locked, through the actor's reach (case workers: their area; a provider:
    what was sent to it). No actor: an authenticated event from the provider's own system."""
    return object_lock(Referral, referral.pk, actor=actor, related=("case", "service", "provider"))


@transaction.atomic
def referral_create(
    *,
    case: Case,
    service: Service,
    need: str,
    actor,
    individual: Individual | None = None,
    follow_up_on: dt.date | None = None,
) -> Referral:
    """A draft referral of one need to one provider's service."""
    case = _lock_case(case, actor)
    _authorize_case_work(case, actor, "refer")
    if individual is not None and individual.household_id != case.household_id:
        raise ValidationError({"individual": _("Choose a member of this household.")})
    referral = Referral(
        status="",
        case=case,
        service=service,
        provider=service.provider,
        individual=individual,
        need=required_text(
            need, "need", message=_("Write what is needed."), minimum=3, maximum=4000
        ),
        follow_up_on=follow_up_on,
        status_changed_at=timezone.now(),
    )
    REFERRAL_FLOW.authorize("create", referral, actor)
    _move(referral, R.DRAFT, actor=actor)
    audit_log(actor=actor, action=AuditAction.CREATE, obj=referral, region_code=case.village_id)
    return referral


def _provider_users(provider: Provider):
    return User.objects.filter(
        is_active=True, provider_membership__provider=provider, role=Role.PROVIDER_ADMIN
    )


@transaction.atomic
def referral_send(*, referral: Referral, actor, duplicate_reason: str = "") -> Referral:
    """Send a draft to the provider: an active provider and service with room left; a similar
    active or delivered service for the same person needs a reason."""
    referral = _lock(referral, actor)
    REFERRAL_FLOW.authorize("send", referral, actor)
    if not referral.provider.is_active or not referral.service.is_active:
        raise DomainError(
            _("{provider} does not take referrals now.").format(provider=referral.provider.name),
            code="provider_inactive",
            fields={"service": ""},
        )
    # Lock the service so two officers cannot both take its last place in the period.
    capacity = Service.objects.select_for_update().get(pk=referral.service_id).capacity
    if capacity is not None and capacity_used(referral.service) >= capacity:
        raise DomainError(
            _("{service} is full for this period ({capacity}). Choose another service.").format(
                service=referral.service.name, capacity=capacity
            ),
            code="capacity_full",
            fields={"service": ""},
        )
    duplicates = referral_duplicates(referral)
    duplicate_reason = (duplicate_reason or "").strip()
    if duplicates and len(duplicate_reason) < 5:
        raise DomainError(
            _(
                "A similar service is already active or delivered: {list}. Give a reason to send it anyway."
            ).format(
                list="; ".join(
                    "{} ({}, {})".format(d.service.name, d.provider.name, d.get_status_display())
                    for d in duplicates
                )
            ),
            code="duplicate_service",
            fields={"duplicate_reason": ""},
        )
    now = timezone.now()
    referral.duplicate_reason = duplicate_reason if duplicates else ""
    referral.sent_at = now
    referral.sent_by = actor
    referral.response_due_at = now + dt.timedelta(days=settings.SILAKSO_REFERRAL_RESPONSE_DAYS)
    _move(
        referral,
        R.SENT,
        actor=actor,
        note=referral.duplicate_reason,
        fields=["duplicate_reason", "sent_at", "sent_by", "response_due_at"],
    )
    if referral.provider.webhook_url:
        webhook_queue(referral=referral, event="referral.sent")
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New referral: {service}").format(service=referral.service.name)
        body = _(
            "A referral for {service} was sent to {provider}. Open SILAKSO to accept or decline it."
        ).format(service=referral.service.name, provider=referral.provider.name)
    for user in _provider_users(referral.provider):
        notify_user(user=user, subject=subject, body=body, obj=referral)
    return referral


def _provider_step(code: str, referral: Referral, actor) -> Referral:
    """Lock and authorise a provider's step: its accounts, an administrator acting for it, or
    (no actor) an authenticated event from its own system."""
    referral = _lock(referral, actor)
    REFERRAL_FLOW.authorize(code, referral, actor, system=actor is None)
    return referral


@transaction.atomic
def referral_respond(*, referral: Referral, actor, accept: bool, reason: str = "") -> Referral:
    """The provider accepts, or declines with a reason."""
    referral = _provider_step("accept" if accept else "decline", referral, actor)
    now = timezone.now()
    referral.responded_at = now
    if accept:
        return _move(referral, R.ACCEPTED, actor=actor, fields=["responded_at"])
    referral.decline_reason = required_text(
        reason, "reason", message=_("Say why it is declined."), minimum=3, maximum=4000
    )
    referral.completed_at = now
    return _move(
        referral,
        R.DECLINED,
        actor=actor,
        note=referral.decline_reason,
        fields=["responded_at", "decline_reason", "completed_at"],
    )


@transaction.atomic
def referral_start(*, referral: Referral, actor) -> Referral:
    referral = _provider_step("start", referral, actor)
    referral.started_at = timezone.now()
    return _move(referral, R.IN_SERVICE, actor=actor, fields=["started_at"])


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError({"value": _("Write the value in rupiah, digits only.")}) from exc
    if amount < 0:
        raise ValidationError({"value": _("Write the value in rupiah, digits only.")})
    return amount


@transaction.atomic
def referral_complete(
    *, referral: Referral, actor, outcome: str, outcome_date: dt.date | None = None, value=None
) -> Referral:
    """The service was delivered: what, when, and its value where relevant."""
    referral = _provider_step("complete", referral, actor)
    referral.outcome = required_text(
        outcome, "outcome", message=_("Write what was delivered."), minimum=3, maximum=4000
    )
    referral.outcome_date = outcome_date or timezone.localdate()
    if referral.outcome_date > timezone.localdate():
        raise ValidationError({"outcome_date": _("The date cannot be in the future.")})
    referral.value = _money(value)
    referral.completed_at = timezone.now()
    return _move(
        referral,
        R.COMPLETED,
        actor=actor,
        note=referral.outcome,
        fields=["outcome", "outcome_date", "value", "completed_at"],
    )


@transaction.atomic
def referral_fail(*, referral: Referral, actor, reason: str) -> Referral:
    referral = _provider_step("fail", referral, actor)
    referral.outcome = required_text(
        reason, "reason", message=_("Say why it could not be delivered."), minimum=3, maximum=4000
    )
    referral.completed_at = timezone.now()
    return _move(
        referral, R.FAILED, actor=actor, note=referral.outcome, fields=["outcome", "completed_at"]
    )


@transaction.atomic
def referral_cancel(*, referral: Referral, actor, reason: str) -> Referral:
    """The case worker withdraws a draft or an unanswered referral."""
    referral = _lock(referral, actor)
    REFERRAL_FLOW.authorize("cancel", referral, actor)
    reason = required_text(
        reason, "reason", message=_("Say why it is cancelled."), minimum=3, maximum=4000
    )
    referral.completed_at = timezone.now()
    return _move(referral, R.CANCELLED, actor=actor, note=reason, fields=["completed_at"])


@transaction.atomic
def referral_note(*, referral: Referral, actor, text: str) -> ReferralNote:
    """A monitoring note, by the case worker or the provider."""
    referral = _lock(referral, actor)
    REFERRAL_FLOW.authorize("note", referral, actor)
    note = ReferralNote.objects.create(
        referral=referral,
        author=actor,
        text=required_text(text, "text", message=_("Write the note."), minimum=3, maximum=4000),
    )
    audit_log(
        actor=actor, action=AuditAction.UPDATE, obj=referral, region_code=referral.case.village_id
    )
    return note


def referrals_escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic job: referrals the provider has not answered in time are escalated to its
    admins and to the Dinsos back office and head of division of the case's regency."""
    now = now or timezone.now()
    late = list(
        Referral.objects.filter(status=R.SENT, response_due_at__lt=now)
        .order_by("response_due_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for pk in late:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("case", "provider", "service")
                .filter(pk=pk, status=R.SENT, response_due_at__lt=now)
                .first()
            )
            if referral is None:
                continue
            referral.escalation_level += 1
            referral.last_escalated_at = now
            referral.response_due_at = now + dt.timedelta(
                days=settings.SILAKSO_REFERRAL_RESPONSE_DAYS
            )
            referral.save(
                update_fields=[
                    "escalation_level",
                    "last_escalated_at",
                    "response_due_at",
                    "updated_at",
                ]
            )
            regency = ".".join(referral.case.village_id.split(".")[:2])
            officers = list(_provider_users(referral.provider)) + list(
                User.objects.filter(
                    is_active=True,
                    role__in=[Role.BACK_OFFICE, Role.HEAD_OF_DIVISION],
                    region_id=regency,
                )
            )
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Referral not answered: {service}").format(
                    service=referral.service.name
                )
                body = _(
                    "The referral of case {case} to {provider} has not been accepted or declined in "
                    "time (escalation {level})."
                ).format(
                    case=referral.case.code,
                    provider=referral.provider.name,
                    level=referral.escalation_level,
                )
            for officer in officers:
                notify_user(user=officer, subject=subject, body=body, obj=referral)
            audit_log(
                actor=None,
                action=AuditAction.UPDATE,
                obj=referral,
                region_code=referral.case.village_id,
                changes={
                    "escalation_level": [referral.escalation_level - 1, referral.escalation_level]
                },
                reason=_("Late: escalated"),
            )
            count += 1
    return count


# ============================================================================ webhooks
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the provider's secret, as hex."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def referral_payload(referral: Referral) -> dict:
    """What a provider's system receives: the referral and the summary it needs, no more."""
    from .selectors import referral_summary

    return {
        "referral": referral.pk,
        "case": referral.case.code,
        "service": {
            "id": referral.service_id,
            "name": referral.service.name,
            "domain": referral.service.domain,
        },
        "status": referral.status,
        "need": referral.need,
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "respond_by": referral.response_due_at.isoformat() if referral.response_due_at else None,
        "person": referral_summary(referral=referral),
    }


def webhook_queue(*, referral: Referral, event: str) -> WebhookDelivery:
    """Store the delivery first (in the transaction of the change); the task sends it after
    commit, retried from the database. ``sequence`` numbers the events of one referral so the
    provider's system can put them in order and drop a duplicate (same ``event_id``)."""
    sequence = WebhookDelivery.objects.filter(referral=referral).count() + 1
    delivery = WebhookDelivery.objects.create(
        provider=referral.provider,
        referral=referral,
        event=event,
        sequence=sequence,
        url=referral.provider.webhook_url,
        payload={},
        next_attempt_at=timezone.now(),
    )
    delivery.payload = {
        "event": event,
        "event_id": delivery.event_id,
        "sequence": sequence,
        **referral_payload(referral),
    }
    delivery.save(update_fields=["payload"])
    from .tasks import deliver_webhook_task

    enqueue_on_commit(deliver_webhook_task, delivery.pk)
    return delivery


def _post_signed(delivery: WebhookDelivery, *, timeout: float) -> dict:
    """One signed POST of a delivery (no transaction is open: core.outbox)."""
    secret = Provider.objects.filter(pk=delivery.provider_id).values_list(
        "webhook_secret", flat=True
    )[0]
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the admin's configured http(s) URL
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SILAKSO-webhook/1",
            "X-Silakso-Event": delivery.event,
            "X-Silakso-Event-Id": delivery.event_id,
            "X-Silakso-Sequence": str(delivery.sequence),
            "X-Silakso-Timestamp": timestamp,
            "X-Silakso-Signature": "sha256=" + sign(secret, timestamp, body),
        },
    )
    if not delivery.url.startswith(("https://", "http://")):
        raise SendFailed("not an http(s) URL", fields={"last_status_code": None})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            code = response.status
    except urllib.error.HTTPError as exc:
        raise SendFailed("HTTP {}".format(exc.code), fields={"last_status_code": exc.code}) from exc
    except Exception as exc:
        raise SendFailed(
            str(exc)[:1000] or exc.__class__.__name__, fields={"last_status_code": None}
        ) from exc
    if not 200 <= code < 300:
        raise SendFailed("HTTP {}".format(code), fields={"last_status_code": code})
    return {"last_status_code": code}


def webhook_deliver(
    *, delivery_id: int, timeout: float = 10, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """POST one pending delivery, signed (claim → send outside any lock → record); on failure
    it is due again after the outbox's back-off, and given up after MAX_DELIVERY_ATTEMPTS."""
    return outbox.deliver(
        WebhookDelivery,
        delivery_id,
        lambda delivery: _post_signed(delivery, timeout=timeout),
        pending=DeliveryStatus.PENDING,
        sent=DeliveryStatus.DELIVERED,
        failed=DeliveryStatus.FAILED,
        sent_at_field="delivered_at",
        max_attempts=MAX_DELIVERY_ATTEMPTS,
        now=now,
    )


def webhooks_deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The periodic sweep: deliveries whose next attempt is due (for example after an outage).

    After one failure to an address the sweep leaves that address's other deliveries for the
    next run, so one provider whose endpoint hangs does not hold the worker for all of them."""
    due = outbox.due(WebhookDelivery, pending=DeliveryStatus.PENDING, limit=limit, now=now)
    urls = dict(WebhookDelivery.objects.filter(pk__in=due).values_list("pk", "url"))
    delivered = 0
    failing: set[str] = set()
    for pk in due:
        url = urls.get(pk)
        if url is None or url in failing:
            continue
        result = webhook_deliver(delivery_id=pk, now=now)
        if result is None:
            continue
        if result.status == DeliveryStatus.DELIVERED:
            delivered += 1
        else:
            failing.add(url)
    return delivered


INBOUND_ACTIONS = ("accepted", "declined", "started", "completed", "failed", "note")


@transaction.atomic
def webhook_receive(*, provider: Provider, headers: Mapping[str, str], body: bytes) -> Referral:
    """An event from a provider's own system, signed with its secret: verified (signature,
    freshness), applied once (a replayed event id is refused), then applied like the portal."""
    timestamp = headers.get("X-Silakso-Timestamp", "")
    signature = headers.get("X-Silakso-Signature", "").removeprefix("sha256=")
    event_id = headers.get("X-Silakso-Event-Id", "").strip()
    expected = sign(provider.webhook_secret, timestamp, body)
    if not provider.is_active or not hmac.compare_digest(expected, signature):
        raise Forbidden(_("The signature does not match."))
    try:
        age = abs(timezone.now().timestamp() - int(timestamp))
    except ValueError:
        age = SIGNATURE_TOLERANCE_SECONDS + 1
    if age > SIGNATURE_TOLERANCE_SECONDS:
        raise Forbidden(_("The event is too old or from the future; send it again."))
    if not event_id:
        raise ValidationError({"event_id": _("Each event needs its own X-Silakso-Event-Id.")})
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(provider=provider, event_id=event_id[:64])
    except IntegrityError as exc:
        raise Conflict(_("This event was already received."), code="replayed") from exc
    try:
        data: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise ValidationError({"body": _("The body is not JSON.")}) from exc
    action = data.get("action")
    if action not in INBOUND_ACTIONS:
        raise ValidationError(
            {"action": _("Use one of: {actions}.").format(actions=", ".join(INBOUND_ACTIONS))}
        )
    referral = (
        Referral.objects.filter(pk=data.get("referral"), provider=provider)
        .exclude(status=R.DRAFT)
        .first()
    )
    if referral is None:
        raise NotFound(_("No such referral for this provider."))
    if action in ("accepted", "declined"):
        return referral_respond(
            referral=referral,
            actor=None,
            accept=action == "accepted",
            reason=data.get("reason", ""),
        )
    if action == "started":
        return referral_start(referral=referral, actor=None)
    if action == "completed":
        try:
            outcome_date = dt.date.fromisoformat(data["outcome_date"])
        except KeyError:
            outcome_date = None
        except (TypeError, ValueError) as exc:
            raise ValidationError({"outcome_date": _("Write the date as YYYY-MM-DD.")}) from exc
        return referral_complete(
            referral=referral,
            actor=None,
            outcome=data.get("outcome", ""),
            outcome_date=outcome_date,
            value=data.get("value"),
        )
    if action == "failed":
        return referral_fail(referral=referral, actor=None, reason=data.get("reason", ""))
    ReferralNote.objects.create(
        referral=referral,
        author=None,
        text=required_text(
            data.get("text", ""), "text", message=_("Write the note."), minimum=3, maximum=4000
        ),
    )
    return referral


# ============================================================================ letters
LETTER_CODES = {
    LetterKind.LKS: "LKS",
    LetterKind.LKM_NIK: "LKM",
    LetterKind.DTKS_RECEIPT: "DTKS",
    LetterKind.REPATRIATION: "PLG",
}
LETTER_FIELDS = {
    LetterKind.LKS: ("institution", "institution_address", "chairperson"),
    LetterKind.LKM_NIK: ("health_facility", "purpose"),
    LetterKind.DTKS_RECEIPT: ("registered_on",),
    LetterKind.REPATRIATION: ("origin", "destination", "transport"),
}


@transaction.atomic
def letter_issue(
    *,
    kind: str,
    region: Region,
    recipient_name: str,
    actor,
    recipient_nik: str = "",
    details: Mapping[str, Any] | None = None,
    household: Household | None = None,
    case: Case | None = None,
    valid_until: dt.date | None = None,
) -> Letter:
    """Issue a numbered SLRT letter (numbers restart every year) as a PDF with a QR code."""
    from dtks.nik import check_nik, normalize_number

    from .letters import render_letter

    require(perms.can_issue_letters(actor), _("Your role does not issue letters."))
    if kind not in LetterKind.values:
        raise ValidationError({"kind": _("Choose the letter.")})
    assert_in_scope(actor, region.code if region is not None else None)
    errors = {}
    name = " ".join((recipient_name or "").split())
    if len(name) < 2:
        errors["recipient_name"] = [_("Write the name.")]
    nik = normalize_number(recipient_nik or "")
    if kind in (LetterKind.LKM_NIK, LetterKind.DTKS_RECEIPT) and not check_nik(nik).valid:
        errors["recipient_nik"] = list(check_nik(nik).errors.values()) or [
            _("A NIK is needed for this letter.")
        ]
    details = {
        key: str(value).strip()
        for key, value in (details or {}).items()
        if key in LETTER_FIELDS[kind]
    }
    for field in LETTER_FIELDS[kind]:
        if field != "registered_on" and not details.get(field):
            errors[field] = [_("This is needed for the letter.")]
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    counter, _created = LetterCounter.objects.select_for_update().get_or_create(
        kind=kind, year=today.year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    letter = Letter.objects.create(
        kind=kind,
        number="{:04d}/{}/SLRT/{}".format(counter.last, LETTER_CODES[kind], today.year),
        year=today.year,
        sequence=counter.last,
        region=region,
        recipient_name=name[:150],
        recipient_nik=nik,
        household=household,
        case=case,
        details=details,
        valid_until=valid_until,
        issued_by=actor,
    )
    pdf = render_letter(letter)
    letter.pdf.save("surat-{}.pdf".format(letter.pk), ContentFile(pdf), save=False)
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.save(update_fields=["pdf", "sha256"])
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=letter,
        region_code=region.code,
        changes={"kind": [None, kind], "number": [None, letter.number]},
    )
    return letter


@transaction.atomic
def letter_revoke(*, letter: Letter, actor, reason: str) -> Letter:
    require(perms.can_issue_letters(actor), _("Your role does not revoke letters."))
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    assert_in_scope(actor, letter.region_id)
    if letter.revoked_at is not None:
        raise DomainError(_("The letter is already revoked."))
    letter.revoke_reason = required_text(
        reason, "reason", message=_("Say why the letter is revoked."), minimum=3, maximum=4000
    )
    letter.revoked_at = timezone.now()
    letter.save(update_fields=["revoke_reason", "revoked_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=letter,
        region_code=letter.region_id,
        reason=letter.revoke_reason,
    )
    return letter


# ============================================================================ audited reads
def case_open(*, user, pk) -> Case:
    """One case of the caller's area (its needs, plan and referrals), audited."""
    from .selectors import case_list

    return open_audited(case_list(user=user), pk, user=user, region="village_id")


def referral_open(*, user, pk) -> Referral:
    """One referral with the household summary, audited. The provider it was sent to sees the
    full NIK (it registers the person with it: a sensitive read); a case worker sees it
    masked (the household page is where they reveal it)."""
    from .selectors import referral_list, referral_summary

    try:
        referral = referral_list(user=user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc
    is_provider = perms.is_provider_of(user, referral.provider)
    summary = referral_summary(referral=referral)
    audit_log(
        actor=user,
        action=AuditAction.VIEW_SENSITIVE if is_provider else AuditAction.VIEW,
        obj=referral,
        object_repr=mask_nik(summary["nik"]),
        region_code=referral.case.village_id,
        reason="referral summary",
    )
    if not is_provider:
        summary["nik"] = mask_nik(summary["nik"])
    referral.summary = summary
    referral.is_provider = is_provider
    return referral


def letter_pdf_open(*, user, pk) -> Letter:
    """A letter's PDF (it carries the recipient's name and NIK): an audited export."""
    from .selectors import letter_list

    return open_audited(
        letter_list(user=user), pk, user=user, region="region_id", action=AuditAction.EXPORT
    )


def referral_export_audit(*, actor) -> None:
    """Every export of the referral statistics is in the audit trail."""
    audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="referrals.referral",
        object_repr="referrals export",
        region_code=actor.scope_code,
    )
