"""Writes of the complaint flow. A complaint is stored before anything else happens; every step
checks role and scope, follows the transition table, sets the step's SLA deadline, writes a
status row and an audit event, and queues the resident's message in the database outbox."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import AuditAction, NotificationChannel, Role
from core.middleware import current_client_ip
from core.permissions import configures_installation
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    message_queue,
    notify_user,
    object_lock,
    open_audited,
    status_transition,
)
from core.uploads import process_upload
from dtks.choices import IndividualStatus
from dtks.models import Individual, Program, Region
from dtks.nik import check_nik, normalize_number
from silakso.codes import save_with_code
from silakso.exceptions import DomainError, Forbidden, InvalidTransition, NotFound, require
from silakso.links import public_url
from silakso.validation import contact, required_text

from . import permissions as perms
from .choices import ComplaintCategory, ComplaintChannel, ComplaintStatus, ResolvedBy, ToldVia
from .models import (
    DEFAULT_SLA_HOURS,
    Complaint,
    ComplaintAttachment,
    ComplaintEscalation,
    SlaRule,
)
from .resident_texts import step_text
from .tracking import hash_secret, new_secret
from .workflow import COMPLAINT_FLOW, ESCALATE_TO

MAX_DESCRIPTION = 4000
MAX_ATTACHMENTS = 3
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
STAFF_CHANNELS = (
    ComplaintChannel.HOME_VISIT,
    ComplaintChannel.PUSKESOS,
    ComplaintChannel.SLRT_SECRETARIAT,
    ComplaintChannel.MPP_COUNTER,
    ComplaintChannel.API,
)

C = ComplaintStatus


# ============================================================================ shared steps
def sla_hours(category: str, status: str) -> int:
    """Hours allowed for a step of a category (the administrator's setting, else the default)."""
    rule = SlaRule.objects.filter(category=category, status=status).values_list("hours", flat=True)
    return next(iter(rule), DEFAULT_SLA_HOURS.get(status, 72))


def _due(category: str, status: str) -> dt.datetime | None:
    """When a complaint entering ``status`` is late (closed complaints are never late)."""
    if status == C.CLOSED:
        return None
    return timezone.now() + dt.timedelta(hours=sla_hours(category, status))


def tracking_url() -> str:
    return public_url("complaints:track")


def _notify(complaint: Complaint, status: str, note: str = "") -> None:
    """Tell the complainant (never for an anonymous report without contact)."""
    recipients: list[tuple[str, str]] = []
    if complaint.email:
        recipients.append((NotificationChannel.EMAIL, complaint.email))
    if complaint.phone:
        recipients.append((NotificationChannel.SMS, complaint.phone))
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "code": complaint.code,
            "step": step_text(status, restricted=complaint.is_restricted),
            "note": note,
            "url": tracking_url(),
        }
    for channel, recipient in recipients:
        message_queue(
            event="complaint.step",
            channel=channel,
            recipient=recipient,
            context=context,
            obj=complaint,
        )


def _move(
    complaint: Complaint,
    target: str,
    *,
    actor,
    note: str = "",
    resident_note: str = "",
    fields: Iterable[str] = (),
) -> Complaint:
    """One step of the table on a locked complaint, with its new SLA deadline."""
    complaint.due_at = _due(complaint.category, target)
    status_transition(
        complaint,
        target,
        flow=COMPLAINT_FLOW,
        actor=actor,
        note=note,
        fields=(*fields, "due_at"),
    )
    _notify(complaint, target, resident_note)
    return complaint


def _lock(complaint: Complaint, actor, *, system: bool = False) -> Complaint:
    """The complaint, locked, through the actor's scope (misuse reports: Dinsos only)."""
    return object_lock(Complaint, complaint.pk, actor=actor, system=system)


