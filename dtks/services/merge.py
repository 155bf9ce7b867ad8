"""Merging two records of one person (a duplicate found by the checks), and undoing it.

The officer chooses, field by field, which record's value is right. In one transaction the
survivor takes those values, everything that points at the other record moves to the survivor
(found through the model relations, so the apps that refer to people — applications,
complaints, cases — are moved without this app knowing them), the other record is marked
merged (its NIK keeps finding the survivor), both households' member counts and histories are
updated and the duplicate problems between the two are closed. The merge keeps what it moved
and what was there before, so it can be reversed from the merge page.
"""

from collections.abc import Mapping

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.permissions import has_role
from core.services import audit_log, object_lock
from silakso.exceptions import DomainError, Forbidden

from ..choices import (
    ChangeSource,
    FlagKind,
    FlagStatus,
    HouseholdEventKind,
    IndividualStatus,
    RelationToHead,
)
from ..models import Flag, Household, HouseholdMerge, Individual, PersonMerge
from ..nik import check_nik
from ..permissions import FIELD_OUTCOME_REVIEWERS
from ._common import _lock, _record, _require_reason

#: The person's values the officer chooses between.
MERGE_FIELDS = (
    "nik",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "marital_status",
    "education",
    "occupation",
    "disability",
    "id_card_status",
)

#: Relations a merge does not move: the merges themselves; a round's lists (what the ministry
#: sent about each household); desil values (each household's own official history); flags
#: of the merged household (closed: the nightly checks raise what still holds).
_NOT_MOVED = {
    ("dtks", "personmerge"),
    ("dtks", "householdmerge"),
    ("dtks", "roundentry"),
    ("dtks", "desilrecord"),
    ("dtks", "flag"),
}


def can_merge(user) -> bool:
    """Dinsos verifiers and data managers merge; a village operator reports the duplicate."""
    return has_role(user, *FIELD_OUTCOME_REVIEWERS)


def _snapshot(person: Individual) -> dict:
    values = {field: getattr(person, field) for field in (*MERGE_FIELDS, "status")}
    values["birth_date"] = person.birth_date.isoformat() if person.birth_date else None
    return values


def _references(target=Individual):
    """Every foreign key to a person (or to a household), as (model, field name)."""
    for relation in target._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or relation.one_to_one or isinstance(model, str):
            continue
        if (model._meta.app_label, str(model._meta.model_name)) in _NOT_MOVED:
            continue
        yield model, relation.field.name


def _move(model, field: str, source, target) -> list:
    """Point ``model.field`` from ``source`` to ``target``; the primary keys moved."""
    ids = list(model._default_manager.filter(**{field: source}).values_list("pk", flat=True))
    if not ids:
        return []
    try:
        with transaction.atomic():
            model._default_manager.filter(pk__in=ids).update(**{field: target})
    except IntegrityError as exc:
        raise DomainError(
            _(
                "Both records have {what} that cannot be held twice by one person (for "
                "example the same program period). End one of them first, then merge."
            ).format(what=model._meta.verbose_name_plural)
        ) from exc
    return ids


def _require_merger(actor, reason: str) -> str:
    if not can_merge(actor):
        raise Forbidden(_("Only a Dinsos verifier or data manager merges records."))
    return _require_reason(reason)


def _move_all(references, source, target) -> dict[str, list]:
    """Every reference of ``source`` pointed at ``target``: the primary keys moved, per
    "app_label.model.field" (what the merge keeps to undo itself)."""
    moved = {}
    for model, field in references:
        ids = _move(model, field, source, target)
        if ids:
            moved["{}.{}.{}".format(model._meta.app_label, model._meta.model_name, field)] = ids
    return moved


def _move_back(moved: dict, source, target) -> None:
    """What ``_move_all`` moved from ``target`` to ``source`` goes back."""
    for key, ids in moved.items():
        app_label, model_name, field = key.split(".")
        model = apps.get_model(app_label, model_name)
        model._default_manager.filter(pk__in=ids, **{field: source}).update(**{field: target})


def _audit_merged(merge, actor, region_code: str, reason: str) -> None:
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merge,
        region_code=region_code,
        reason=reason,
        changes={"moved": [None, {key: len(ids) for key, ids in merge.moved.items()}]},
    )


