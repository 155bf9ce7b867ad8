"""What the registry's writes share: the fields an officer edits, the version check that
refuses a stale edit, the history entry, and the person and family helpers."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
    object_lock,
)
from silakso.exceptions import Forbidden, StaleObjectError

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
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    Family,
    Flag,
    Household,
    HouseholdEvent,
    Individual,
)
from ..nik import check_kk, check_nik, normalize_number
from ..permissions import can_edit_registry

REGION_BATCH = 5000


# ============================================================================ helpers
def _require_editor(actor) -> None:
    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot change registry data."))


def _editable(household: Household, actor) -> Household:
    """The household, locked through the editor's scope (what they cannot read, they cannot
    change: OutOfScope, 404)."""
    _require_editor(actor)
    return _lock(household, actor)


def _locked_for_editor(model, pk, actor, related=()):
    """A flag or campaign item, locked through the editor's scope."""
    _require_editor(actor)
    return object_lock(model, pk, actor=actor, related=related)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why this change is made; it is kept in the history.")}
        )
    return reason


def _lock(household: Household, actor=None) -> Household:
    """Lock the household row (through ``actor``'s scope; no actor: the system, an import)."""
    return object_lock(Household, household.pk, actor=actor)


def _assert_version(household: Household, version: int | None) -> None:
    """Refuse a change started from an older version, listing what changed meanwhile."""
    if version is None or int(version) == household.version:
        return
    newer = (
        HouseholdEvent.objects.filter(household=household, version__gt=int(version))
        .select_related("actor")
        .order_by("version")
    )
    changes = [
        {
            "version": event.version,
            "event": str(event.get_kind_display()),
            "by": event.actor.get_full_name() if event.actor else _("system"),
            "at": timezone.localtime(event.created_at).strftime("%d-%m-%Y %H:%M"),
            "changes": event.changes,
        }
        for event in newer
    ]
    last = changes[-1] if changes else None
    message = _(
        "Someone else saved this household after you opened it{who}. Your changes were not "
        "saved: look at the current data and enter them again."
    ).format(who=_(" ({by}, {at})").format(by=last["by"], at=last["at"]) if last else "")
    raise StaleObjectError(
        message,
        changes={"since_version": int(version), "events": changes},
        current_version=household.version,
    )