def after_step(complaint: Complaint, source: str, target: str, note: str = "") -> None:
    """After a step declared without a service of its own: the new step's deadline, and what
    the complainant is told."""
    complaint.due_at = _due(complaint.category, target)
    complaint.save(update_fields=["due_at", "updated_at"])
    _notify(complaint, target, note)


def description_problem(description: str) -> str:
    """What is wrong with a complaint's text, or "" (the form asks the same)."""
    description = (description or "").strip()
    if len(description) < 10:
        return str(_("Tell us what happened in a sentence or two."))
    if len(description) > MAX_DESCRIPTION:
        return _("Keep it under {count} characters.").format(count="{:,}".format(MAX_DESCRIPTION))
    return ""


def complainant_clean(data: Mapping[str, Any]) -> dict:
    """Who complains, as stored (``nik``, ``name``, ``phone``, ``email``), or a ValidationError
    naming every field that is wrong. ``data`` also says the ``category`` and whether the report
    is ``anonymous`` (misuse only): a misuse report may come without a NIK, an anonymous one
    without a name; the form runs this too, so the first submit shows every problem."""
    errors: dict[str, list[str]] = {}
    misuse = data.get("category") == ComplaintCategory.MISUSE
    anonymous = bool(data.get("anonymous")) and misuse
    nik = normalize_number(str(data.get("nik") or ""))
    # whoever reports a cadre need not identify
    if nik or not misuse:
        check = check_nik(nik)
        if not check.valid:
            errors["nik"] = list(check.errors.values())
    name = " ".join(str(data.get("name") or "").split())
    if not anonymous and len(name) < 2:
        errors["name"] = [_("Write your full name.")]
    try:  # an anonymous report may come without any contact; the others are told by it
        phone, email = contact(
            str(data.get("phone") or ""), str(data.get("email") or ""), required=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        phone = email = ""
    if errors:
        raise ValidationError(errors)
    return {"nik": nik, "name": name, "phone": phone, "email": email}


# ============================================================================ intake
@transaction.atomic
def complaint_submit(
    *,
    category: str,
    description: str,
    village: Region,
    channel: str,
    actor,
    complainant: Mapping[str, Any] | None = None,
    anonymous: bool = False,
    membership_related: bool = False,
    attachments: Iterable[Any] = (),
    submission_key: str | None = None,
) -> tuple[Complaint, str | None]:
    """Receive a complaint through any channel; returns it and, for an anonymous report, the
    secret that lets the reporter follow it (shown once, stored only as a hash)."""
    if submission_key:
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing, None
    staff = actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT
    if channel == ComplaintChannel.MESSAGE:
        # the resident's own SMS/WhatsApp message, passed on by the signed gateway
        require(
            actor is None, _("Officers enter complaints with the channel they received them by.")
        )
    elif channel == ComplaintChannel.ONLINE:
        require(not staff, _("Officers enter complaints with the channel they received them by."))
    else:
        require(
            channel in STAFF_CHANNELS and perms.can_intake(actor),
            _("Your role cannot take complaints in for residents."),
        )
    errors: dict[str, list[str]] = {}
    if channel == ComplaintChannel.ONLINE:
        from core.services import public_submission_allowed

        public_submission_allowed(
            kind="complaint",
            ip=current_client_ip(),
            nik=normalize_number(str((complainant or {}).get("nik") or "")),
        )
    if category not in ComplaintCategory.values:
        errors["category"] = [_("Choose what the complaint is about.")]
    if village is None or village.level != 4:
        errors["village"] = [_("Choose the village.")]
    description = (description or "").strip()
    problem = description_problem(description)
    if problem:
        errors["description"] = [problem]
    anonymous = bool(anonymous) and category == ComplaintCategory.MISUSE
    try:
        person_data = complainant_clean(
            {**(complainant or {}), "category": category, "anonymous": anonymous}
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        person_data = {"nik": "", "name": "", "phone": "", "email": ""}
    nik, name = person_data["nik"], person_data["name"]
    phone, email = person_data["phone"], person_data["email"]
    files = [upload for upload in attachments if upload is not None]
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("Attach at most {count} files.").format(count=MAX_ATTACHMENTS)]
    if errors:
        raise ValidationError(errors)
    if staff:
        assert_in_scope(actor, village.code)
    processed = [
        process_upload(upload, field="attachment_{}".format(number))
        for number, upload in enumerate(files)
    ]
    person = (
        Individual.objects.filter(nik=nik)
        .exclude(status=IndividualStatus.DECEASED)
        .select_related("household")
        .order_by("pk")
        .first()
        if nik
        else None
    )
    restricted = category == ComplaintCategory.MISUSE
    secret = new_secret() if anonymous else None
    complaint = Complaint(
        category=category,
        membership_related=bool(membership_related),
        channel=channel,
        is_restricted=restricted,
        complainant_nik=nik,
        complainant_name=name[:150],
        phone=phone,
        email=email,
        anonymous=anonymous,
        secret_hash=hash_secret(secret) if secret else "",
        # a complaint about one's own registry data belongs to the household's village
        village=person.household.village if person is not None and not restricted else village,
        household=person.household if person is not None else None,
        individual=person,
        description=description,
        resident=actor if actor is not None and actor.is_authenticated and not staff else None,
        entered_by=actor if staff else None,
        submission_key=submission_key or None,
        status="",
        status_changed_at=timezone.now(),
        due_at=_due(category, C.RECEIVED),
    )
    complaint.full_clean(exclude=["code", "submission_key", "status"])
    COMPLAINT_FLOW.authorize("receive", complaint, actor, system=not staff)
    try:
        save_with_code(
            complaint,
            prefix="P",
            save=lambda: status_transition(
                complaint,
                C.RECEIVED,
                flow=COMPLAINT_FLOW,
                actor=actor,
                note=str(ComplaintChannel(channel).label),
            ),
        )
    except IntegrityError:
        if submission_key and Complaint.objects.filter(submission_key=submission_key).exists():
            return Complaint.objects.get(submission_key=submission_key), None
        raise
    for upload in processed:
        attachment = ComplaintAttachment(
            complaint=complaint, content_type=upload.content_type, size=upload.content.size
        )
        attachment.file.save(upload.name, upload.content, save=False)
        attachment.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=complaint,
        region_code=complaint.village_id,
        changes={"category": [None, category], "channel": [None, channel]},
    )
    if channel != ComplaintChannel.MESSAGE:  # a message is answered on its own channel
        _notify(complaint, C.RECEIVED)
    if restricted:
        # misuse reports never wait at the village they are about
        COMPLAINT_FLOW.authorize("restrict", complaint, None, system=True)
        _move(complaint, C.IN_REVIEW, actor=None, note=_("Restricted queue (misuse report)."))
    return complaint, secret