def _mark_reversed(merge, actor, region_code: str, reason: str) -> None:
    merge.reversed_at, merge.reversed_by, merge.reverse_reason = timezone.now(), actor, reason
    merge.save(update_fields=["reversed_at", "reversed_by", "reverse_reason", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=merge,
        region_code=region_code,
        reason=reason,
        changes={"reversed_at": [None, merge.reversed_at.isoformat()]},
    )


@transaction.atomic
def person_merge(
    *, survivor: Individual, merged: Individual, choices: Mapping[str, str], reason: str, actor
) -> PersonMerge:
    """Make ``merged`` part of ``survivor``. ``choices`` says per field of MERGE_FIELDS whose
    value is right: "survivor" (the default) or "merged"."""
    reason = _require_merger(actor, reason)
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": _("Choose two different records.")})
    # both through the officer's scope, locked in a fixed order (no deadlock with another merge)
    first, second = sorted([survivor.pk, merged.pk])
    locked = {pk: object_lock(Individual, pk, actor=actor) for pk in (first, second)}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    for person in (survivor, merged):
        if person.status not in (
            IndividualStatus.ALIVE,
            IndividualStatus.MOVED,
            IndividualStatus.REVIEW,
        ):
            raise DomainError(
                _("{name} is recorded as {status}: only current records are merged.").format(
                    name=person.name, status=person.get_status_display().lower()
                )
            )
    survivor_household = _lock(survivor.household, actor)
    merged_household = _lock(merged.household, actor)
    survivor_before, merged_before = _snapshot(survivor), _snapshot(merged)
    changes = {}
    for field in MERGE_FIELDS:
        if choices.get(field) == "merged" and getattr(merged, field) != getattr(survivor, field):
            changes[field] = [survivor_before[field], merged_before[field]]
            setattr(survivor, field, getattr(merged, field))
    # the chosen values must agree with each other: digits 7-12 of the NIK are the birth date
    check = check_nik(survivor.nik, birth_date=survivor.birth_date, sex=survivor.sex)
    if check.errors:
        raise ValidationError({"nik": list(check.errors.values())})
    survivor.nik_warning = check.warning_text
    if survivor.status == IndividualStatus.REVIEW:  # the reviewed record is the person's
        survivor.status = IndividualStatus.ALIVE
    merged.status = IndividualStatus.MERGED
    merged.status_date = timezone.localdate()
    merged.save(update_fields=["status", "status_date", "updated_at"])
    survivor.full_clean(validate_unique=False)
    survivor.save()
    moved = _move_all([*_references(), (Flag, "individual")], merged, survivor)
    merge = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        merged_nik=merged.nik,
        survivor_before=survivor_before,
        merged_before=merged_before,
        moved=moved,
        reason=reason,
        merged_by=actor,
    )
    Flag.objects.filter(
        individual__in=[survivor, merged],
        kind__in=[FlagKind.FUZZY_DUPLICATE, FlagKind.DUPLICATE_NIK],
        status=FlagStatus.OPEN,
    ).update(
        status=FlagStatus.RESOLVED,
        outcome=_("The two records were merged."),
        resolved_by=actor,
        resolved_at=timezone.now(),
        updated_at=timezone.now(),
    )
    _record(
        household=survivor_household,
        kind=HouseholdEventKind.MEMBER_CORRECTED,
        source=ChangeSource.VERIFICATION,
        actor=actor,
        reason=reason,
        individual=survivor,
        changes={**changes, "merged_record": [None, merged.nik_masked]},
    )
    if merged_household.pk != survivor_household.pk:
        _record(
            household=merged_household,
            kind=HouseholdEventKind.MEMBER_CORRECTED,
            source=ChangeSource.VERIFICATION,
            actor=actor,
            reason=reason,
            individual=merged,
            changes={"merged_into": [None, survivor.nik_masked]},
        )
    _audit_merged(merge, actor, survivor_household.village_id, reason)
    return merge