def _record(
    *,
    household: Household,
    kind: str,
    source: str,
    actor,
    reason: str = "",
    changes: Mapping | None = None,
    individual: Individual | None = None,
    update_fields: Iterable[str] = (),
) -> HouseholdEvent:
    """Bump the household version, save it and append the history entry and audit event."""
    _refresh_derived(household, restore=source == ChangeSource.UPDATE_PROPOSAL)
    household.version += 1
    fields = {
        "version",
        "updated_at",
        "member_count",
        "has_disabled_member",
        "status",
        "head_education",
        "head_occupation",
        *update_fields,
    }
    household.save(update_fields=sorted(fields))
    event = HouseholdEvent.objects.create(
        household=household,
        individual=individual,
        kind=kind,
        source=source,
        reason=reason,
        changes=dict(changes or {}),
        version=household.version,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_log(
        actor=actor,
        action=AuditAction.CREATE if kind == HouseholdEventKind.CREATED else AuditAction.UPDATE,
        obj=individual or household,
        region_code=household.village_id,
        changes=changes,
        reason="{}: {}".format(event.get_kind_display(), reason)
        if reason
        else str(event.get_kind_display()),
    )
    return event


def _refresh_derived(household: Household, *, restore: bool = False) -> None:
    """Member count, disability, head variables and status follow the living members. A
    household a registry round retired stays retired through ordinary edits; ``restore``
    (an update proposal Dinsos verified) brings it back."""
    living = list(
        Individual.objects.filter(household=household, status=IndividualStatus.ALIVE).only(
            "relation_to_head", "disability", "education", "occupation"
        )
    )
    household.member_count = len(living)
    household.has_disabled_member = any(person.disability != "none" for person in living)
    head = next((p for p in living if p.relation_to_head == RelationToHead.HEAD), None)
    if head is not None:
        household.head_education = head.education or household.head_education
        household.head_occupation = head.occupation or household.head_occupation
    if not living:
        household.status = HouseholdStatus.INACTIVE
    elif household.status != HouseholdStatus.RETIRED or restore:
        household.status = HouseholdStatus.ACTIVE


def _check_person(data: Mapping[str, Any], *, exclude_pk: int | None = None) -> str:
    """Validate a person's NIK against the rules and the registry; return the NIK warning."""
    errors: dict[str, list[str]] = {}
    birth_date = data.get("birth_date")
    today = timezone.localdate()
    if birth_date and birth_date > today:
        errors.setdefault("birth_date", []).append(_("The date of birth is in the future."))
    check = check_nik(data.get("nik", ""), birth_date=birth_date, sex=data.get("sex"))
    for part, message in check.errors.items():
        field = {"birth_date": "birth_date", "sex": "sex"}.get(part, "nik")
        if part == "birth_date" and birth_date is None:
            field = "nik"
        errors.setdefault(field, []).append(message)
    if check.valid:
        duplicates = Individual.objects.filter(nik=check.number)
        if exclude_pk:
            duplicates = duplicates.exclude(pk=exclude_pk)
        if duplicates.exists():
            errors.setdefault("nik", []).append(
                _(
                    "A person with this NIK is already in the registry. If they moved here, "
                    "use “Moved in” with this NIK instead."
                )
            )
    if errors:
        raise ValidationError(errors)
    return check.warning_text


def household_data_validate(*, data: Mapping[str, Any]) -> dict:
    """Check proposed household variables without saving them (update proposals apply them
    later); returns the values keyed by field, or raises a field-named ValidationError."""
    unknown = sorted(set(data) - set(HOUSEHOLD_FIELDS))
    if unknown:
        raise ValidationError({field: _("This is not a household variable.") for field in unknown})
    household = Household(**{field: data[field] for field in data})
    household.clean_fields(exclude=[f.name for f in Household._meta.fields if f.name not in data])
    return {field: getattr(household, field) for field in data}


def person_data_validate(*, data: Mapping[str, Any], exclude_pk: int | None = None) -> dict:
    """Check a person's data (NIK rules, NIK not already registered) without saving it."""
    _check_person(data, exclude_pk=exclude_pk)
    values = _person_values(data)
    person = Individual(**values)
    person.clean_fields(exclude=[f.name for f in Individual._meta.fields if f.name not in values])
    return values


def _person_values(data: Mapping[str, Any]) -> dict:
    values = {field: data[field] for field in PERSON_FIELDS if field in data}
    if "nik" in values:
        values["nik"] = normalize_number(values["nik"])
    return values


def _new_individual(*, household, family, data, relation) -> Individual:
    warning = _check_person(data)
    person = Individual(
        household=household,
        family=family,
        relation_to_head=relation,
        nik_warning=warning,
        **_person_values(data),
    )
    person.full_clean()
    person.save()
    if warning:
        flag_raise(
            household=household,
            individual=person,
            kind=FlagKind.NIK_UNKNOWN_REGION,
            reason=warning,
            evidence={"nik_prefix": person.nik[:6]},
        )
    return person


def _living_head(household: Household) -> Individual | None:
    return Individual.objects.filter(
        household=household, status=IndividualStatus.ALIVE, relation_to_head=RelationToHead.HEAD
    ).first()


def _family_for(household: Household, kk_number: str | None, family: Family | None) -> Family:
    if family is not None:
        if family.household_id != household.pk:
            raise ValidationError({"family": _("This KK belongs to another household.")})
        return family
    if kk_number:
        existing = Family.objects.filter(kk_number=normalize_number(kk_number)).first()
        if existing is not None:
            if existing.household_id != household.pk:
                raise ValidationError(
                    {"kk_number": _("This KK number belongs to another household.")}
                )
            return existing
        return _new_family(household=household, kk_number=kk_number)
    first = household.families.order_by("id").first()
    if first is None:
        raise ValidationError({"kk_number": _("Enter the KK number of this person.")})
    return first


def _new_family(*, household: Household, kk_number: str) -> Family:
    check = check_kk(kk_number)
    if not check.valid:
        raise ValidationError({"kk_number": list(check.errors.values())})
    if Family.objects.filter(kk_number=check.number).exists():
        raise ValidationError({"kk_number": _("This KK number is already in the registry.")})
    family = Family(household=household, kk_number=check.number, kk_warning=check.warning_text)
    family.full_clean()
    family.save()
    return family


def _event_date(value: dt.date | None, person: Individual, field: str) -> dt.date:
    if value is None:
        raise ValidationError({field: _("Enter the date.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})
    if value < person.birth_date:
        raise ValidationError(
            {
                field: _("The date cannot be before the person was born ({born}).").format(
                    born=person.birth_date.strftime("%d-%m-%Y")
                )
            }
        )
    return value


def flag_raise(
    *,
    household: Household,
    kind: str,
    reason: str,
    individual: Individual | None = None,
    evidence: Mapping | None = None,
) -> Flag:
    """Open a data problem on the worklist (an already open one of the same kind is reused)."""
    existing = Flag.objects.filter(
        household=household, individual=individual, kind=kind, status=FlagStatus.OPEN
    ).first()
    if existing is not None:
        return existing
    return Flag.objects.create(
        household=household,
        individual=individual,
        kind=kind,
        reason=reason,
        evidence=dict(evidence or {}),
    )