# ============================================================================ handling
@transaction.atomic
def complaint_forward(*, complaint: Complaint, actor, note: str = "") -> Complaint:
    """The village cannot solve it: forward to the district supervisor."""
    complaint = _lock(complaint, actor)
    COMPLAINT_FLOW.authorize("forward", complaint, actor)
    return _move(complaint, C.FORWARDED, actor=actor, note=(note or "").strip()[:2000])


@transaction.atomic
def complaint_supervise(*, complaint: Complaint, actor, approve: bool, note: str = "") -> Complaint:
    """The district supervisor approves it on to Dinsos, or returns it to the village."""
    complaint = _lock(complaint, actor)
    COMPLAINT_FLOW.authorize("approve" if approve else "return", complaint, actor)
    if approve:
        return _move(complaint, C.IN_REVIEW, actor=actor, note=(note or "").strip()[:2000])
    note = required_text(note, "note", message=_("Tell the village why it comes back."))
    return _move(complaint, C.RECEIVED, actor=actor, note=note)


@transaction.atomic
def complaint_review(
    *, complaint: Complaint, actor, analysis: str, hand_over: bool = True
) -> Complaint:
    """Front office review and analysis; the registry check is recorded with it. Hand over to
    the back office (or resolve directly with complaint_resolve)."""
    complaint = _lock(complaint, actor)
    COMPLAINT_FLOW.authorize("review", complaint, actor)
    complaint.analysis = required_text(analysis, "analysis", maximum=4000)
    complaint.in_registry = complaint.household_id is not None
    fields = ["analysis", "in_registry"]
    if not hand_over:
        complaint.save(update_fields=[*fields, "updated_at"])
        return complaint
    return _move(complaint, C.IN_FOLLOW_UP, actor=actor, note=complaint.analysis, fields=fields)


