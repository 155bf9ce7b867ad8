"""Member events: birth, moved in, death, moved out, new head, split KK, corrections."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import (
    changes_between,
)
from silakso.exceptions import DomainError, Forbidden

from ..choices import (
    ChangeSource,
    FlagKind,
    FlagStatus,
    HouseholdEventKind,
    HouseholdStatus,
    IndividualStatus,
    RelationToHead,
)
from ..models import (
    Family,
    Flag,
    Household,
    Individual,
)
from ..nik import normalize_number
from ._common import (
    PERSON_FIELDS,
    _assert_version,
    _check_person,
    _editable,
    _event_date,
    _family_for,
    _living_head,
    _lock,
    _new_family,
    _new_individual,
    _person_values,
    _record,
    _require_reason,
    flag_raise,
)


# ============================================================================ member events
@transaction.atomic
def member_birth(
    *,
    household: Household,
    person: Mapping[str, Any],
    actor,
    reason: str = "",
    source: str = ChangeSource.FIELD_VISIT,
    relation: str = RelationToHead.CHILD,
    family: Family | None = None,
    kk_number: str | None = None,
    version: int | None = None,
) -> Individual:
    """Record a baby born into the household (with the NIK from the birth registration)."""
    household = _editable(household, actor)
    _assert_version(household, version)
    if relation == RelationToHead.HEAD:
        raise ValidationError({"relation_to_head": _("A newborn cannot be the head of household.")})
    birth_date = person.get("birth_date")
    if birth_date and birth_date < timezone.localdate() - dt.timedelta(days=5 * 365):
        raise ValidationError(
            {"birth_date": _("A birth is recorded for a child under 5; use “Moved in” for others.")}
        )
    family = _family_for(household, kk_number, family)
    child = _new_individual(household=household, family=family, data=person, relation=relation)
    _record(
        household=household,
        kind=HouseholdEventKind.BIRTH,
        source=source,
        actor=actor,
        reason=reason,
        individual=child,
        changes={"member": [None, child.name], "nik": [None, child.nik_masked]},
    )
    return child


@transaction.atomic
def member_move_in(
    *,
    household: Household,
    actor,
    relation: str,
    person: Mapping[str, Any] | None = None,
    reason: str = "",
    source: str = ChangeSource.FIELD_VISIT,
    family: Family | None = None,
    kk_number: str | None = None,
    version: int | None = None,
) -> Individual:
    """Someone joins the household: a person new to the registry, or one moving from another.

    A person already registered elsewhere is moved (their old household records "moved out"),
    but only when the old household is also inside the actor's area; otherwise the Dinsos data
    manager has to do it, so no village can take members out of another village.
    """
    household = _editable(household, actor)
    _assert_version(household, version)
    person = person or {}
    reason = _require_reason(reason)
    if relation == RelationToHead.HEAD and _living_head(household) is not None:
        raise ValidationError(
            {"relation_to_head": _("This household already has a head. Use “Change head” after.")}
        )
    nik = normalize_number(person.get("nik", ""))
    existing = (
        Individual.objects.filter(nik=nik).select_related("household").first() if nik else None
    )
    family = _family_for(household, kk_number, family)
    if existing is None:
        member = _new_individual(household=household, family=family, data=person, relation=relation)
        origin = None
    else:
        if existing.household_id == household.pk and existing.status == IndividualStatus.ALIVE:
            raise ValidationError({"nik": _("This person is already a member of this household.")})
        if existing.status == IndividualStatus.DECEASED:
            raise ValidationError({"nik": _("The registry records this person as deceased.")})
        origin = _lock(existing.household)
        if not Household.objects.visible_to(actor).filter(pk=origin.pk).exists():
            raise Forbidden(
                _(
                    "This person is registered in another area. Ask the Dinsos data manager to "
                    "move them here."
                )
            )
        if (
            existing.relation_to_head == RelationToHead.HEAD
            and existing.status == "alive"
            and (origin.pk != household.pk)
        ):
            raise ValidationError(
                {"nik": _("This person heads another household; change that head first.")}
            )
        existing.household = household
        existing.family = family
        existing.relation_to_head = relation
        existing.status = IndividualStatus.ALIVE
        existing.status_date = None
        existing.save(
            update_fields=[
                "household",
                "family",
                "relation_to_head",
                "status",
                "status_date",
                "updated_at",
            ]
        )
        member = existing
        if origin.pk != household.pk:
            _record(
                household=origin,
                kind=HouseholdEventKind.MOVED_OUT,
                source=source,
                actor=actor,
                reason=_("Moved to household {id}").format(id=household.pk),
                individual=member,
                changes={"member": [member.name, None]},
            )
    _record(
        household=household,
        kind=HouseholdEventKind.MOVED_IN,
        source=source,
        actor=actor,
        reason=reason,
        individual=member,
        changes={
            "member": [None, member.name],
            "from_household": [origin.pk if origin else None, household.pk],
        },
    )
    return member


def _leave(
    *,
    individual: Individual,
    status: str,
    kind: str,
    date: dt.date | None,
    actor,
    reason: str,
    source: str,
    new_head: Individual | None,
    version: int | None,
    date_field: str,
) -> Individual:
    household = _editable(individual.household, actor)
    _assert_version(household, version)
    individual = Individual.objects.select_for_update().get(pk=individual.pk)
    if individual.household_id != household.pk:
        raise DomainError(_("This person is not a member of this household any more."))
    if individual.status != IndividualStatus.ALIVE:
        raise DomainError(
            _("The registry already records this person as {status}.").format(
                status=individual.get_status_display().lower()
            )
        )
    date = _event_date(date, individual, date_field)
    was_head = individual.relation_to_head == RelationToHead.HEAD
    if new_head is not None and (
        new_head.pk == individual.pk
        or new_head.household_id != household.pk
        or new_head.status != IndividualStatus.ALIVE
    ):
        raise ValidationError({"new_head": _("Choose a living member of this household.")})
    individual.status = status
    individual.status_date = date
    individual.save(update_fields=["status", "status_date", "updated_at"])
    changes = {"status": [IndividualStatus.ALIVE, status], "date": [None, date.isoformat()]}
    if was_head and new_head is not None:
        Individual.objects.filter(pk=new_head.pk).update(
            relation_to_head=RelationToHead.HEAD, updated_at=timezone.now()
        )
        changes["head"] = [individual.name, new_head.name]
    event = _record(
        household=household,
        kind=kind,
        source=source,
        actor=actor,
        reason=reason,
        individual=individual,
        changes=changes,
    )
    if was_head and new_head is None and household.status == HouseholdStatus.ACTIVE:
        flag_raise(
            household=household,
            kind=FlagKind.NO_HEAD,
            reason=_("The head of household {event} and no new head was chosen.").format(
                event=event.get_kind_display().lower()
            ),
            evidence={"event": event.pk},
        )
    return individual


@transaction.atomic
def member_death(
    *,
    individual: Individual,
    date: dt.date | None,
    actor,
    reason: str = "",
    source: str = ChangeSource.FIELD_VISIT,
    new_head: Individual | None = None,
    version: int | None = None,
) -> Individual:
    """Record a death; when the head died, name the new head (or a flag asks for one)."""
    return _leave(
        individual=individual,
        status=IndividualStatus.DECEASED,
        kind=HouseholdEventKind.DEATH,
        date=date,
        actor=actor,
        reason=reason,
        source=source,
        new_head=new_head,
        version=version,
        date_field="date",
    )


@transaction.atomic
def member_move_out(
    *,
    individual: Individual,
    date: dt.date | None,
    actor,
    reason: str = "",
    source: str = ChangeSource.FIELD_VISIT,
    new_head: Individual | None = None,
    version: int | None = None,
) -> Individual:
    """Record that a member left the household."""
    return _leave(
        individual=individual,
        status=IndividualStatus.MOVED,
        kind=HouseholdEventKind.MOVED_OUT,
        date=date,
        actor=actor,
        reason=reason,
        source=source,
        new_head=new_head,
        version=version,
        date_field="date",
    )


@transaction.atomic
def head_change(
    *,
    household: Household,
    new_head: Individual,
    old_head_relation: str,
    actor,
    reason: str,
    source: str = ChangeSource.FIELD_VISIT,
    version: int | None = None,
) -> Household:
    """Make another living member the head of household."""
    household = _editable(household, actor)
    _assert_version(household, version)
    reason = _require_reason(reason)
    new_head = Individual.objects.select_for_update().get(pk=new_head.pk)
    if new_head.household_id != household.pk or new_head.status != IndividualStatus.ALIVE:
        raise ValidationError({"new_head": _("Choose a living member of this household.")})
    if new_head.relation_to_head == RelationToHead.HEAD:
        raise ValidationError({"new_head": _("This person is already the head of household.")})
    old_head = _living_head(household)
    changes = {"head": [old_head.name if old_head else None, new_head.name]}
    if old_head is not None:
        if old_head_relation in ("", None, RelationToHead.HEAD):
            raise ValidationError(
                {"old_head_relation": _("Say how the former head is related to the new head.")}
            )
        old_head.relation_to_head = old_head_relation
        old_head.save(update_fields=["relation_to_head", "updated_at"])
    new_head.relation_to_head = RelationToHead.HEAD
    new_head.save(update_fields=["relation_to_head", "updated_at"])
    Flag.objects.filter(household=household, kind=FlagKind.NO_HEAD, status=FlagStatus.OPEN).update(
        status=FlagStatus.RESOLVED,
        resolved_at=timezone.now(),
        outcome=_("New head recorded."),
        resolved_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _record(
        household=household,
        kind=HouseholdEventKind.HEAD_CHANGED,
        source=source,
        actor=actor,
        reason=reason,
        individual=new_head,
        changes=changes,
    )
    return household


@transaction.atomic
def family_split(
    *,
    household: Household,
    members: Iterable[tuple[Individual, str]],
    kk_number: str,
    actor,
    reason: str,
    source: str = ChangeSource.CIVIL_REGISTRY,
    new_household_address: str | None = None,
    version: int | None = None,
) -> Family:
    """Members get a new family card (pecah KK), staying in the house or forming a new household.

    ``members`` pairs each member with their relation to the head of the household they end up
    in; with a new household exactly one of them must be "head".
    """
    household = _editable(household, actor)
    _assert_version(household, version)
    reason = _require_reason(reason)
    members = list(members)
    if not members:
        raise ValidationError({"members": _("Choose the members who get the new KK.")})
    people = []
    for person, relation in members:
        person = Individual.objects.select_for_update().get(pk=person.pk)
        if person.household_id != household.pk or person.status != IndividualStatus.ALIVE:
            raise ValidationError({"members": _("Choose living members of this household.")})
        people.append((person, relation))
    target = household
    if new_household_address:
        if any(p.relation_to_head == RelationToHead.HEAD for p, _rel in people):
            raise ValidationError(
                {"members": _("The head stays: choose a new head first if the head moves out.")}
            )
        if sum(1 for _p, rel in people if rel == RelationToHead.HEAD) != 1:
            raise ValidationError({"members": _("Choose exactly one head for the new household.")})
        target = Household(
            village=household.village,
            address=new_household_address,
            rt=household.rt,
            rw=household.rw,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        target.full_clean()
        target.save()
    elif any(rel == RelationToHead.HEAD for _p, rel in people):
        raise ValidationError({"members": _("This household already has a head.")})
    family = _new_family(household=target, kk_number=kk_number)
    for person, relation in people:
        person.household = target
        person.family = family
        person.relation_to_head = relation
        person.save(update_fields=["household", "family", "relation_to_head", "updated_at"])
    names = [p.name for p, _rel in people]
    if target.pk != household.pk:
        target.version = 0
        _record(
            household=target,
            kind=HouseholdEventKind.CREATED,
            source=source,
            actor=actor,
            reason=reason,
            changes={"split_from": [None, household.pk], "kk_number": [None, family.kk_number]},
        )
    _record(
        household=household,
        kind=HouseholdEventKind.KK_SPLIT,
        source=source,
        actor=actor,
        reason=reason,
        changes={
            "kk_number": [None, family.kk_number],
            "members": [None, names],
            "new_household": [None, target.pk if target.pk != household.pk else None],
        },
    )
    return family


@transaction.atomic
def individual_correct(
    *,
    individual: Individual,
    data: Mapping[str, Any],
    actor,
    reason: str,
    source: str = ChangeSource.FIELD_VISIT,
    version: int | None = None,
) -> Individual:
    """Correct a member's data (a typo in the name, a wrong birth date or NIK)."""
    household = _editable(individual.household, actor)
    _assert_version(household, version)
    reason = _require_reason(reason)
    individual = Individual.objects.select_for_update().get(pk=individual.pk)
    if data.get("relation_to_head") == RelationToHead.HEAD and (
        individual.relation_to_head != RelationToHead.HEAD
    ):
        raise ValidationError({"relation_to_head": _("Use “Change head” to make someone head.")})
    fields = (*PERSON_FIELDS, "relation_to_head")
    before = {field: getattr(individual, field) for field in fields}
    if (
        individual.relation_to_head == RelationToHead.HEAD
        and "relation_to_head" in data
        and (data["relation_to_head"] != RelationToHead.HEAD)
    ):
        raise ValidationError({"relation_to_head": _("Use “Change head” to replace the head.")})
    values = _person_values(data)
    merged = {**before, **values}
    warning = _check_person(merged, exclude_pk=individual.pk)
    for field, value in values.items():
        setattr(individual, field, value)
    if "relation_to_head" in data:
        individual.relation_to_head = data["relation_to_head"]
    individual.nik_warning = warning
    individual.full_clean()
    after = {field: getattr(individual, field) for field in fields}
    changes = changes_between(before, after)
    if "nik" in changes:
        changes["nik"] = [before["nik"][:4] + "…", individual.nik_masked]
    if not changes:
        return individual
    individual.save()
    _record(
        household=household,
        kind=HouseholdEventKind.MEMBER_CORRECTED,
        source=source,
        actor=actor,
        reason=reason,
        individual=individual,
        changes=changes,
    )
    return individual