@transaction.atomic
def person_merge_reverse(*, merge: PersonMerge, reason: str, actor) -> PersonMerge:
    """Undo a merge: what was moved goes back, the merged record is current again, and the
    survivor gets back the values the merge gave it (unless changed since)."""
    reason = _require_merger(actor, reason)
    merge = object_lock(PersonMerge, merge.pk, actor=actor, related=("survivor", "merged"))
    if merge.reversed_at is not None:
        raise DomainError(_("This merge has already been reversed."))
    survivor = Individual.objects.select_for_update().get(pk=merge.survivor_id)
    merged = Individual.objects.select_for_update().get(pk=merge.merged_id)
    _move_back(merge.moved, survivor, merged)
    restored = {}
    for field in MERGE_FIELDS:
        before, given = merge.survivor_before.get(field), merge.merged_before.get(field)
        current = getattr(survivor, field)
        shown = current.isoformat() if hasattr(current, "isoformat") else current
        if before != given and shown == given:  # the merge gave it, nobody changed it since
            restored[field] = [given, before]
            setattr(survivor, field, survivor._meta.get_field(field).to_python(before))
    survivor.save()
    merged.status = merge.merged_before.get("status") or IndividualStatus.ALIVE
    merged.status_date = None
    merged.save(update_fields=["status", "status_date", "updated_at"])
    _mark_reversed(merge, actor, survivor.household.village_id, reason)
    entries = [(survivor, {**restored, "merged_record": [merged.nik_masked, None]})]
    if merged.household_id != survivor.household_id:
        entries.append((merged, {"merged_into": [survivor.nik_masked, None]}))
    for person, change in entries:
        _record(
            household=_lock(person.household, actor),
            kind=HouseholdEventKind.MEMBER_CORRECTED,
            source=ChangeSource.VERIFICATION,
            actor=actor,
            reason=reason,
            individual=person,
            changes=change,
        )
    return merge


@transaction.atomic
def household_merge(*, survivor, merged, reason: str, actor) -> HouseholdMerge:
    """Make ``merged`` (one household registered twice) part of ``survivor``: its members
    join (its head as "other relative"), and its family cards, programs, photos, requests,
    complaints, cases, letters and history move; it stays, inactive and empty."""
    reason = _require_merger(actor, reason)
    if survivor.pk == merged.pk:
        raise ValidationError({"other": _("Choose two different households.")})
    first, second = sorted([survivor.pk, merged.pk])
    locked = {pk: _lock(Household(pk=pk), actor) for pk in (first, second)}
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    relations = dict(
        Individual.objects.filter(household=merged, relation_to_head=RelationToHead.HEAD)
        .exclude(status=IndividualStatus.MERGED)
        .values_list("pk", "relation_to_head")
    )
    Individual.objects.filter(pk__in=relations).update(
        relation_to_head=RelationToHead.OTHER_RELATIVE
    )
    moved = _move_all(_references(Household), merged, survivor)
    closed = list(
        Flag.objects.filter(household=merged, status=FlagStatus.OPEN).values_list("pk", flat=True)
    )
    Flag.objects.filter(pk__in=closed).update(
        status=FlagStatus.RESOLVED,
        outcome=_("The household was merged into another."),
        resolved_by=actor,
        resolved_at=timezone.now(),
        updated_at=timezone.now(),
    )
    merge = HouseholdMerge.objects.create(
        survivor=survivor,
        merged=merged,
        moved=moved,
        relations={str(pk): relation for pk, relation in relations.items()},
        closed_flags=closed,
        reason=reason,
        merged_by=actor,
    )
    _households_told(survivor, merged, actor=actor, reason=reason, undone=False)
    _audit_merged(merge, actor, survivor.village_id, reason)
    return merge


def _households_told(survivor, merged, *, actor, reason: str, undone: bool) -> None:
    """Both households' history (and derived counts) after a household merge or its undoing."""
    for household, other in ((survivor, merged), (merged, survivor)):
        key = "merged_household" if household is survivor else "merged_into"
        value = [other.address, None] if undone else [None, other.address]
        _record(
            household=household,
            kind=HouseholdEventKind.UPDATED,
            source=ChangeSource.VERIFICATION,
            actor=actor,
            reason=reason,
            changes={key: value},
        )


@transaction.atomic
def household_merge_reverse(*, merge: HouseholdMerge, reason: str, actor) -> HouseholdMerge:
    """Undo a household merge: what moved goes back, the old head is head again."""
    reason = _require_merger(actor, reason)
    merge = object_lock(HouseholdMerge, merge.pk, actor=actor)
    if merge.reversed_at is not None:
        raise DomainError(_("This merge has already been reversed."))
    survivor, merged = _lock(merge.survivor, actor), _lock(merge.merged, actor)
    _move_back(merge.moved, survivor, merged)
    for pk, relation in merge.relations.items():
        Individual.objects.filter(pk=int(pk), household=merged).update(relation_to_head=relation)
    Flag.objects.filter(pk__in=merge.closed_flags, household=merged).update(
        status=FlagStatus.OPEN, outcome="", resolved_by=None, resolved_at=None
    )
    _mark_reversed(merge, actor, survivor.village_id, reason)
    _households_told(survivor, merged, actor=actor, reason=reason, undone=True)
    return merge
