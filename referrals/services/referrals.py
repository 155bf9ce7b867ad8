"""Referrals of one need to one provider's service: draft, send, answer, deliver, cancel."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import AuditAction, Role
from core.models import User
from core.services import (
    audit_log,
    notify_user,
    object_lock,
    status_transition,
)
from dtks.models import Individual
from silakso.exceptions import (
    DomainError,
)
from silakso.validation import required_text

from ..choices import ReferralStatus as R
from ..models import (
    Case,
    Provider,
    Referral,
    ReferralNote,
    Service,
)
from ..selectors import capacity_used, referral_duplicates
from ..workflow import REFERRAL_FLOW
from ._common import (
    STATUS_EVENTS,
    _authorize_case_work,
    _lock_case,
    webhook_queue,
)


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
    if target in STATUS_EVENTS and actor is not None and referral.provider.webhook_active:
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
    if referral.provider.webhook_active:
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
