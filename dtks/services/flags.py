"""Verification: data problems (flags) on a worklist, the periodic checks, field campaigns."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.scope import assert_in_scope, within
from core.services import (
    audit_log,
)
from silakso.exceptions import DomainError, Forbidden

from ..choices import (
    ChangeSource,
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    IndividualStatus,
    RelationToHead,
)
from ..models import (
    CivilRegistryRecord,
    Enrollment,
    Flag,
    Household,
    Region,
)
from ..permissions import can_edit_registry
from ._common import (
    _living_head,
    _locked_for_editor,
    _require_reason,
)
from .members import member_death, member_move_out
from .programs import enrollment_close

# ============================================================================ flags


@transaction.atomic
def flag_resolve(*, flag: Flag, outcome: str, actor) -> Flag:
    """Close a data problem with what was done about it."""
    flag = _locked_for_editor(Flag, flag.pk, actor, related=("household",))
    if flag.status != FlagStatus.OPEN:
        raise DomainError(_("This problem is already resolved."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done about it.")})
    flag.status = FlagStatus.RESOLVED
    flag.outcome = outcome
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.save(update_fields=["status", "outcome", "resolved_by", "resolved_at", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        region_code=flag.household.village_id,
        reason=outcome,
        changes={"status": [FlagStatus.OPEN, FlagStatus.RESOLVED]},
    )
    return flag


# ---------------------------------------------------------------------------- civil registry
#: The civil-registry differences an officer can settle by taking Dukcapil's value.
CIVIL_KINDS = (
    FlagKind.CIVIL_NAME,
    FlagKind.CIVIL_BIRTH,
    FlagKind.CIVIL_SEX,
    FlagKind.CIVIL_KK,
    FlagKind.CIVIL_ADDRESS,
    FlagKind.CIVIL_DECEASED,
    FlagKind.CIVIL_MOVED,
)


def _civil_flag(flag: Flag, actor) -> tuple[Flag, CivilRegistryRecord]:
    flag = _locked_for_editor(Flag, flag.pk, actor, related=("household", "individual"))
    if flag.status != FlagStatus.OPEN:
        raise DomainError(_("This problem is already resolved."))
    if flag.kind not in CIVIL_KINDS or flag.individual is None:
        raise DomainError(_("This problem is not a difference from the civil registry."))
    record = CivilRegistryRecord.objects.filter(nik=flag.individual.nik).first()
    if record is None:
        raise DomainError(_("The civil registry no longer has this NIK."))
    return flag, record


def _close(flag: Flag, actor, outcome: str, **evidence) -> Flag:
    flag.status = FlagStatus.RESOLVED
    flag.outcome = outcome
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.evidence = {**(flag.evidence or {}), **evidence}
    flag.save(
        update_fields=["status", "outcome", "resolved_by", "resolved_at", "evidence", "updated_at"]
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        region_code=flag.household.village_id,
        reason=outcome,
        changes={"status": [FlagStatus.OPEN, FlagStatus.RESOLVED]},
    )
    return flag


@transaction.atomic
def flag_accept_civil(*, flag: Flag, actor) -> Flag:
    """Settle a difference from the civil registry by taking Dukcapil's value: the registry
    is updated (source "civil registry", in the household history) and the problem closed."""
    from .households import household_update
    from .members import individual_correct

    flag, record = _civil_flag(flag, actor)
    person = flag.individual
    if person is None:  # _civil_flag refuses these; for the type checker
        raise DomainError(_("This problem is not a difference from the civil registry."))
    reason = _("Civil registry (Dukcapil) value accepted")
    source = ChangeSource.CIVIL_REGISTRY
    if flag.kind == FlagKind.CIVIL_NAME:
        individual_correct(
            individual=person, data={"name": record.name}, actor=actor, reason=reason, source=source
        )
    elif flag.kind == FlagKind.CIVIL_BIRTH:
        data: dict[str, object] = {}
        if record.birth_date:
            data["birth_date"] = record.birth_date
        if record.birth_place:
            data["birth_place"] = record.birth_place
        individual_correct(individual=person, data=data, actor=actor, reason=reason, source=source)
    elif flag.kind == FlagKind.CIVIL_SEX:
        individual_correct(
            individual=person, data={"sex": record.sex}, actor=actor, reason=reason, source=source
        )
    elif flag.kind == FlagKind.CIVIL_KK:
        _take_family_card(person, record.kk_number, actor=actor, reason=reason)
    elif flag.kind == FlagKind.CIVIL_ADDRESS:
        household = flag.household
        if record.village_code != household.village_id:
            raise DomainError(
                _(
                    "The civil registry places this person in another village. If they moved, "
                    "record it with “Moved out”; the new village registers them with "
                    "“Moved in”."
                )
            )
        data = {name: getattr(record, name) for name in ("rt", "rw") if getattr(record, name)}
        household_update(
            household=household,
            data=data,
            version=household.version,
            reason=reason,
            actor=actor,
            source=source,
        )
    elif flag.kind == FlagKind.CIVIL_DECEASED:
        member_death(
            individual=person, date=record.death_date, actor=actor, reason=reason, source=source
        )
    else:  # moved out
        member_move_out(
            individual=person, date=record.moved_on, actor=actor, reason=reason, source=source
        )
    flag.refresh_from_db(fields=["household"])
    return _close(flag, actor, reason, accepted=True)


def _take_family_card(person, kk_number: str, *, actor, reason: str) -> None:
    """Put ``person`` on the family card Dukcapil names, when it is one of their household's."""
    from ..choices import HouseholdEventKind
    from ..models import Family
    from ._common import _record

    family = Family.objects.filter(kk_number=kk_number).first()
    if family is None:
        raise DomainError(
            _(
                "No family card with this number is in the registry. If the person got a new "
                "KK, record it with “Split KK”."
            )
        )
    if family.household_id != person.household_id:
        raise DomainError(
            _(
                "This family card belongs to another household. If the person moved there, "
                "record it with “Moved out” and “Moved in”."
            )
        )
    previous = person.family.kk_number if person.family_id else None
    person.family = family
    person.save(update_fields=["family", "updated_at"])
    _record(
        household=person.household,
        kind=HouseholdEventKind.MEMBER_CORRECTED,
        source=ChangeSource.CIVIL_REGISTRY,
        actor=actor,
        reason=reason,
        individual=person,
        changes={"kk_number": [previous, kk_number]},
    )