@transaction.atomic
def complaint_open_update_proposal(*, complaint: Complaint, actor):
    """One action: the household is not (correctly) in the registry, so an update proposal
    opens in the applications app, linked to this complaint."""
    from applications.choices import ProposalKind
    from applications.services import proposal_create

    complaint = _lock(complaint, actor)
    if not complaint.complainant_nik:
        raise ValidationError({"nik": _("The complaint has no NIK to propose.")})
    try:
        COMPLAINT_FLOW.authorize("update_proposal", complaint, actor)
    except InvalidTransition as exc:
        raise DomainError(_("Open the data update while the complaint is being reviewed.")) from exc
    proposal = proposal_create(
        kind=ProposalKind.CORRECTION if complaint.household_id else ProposalKind.NEW_HOUSEHOLD,
        village=complaint.village,
        household=complaint.household,
        nik=complaint.complainant_nik,
        name=complaint.complainant_name or complaint.complainant_nik,
        reason=_("From complaint {code}").format(code=complaint.code),
        actor=actor,
    )
    complaint.update_proposal = proposal
    complaint.in_registry = complaint.household_id is not None
    complaint.save(update_fields=["update_proposal", "in_registry", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=complaint,
        region_code=complaint.village_id,
        changes={"update_proposal": [None, proposal.code]},
    )
    return proposal


@transaction.atomic
def complaint_link_program(*, complaint: Complaint, actor, program: Program) -> Complaint:
    """The back office links the complaint to the program that will handle it."""
    complaint = _lock(complaint, actor)
    try:
        COMPLAINT_FLOW.authorize("link_program", complaint, actor)
    except InvalidTransition as exc:
        raise DomainError(_("Link a program while the complaint is followed up.")) from exc
    complaint.program = program
    complaint.save(update_fields=["program", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=complaint,
        region_code=complaint.village_id,
        changes={"program": [None, program.code]},
    )
    return complaint


@transaction.atomic
def complaint_resolve(
    *, complaint: Complaint, actor, resolution: str, resolved_by_kind: str
) -> Complaint:
    """Record what was done: at the village, by the front office, or by the back office."""
    complaint = _lock(complaint, actor)
    COMPLAINT_FLOW.authorize("resolve", complaint, actor)
    if resolved_by_kind not in ResolvedBy.values:
        raise ValidationError({"resolved_by_kind": _("Choose who solved it.")})
    complaint.resolution = required_text(resolution, "resolution", maximum=4000)
    complaint.resolved_by_kind = resolved_by_kind
    complaint.resolved_at = timezone.now()
    complaint.resolved_by = actor
    return _move(
        complaint,
        C.RESOLVED,
        actor=actor,
        note=complaint.resolution,
        resident_note=complaint.resolution,
        fields=["resolution", "resolved_by_kind", "resolved_at", "resolved_by"],
    )


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor, told_via: str) -> Complaint:
    """Close once the resident has been told (how is recorded); they are asked for a rating."""
    complaint = _lock(complaint, actor)
    COMPLAINT_FLOW.authorize("close", complaint, actor)
    if told_via not in ToldVia.values:
        raise ValidationError({"told_via": _("Say how the resident was told.")})
    complaint.told_via = told_via
    complaint.closed_at = timezone.now()
    return _move(
        complaint,
        C.CLOSED,
        actor=actor,
        resident_note=complaint.resolution,
        fields=["told_via", "closed_at"],
    )


@transaction.atomic
def complaint_take(*, complaint: Complaint, actor) -> Complaint:
    """A Dinsos officer takes charge (for a misuse report: the only one who sees the reporter)."""
    complaint = _lock(complaint, actor)
    try:
        COMPLAINT_FLOW.authorize("take", complaint, actor)
    except InvalidTransition as exc:
        raise DomainError(_("This complaint is closed.")) from exc
    complaint.assigned_to = actor
    complaint.save(update_fields=["assigned_to", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=complaint,
        region_code=complaint.village_id,
        changes={"assigned_to": [None, actor.pk]},
    )
    return complaint


@transaction.atomic
def complaint_rate(
    *, complaint: Complaint, rating: int, comment: str = "", actor=None
) -> Complaint:
    """The resident rates the closed complaint on the IKM scale, once. Officers never rate
    (the satisfaction index measures their work)."""
    if actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT:
        raise Forbidden(_("Only the person who made the complaint rates how it was handled."))
    complaint = _lock(complaint, actor, system=True)
    if complaint.status != C.CLOSED:
        raise DomainError(_("A complaint can be rated once it is closed."), code="not_closed")
    if complaint.rated_at is not None:
        raise DomainError(
            _("This complaint has already been rated. Thank you!"), code="already_rated"
        )
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if rating not in (1, 2, 3, 4):
        raise ValidationError({"rating": _("Choose from 1 (very poor) to 4 (very good).")})
    complaint.rating = rating
    complaint.rating_comment = (comment or "").strip()[:1000]
    complaint.rated_at = timezone.now()
    complaint.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=complaint,
        region_code=complaint.village_id,
        changes={"rating": [None, rating]},
    )
    return complaint


# ============================================================================ escalation
def _escalation_targets(complaint: Complaint, status: str):
    """The officers of the next level for the complaint's place, and the head of division."""
    from core.services import officers_over

    role = ESCALATE_TO[status]
    return role, officers_over(village_code=complaint.village_id, role=role)


def complaints_escalate_overdue(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The periodic job: every complaint late in its step goes up one level; the next level and
    the head of division are told, and the step gets a new deadline. Returns how many."""
    now = now or timezone.now()
    overdue = list(
        Complaint.objects.open()
        .filter(due_at__lt=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    count = 0
    for pk in overdue:
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, due_at__lt=now)
                .first()
            )
            if complaint is None or complaint.status == C.CLOSED:
                continue
            role, officers = _escalation_targets(complaint, complaint.status)
            complaint.escalation_level += 1
            complaint.last_escalated_at = now
            complaint.due_at = now + dt.timedelta(
                hours=sla_hours(complaint.category, complaint.status)
            )
            complaint.save(
                update_fields=["escalation_level", "last_escalated_at", "due_at", "updated_at"]
            )
            ComplaintEscalation.objects.create(
                complaint=complaint,
                status=complaint.status,
                level=complaint.escalation_level,
                escalated_to=role,
                notified=len(officers),
            )
            audit_log(
                actor=None,
                action=AuditAction.UPDATE,
                obj=complaint,
                region_code=complaint.village_id,
                changes={
                    "escalation_level": [complaint.escalation_level - 1, complaint.escalation_level]
                },
                reason=_("Late: escalated"),
            )
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Late complaint {code}").format(code=complaint.code)
                body = _(
                    "Complaint {code} ({category}) has been in the step “{step}” longer than "
                    "allowed. Escalation level {level}."
                ).format(
                    code=complaint.code,
                    category=complaint.get_category_display(),
                    step=complaint.get_status_display(),
                    level=complaint.escalation_level,
                )
            for officer in officers:
                notify_user(user=officer, subject=subject, body=body, obj=complaint)
            count += 1
    return count


# ============================================================================ administration
SLA_SETTERS = (Role.SYSTEM_ADMIN, Role.HEAD_OF_DIVISION)


@transaction.atomic
def sla_rule_save(*, rule: SlaRule, actor) -> SlaRule:
    """An administrator sets the hours of a step for a category."""
    require(
        configures_installation(actor, *SLA_SETTERS), _("Only administrators set service levels.")
    )
    before = SlaRule.objects.filter(pk=rule.pk).values_list("hours", flat=True).first()
    if before is None:
        before = sla_hours(rule.category, rule.status)
    rule.full_clean()
    rule.save()
    audit_log(
        actor=actor, action=AuditAction.UPDATE, obj=rule, changes={"hours": [before, rule.hours]}
    )
    return rule


@transaction.atomic
def sla_table_save(*, actor, hours: Mapping[tuple[str, str], int]) -> int:
    """The whole SLA table at once: each changed cell saved (and audited); returns how many."""
    require(
        configures_installation(actor, *SLA_SETTERS), _("Only administrators set service levels.")
    )
    changed = 0
    for (category, status), value in hours.items():
        if value == sla_hours(category, status):
            continue
        rule = SlaRule.objects.filter(category=category, status=status).first() or SlaRule(
            category=category, status=status
        )
        rule.hours = value
        sla_rule_save(rule=rule, actor=actor)
        changed += 1
    return changed


# ============================================================================ audited reads
def complaint_open(*, user, pk) -> Complaint:
    """One complaint of the caller's reach, audited; for a misuse report the reporter is
    blanked on the returned object unless the caller is the officer in charge (and that read
    is a sensitive one). ``complaint.show_reporter`` tells the page and the API which it is."""
    from .selectors import complaint_list, reporter_visible

    queryset = complaint_list(user=user).prefetch_related("status_changes__actor")
    try:
        complaint = queryset.get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc
    show = reporter_visible(complaint=complaint, user=user)
    audit_log(
        actor=user,
        action=AuditAction.VIEW_SENSITIVE if show and complaint.is_restricted else AuditAction.VIEW,
        obj=complaint,
        region_code=complaint.village_id,
    )
    return mask_reporter(complaint, show=show)


def mask_reporter(complaint: Complaint, *, show: bool) -> Complaint:
    """Blank who sent a misuse report on this (never saved) object unless ``show``."""
    complaint.show_reporter = show  # type: ignore[attr-defined]
    if not show:
        complaint.complainant_nik = ""
        complaint.complainant_name = ""
        complaint.phone = ""
        complaint.email = ""
    return complaint


def complaint_attachment_open(*, user, complaint: Complaint, pk) -> ComplaintAttachment:
    """A photo or PDF sent with a complaint: a sensitive read."""
    from .selectors import attachments

    return open_audited(
        attachments(user=user, complaint=complaint),
        pk,
        user=user,
        region="complaint.village_id",
        sensitive=True,
        describe=lambda attachment: attachment.complaint.code,
    )


def complaint_lookup(*, code: str, nik: str, secret: str, actor) -> Complaint | None:
    """The public lookup (code + NIK, or code + secret word), audited whether it matched."""
    from .selectors import complaint_track

    complaint = complaint_track(code=code, nik=nik, secret=secret)
    audit_log(
        actor=actor,
        action=AuditAction.LOOKUP,
        object_type="complaints.complaint",
        object_id=str(complaint.pk) if complaint else "",
        object_repr=(code or "")[:40],
        region_code=complaint.village_id if complaint else None,
        reason="track: {}".format("found" if complaint else "no match"),
    )
    return complaint


def complaint_export_audit(*, actor, filters: Mapping) -> None:
    """Every export of the complaint statistics is in the audit trail, with its filters."""
    audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="complaints.complaint",
        object_repr="complaints export",
        region_code=actor.scope_code,
        changes={"filters": [None, dict(filters)]},
    )