@transaction.atomic
def flag_keep_ours(*, flag: Flag, actor, reason: str) -> Flag:
    """Keep the registry's value against the civil registry, with the reason. The same
    difference is not raised again until Dukcapil's value changes."""
    flag, _record = _civil_flag(flag, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the registry's value is right.")})
    return _close(flag, actor, _("Registry value kept: {reason}").format(reason=reason), kept=True)


# ============================================================================ verification
def verification_run(*, actor=None, reporter=None) -> dict:
    """Run every verification check over the actor's area (the whole installation nightly)."""
    from ..verification import run_checks

    if actor is not None and not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot run the verification checks."))
    scope = None if actor is None or actor.is_installation_wide else actor.scope_code
    counts = run_checks(scope=scope, reporter=reporter)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="dtks.flag",
        object_repr="verification checks",
        region_code=scope,
        changes={kind: [None, n] for kind, n in counts.items()},
    )
    return counts


@transaction.atomic
def flag_assign(*, flag: Flag, assignee, actor) -> Flag:
    """Put a data problem on someone's worklist (someone who works in that area)."""
    flag = _locked_for_editor(Flag, flag.pk, actor, related=("household",))
    if assignee is not None and not (
        can_edit_registry(assignee)
        and Household.objects.visible_to(assignee).filter(pk=flag.household_id).exists()
    ):
        raise ValidationError({"assignee": _("This person does not work in that area.")})
    flag.assigned_to = assignee
    flag.save(update_fields=["assigned_to", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        region_code=flag.household.village_id,
        changes={"assigned_to": [None, assignee.pk if assignee else None]},
    )
    return flag


@transaction.atomic
def flag_reopen(*, flag: Flag, actor, reason: str) -> Flag:
    """Open a resolved problem again (the resolution turned out wrong)."""
    flag = _locked_for_editor(Flag, flag.pk, actor, related=("household",))
    reason = _require_reason(reason)
    if flag.status != FlagStatus.RESOLVED:
        raise DomainError(_("This problem is still open."))
    if Flag.objects.filter(
        household=flag.household, individual=flag.individual, kind=flag.kind, status=FlagStatus.OPEN
    ).exists():
        raise DomainError(_("The same problem is already open again."))
    flag.status = FlagStatus.OPEN
    flag.outcome = ""
    flag.resolved_at = None
    flag.resolved_by = None
    flag.save(update_fields=["status", "outcome", "resolved_at", "resolved_by", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=flag,
        region_code=flag.household.village_id,
        reason=reason,
        changes={"status": [FlagStatus.RESOLVED, FlagStatus.OPEN]},
    )
    return flag


@transaction.atomic
def campaign_create(
    *, name: str, region: Region, actor, kind: str | None = None, due_on: dt.date | None = None
):
    """A field campaign with one item per household that has an open problem (of ``kind``)."""
    from ..models import Campaign, CampaignItem

    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot organise field checks."))
    assert_in_scope(actor, region.code)
    flags = (
        Flag.objects.open()
        .filter(within("household__village__code", region.code))
        .select_related("household")
    )
    if kind:
        flags = flags.filter(kind=kind)
    campaign = Campaign(name=name, region=region, due_on=due_on, created_by=actor)
    campaign.full_clean()
    campaign.save()
    seen = set()
    items = []
    for flag in flags.order_by("household_id", "id"):
        if flag.household_id in seen:
            continue
        seen.add(flag.household_id)
        items.append(
            CampaignItem(
                campaign=campaign,
                household_id=flag.household_id,
                individual_id=flag.individual_id,
                flag=flag,
            )
        )
    if not items:
        raise DomainError(_("No open problems to check in this area."))
    CampaignItem.objects.bulk_create(items)
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=campaign,
        region_code=region.code,
        changes={"households": [None, len(items)]},
    )
    return campaign


def _outcome_reason(item, outcome: str, notes: str) -> str:
    from ..choices import CampaignOutcome

    return (
        _("Field check “{campaign}”: {outcome}. {notes}")
        .format(campaign=item.campaign.name, outcome=CampaignOutcome(outcome).label, notes=notes)
        .strip()
    )


def _outcome_apply(item, actor) -> None:
    """What a field outcome does to the registry and to aid, through the usual services."""
    from ..choices import CampaignOutcome

    outcome = item.outcome
    reason = _outcome_reason(item, outcome, item.notes)
    household = item.household
    head = _living_head(household)
    person = item.individual if item.individual and item.individual.status == "alive" else head
    if outcome == CampaignOutcome.DECEASED and person is not None:
        member_death(
            individual=person,
            date=item.visited_on,
            actor=actor,
            reason=reason,
            source=ChangeSource.VERIFICATION,
        )
    elif outcome == CampaignOutcome.MOVED:
        members = sorted(
            household.members.filter(status=IndividualStatus.ALIVE),
            key=lambda m: m.relation_to_head == RelationToHead.HEAD,
        )  # head last
        for member in members:
            member_move_out(
                individual=member,
                date=item.visited_on,
                actor=actor,
                reason=reason,
                source=ChangeSource.VERIFICATION,
            )
    if outcome in (CampaignOutcome.MOVED, CampaignOutcome.NOW_ABLE, CampaignOutcome.NOT_FOUND):
        for enrollment in Enrollment.objects.filter(
            household=household, status=EnrollmentStatus.ACTIVE
        ):
            enrollment_close(
                enrollment=enrollment,
                actor=actor,
                reason=reason,
                source=ChangeSource.VERIFICATION,
            )
    if item.flag is not None and item.flag.status == FlagStatus.OPEN:
        flag_resolve(flag=item.flag, outcome=reason, actor=actor)


@transaction.atomic
def campaign_item_record(
    *, item, outcome: str, actor, notes: str = "", visited_on: dt.date | None = None
):
    """Record a field check (form A4). An outcome that ends or changes aid (now able, moved,
    deceased, not found) waits for a Dinsos officer's review; the others apply at once."""
    from ..choices import REVIEWED_OUTCOMES, CampaignOutcome, CampaignStatus, OutcomeReview
    from ..models import CampaignItem
    from ..workflow import CAMPAIGN_ITEM_STEPS

    item = _locked_for_editor(
        CampaignItem, item.pk, actor, related=("campaign", "household", "individual", "flag")
    )
    if item.campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("This campaign is closed."))
    if item.outcome and item.review != OutcomeReview.REJECTED:
        raise DomainError(_("This household has already been checked in this campaign."))
    if outcome not in CampaignOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    CAMPAIGN_ITEM_STEPS.authorize("record", item, actor)
    previous, previous_review = item.outcome, item.review
    item.outcome = outcome
    item.notes = notes
    item.visited_on = visited_on or timezone.localdate()
    item.visited_by = actor
    item.review = OutcomeReview.PENDING if outcome in REVIEWED_OUTCOMES else ""
    item.reviewed_by, item.reviewed_at, item.review_note = None, None, ""
    item.save(
        update_fields=[
            "outcome",
            "notes",
            "visited_on",
            "visited_by",
            "review",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "updated_at",
        ]
    )
    if not item.review:
        _outcome_apply(item, actor)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        region_code=item.household.village_id,
        changes={
            "outcome": [previous or None, outcome],
            "review": [previous_review or None, item.review or None],
        },
        reason=notes,
    )
    return item


@transaction.atomic
def campaign_item_review(*, item, actor, approve: bool, note: str = ""):
    """Dinsos reviews a field outcome that ends or changes aid: approved, it is applied to the
    registry and the household's programs (with the visit's date and notes); not accepted, the
    registry stays as it was and the household can be visited again. Never by the visitor."""
    from ..choices import OutcomeReview
    from ..models import CampaignItem
    from ..workflow import CAMPAIGN_ITEM_STEPS

    item = _locked_for_editor(
        CampaignItem, item.pk, actor, related=("campaign", "household", "individual", "flag")
    )
    if item.review != OutcomeReview.PENDING:
        raise DomainError(_("This field outcome is not waiting for a review."))
    # a Dinsos verifier or data manager who did not make the visit
    CAMPAIGN_ITEM_STEPS.authorize("approve" if approve else "reject", item, actor)
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the outcome is not accepted.")})
    item.review = OutcomeReview.APPROVED if approve else OutcomeReview.REJECTED
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.review_note = note
    item.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    if approve:
        _outcome_apply(item, actor)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        region_code=item.household.village_id,
        changes={"review": [OutcomeReview.PENDING, item.review]},
        reason=note,
    )
    return item
