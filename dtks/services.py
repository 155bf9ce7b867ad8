"""Writes of the registry app.

Every change goes through one of these functions: it checks the actor's role and scope, keeps the
registry consistent (one living head, derived member counts), bumps the household version so two
officers cannot silently overwrite each other, and writes a history entry plus an audit event.
"""

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.scope import assert_in_scope, within
from core.services import (
    JobReporter,
    audit_log,
    changes_between,
    object_lock,
    open_audited,
)
from core.uploads import process_upload
from silakso.exceptions import DomainError, Forbidden, OutOfScope, StaleObjectError

from .choices import (
    ChangeSource,
    EnrollmentSource,
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    HouseholdEventKind,
    HouseholdStatus,
    IndividualStatus,
    RelationToHead,
)
from .models import (
    REGION_SOURCE,
    DesilRecord,
    Enrollment,
    Family,
    Flag,
    Household,
    HouseholdEvent,
    HouseholdPhoto,
    Individual,
    Program,
    ProgramPeriod,
    Region,
)
from .nik import check_kk, check_nik, normalize_number
from .permissions import can_edit_registry, can_manage_programs, can_read_registry
from .regions import iter_official_regions

REGION_BATCH = 5000

# Household fields an officer edits directly (member counts, desil and status are derived).
HOUSEHOLD_FIELDS = (
    "address",
    "rt",
    "rw",
    "latitude",
    "longitude",
    "floor_material",
    "wall_material",
    "roof_material",
    "floor_area",
    "water_source",
    "toilet",
    "lighting",
    "cooking_fuel",
    "house_ownership",
    "land_ownership",
    "has_gas_cylinder",
    "has_refrigerator",
    "has_air_conditioner",
    "has_television",
    "has_computer",
    "has_smartphone",
    "has_gold",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "livestock_count",
    "head_education",
    "head_occupation",
    "income_band",
)
PERSON_FIELDS = (
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


# ============================================================================ regions
def region_load_all(
    *, within: str | None = None, actor=None, reporter: JobReporter | None = None
) -> dict:
    """Load (or refresh) the official Kemendagri region list; running it twice changes nothing.

    Upserts by code, parents before children. Codes that disappeared from the decree are kept
    (registry rows may still point at them) and counted as ``retired``.
    """
    started = time.monotonic()
    regions = list(iter_official_regions(within))
    total = len(regions)
    level_names = {1: "provinces", 2: "regencies", 3: "districts", 4: "villages"}
    counts = dict.fromkeys(level_names.values(), 0)
    with transaction.atomic():
        for offset in range(0, total, REGION_BATCH):
            chunk = regions[offset : offset + REGION_BATCH]
            Region.objects.bulk_create(
                [
                    Region(
                        code=item.code,
                        name=item.name,
                        level=item.level,
                        kind=item.type,
                        parent_id=item.code.rsplit(".", 1)[0] if "." in item.code else None,
                        postal_code=item.postal_code or "",
                    )
                    for item in chunk
                ],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "kind", "parent", "postal_code"],
            )
            for item in chunk:
                counts[level_names[item.level]] += 1
            if reporter:
                reporter.progress(min(offset + REGION_BATCH, total), total)
        official = {item.code for item in regions}
        if within:
            retired = Region.objects.within(within).exclude(code__in=official).count()
        else:
            retired = Region.objects.count() - len(official)
        result = {
            "source": REGION_SOURCE,
            "counts": counts,
            "total": total,
            "retired": retired,
            "seconds": round(time.monotonic() - started, 2),
        }
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="dtks.region",
            object_repr="Kemendagri region list",
            changes={"loaded": [None, total]},
            reason=REGION_SOURCE,
        )
    return result


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
    _refresh_derived(household)
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


def _refresh_derived(household: Household) -> None:
    """Member count, disability, head variables and status follow the living members."""
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
    household.status = HouseholdStatus.ACTIVE if living else HouseholdStatus.INACTIVE


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


# ============================================================================ households
@transaction.atomic
def household_create(
    *,
    village: Region,
    data: Mapping[str, Any],
    head: Mapping[str, Any],
    kk_number: str,
    actor,
    source: str = ChangeSource.FIELD_VISIT,
    reason: str = "",
    dtks_id: str | None = None,
) -> Household:
    """Register a new household with its head of household and family card."""
    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot change registry data."))
    if village is None or village.level != 4:
        raise ValidationError({"village": _("Choose a village.")})
    assert_in_scope(actor, village.code)
    household = Household(
        village=village,
        dtks_id=dtks_id or None,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **{field: data[field] for field in HOUSEHOLD_FIELDS if field in data},
    )
    household.full_clean()
    household.save()
    try:
        family = _new_family(household=household, kk_number=kk_number)
        person = _new_individual(
            household=household, family=family, data=head, relation=RelationToHead.HEAD
        )
    except ValidationError as exc:
        raise ValidationError(
            {
                ("head_" + key if key in PERSON_FIELDS else key): value
                for key, value in exc.message_dict.items()
            }
        ) from exc
    household.version = 0
    _record(
        household=household,
        kind=HouseholdEventKind.CREATED,
        source=source,
        actor=actor,
        reason=reason,
        individual=person,
        changes={"village": [None, village.code], "kk_number": [None, family.kk_number]},
    )
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    data: Mapping[str, Any],
    version: int | None,
    reason: str,
    actor,
    source: str = ChangeSource.FIELD_VISIT,
) -> Household:
    """Change household variables. A stale version is refused with what changed meanwhile."""
    household = _editable(household, actor)
    _assert_version(household, version)
    reason = _require_reason(reason)
    before = {field: getattr(household, field) for field in HOUSEHOLD_FIELDS}
    for field in HOUSEHOLD_FIELDS:
        if field in data:
            setattr(household, field, data[field])
    household.full_clean()
    after = {field: getattr(household, field) for field in HOUSEHOLD_FIELDS}
    changes = changes_between(before, after)
    if not changes:
        return household
    _record(
        household=household,
        kind=HouseholdEventKind.UPDATED,
        source=source,
        actor=actor,
        reason=reason,
        changes=changes,
        update_fields=list(changes),
    )
    return household


def household_open(*, user, pk) -> Household:
    """A household with its members, programs and history: an audited read of personal data
    (the page and the API call this)."""
    from .selectors import household_detail_list

    return open_audited(household_detail_list(user=user), pk, user=user, region="village_id")


def nik_reveal(*, individual: Individual, actor, reason: str = "") -> str:
    """Show one full NIK to a registry reader in scope; every reveal is audited."""
    if not can_read_registry(actor):
        raise Forbidden(_("Your role cannot see NIK numbers."))
    if not Individual.objects.visible_to(actor).filter(pk=individual.pk).exists():
        raise OutOfScope(_("This person is outside the area you work in."))
    village = individual.household.village_id
    audit_log(
        actor=actor,
        action=AuditAction.VIEW_SENSITIVE,
        obj=individual,
        object_repr=individual.nik_masked,
        region_code=village,
        reason=reason or "NIK",
    )
    return individual.nik


def export_audit(*, actor, filters: dict, rows: int) -> None:
    """Every registry export is in the audit trail, with its filters and size."""
    audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="dtks.individual",
        object_repr="DTKS export ({} rows)".format(rows),
        region_code=actor.scope_code,
        changes={"filters": [None, filters], "rows": [None, rows]},
    )


def cek_bansos_allow(*, ip: str | None, nik: str) -> bool:
    """The public status check's limits: per address and per NIK (settings, hourly)."""
    from django.conf import settings

    from silakso import ratelimit

    return ratelimit.allow_all(
        [
            ("cek-ip", ip or "-", settings.SILAKSO_CEK_LIMIT_PER_IP, 3600),
            ("cek-nik", nik, settings.SILAKSO_CEK_LIMIT_PER_NIK, 3600),
        ]
    )


def cek_bansos_audit(*, nik: str, result: dict | None) -> None:
    """Every public status lookup is audited (the NIK masked, the region when found).

    Written in one round trip without waiting for the disk flush: a lookup record may be lost
    if the database server crashes in the next fraction of a second, in exchange for the
    busiest public page not waiting on the disk. Nothing a user submitted is written this way.
    """
    from .nik import mask_nik

    audit_log(
        actor=None,
        action=AuditAction.LOOKUP,
        object_type="dtks.individual",
        object_id=str(result["person_id"]) if result else "",
        object_repr=mask_nik(nik),
        region_code=result["region_code"] if result else None,
        reason="cek bansos: {}".format("found" if result else "no match"),
        durable=False,
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
        Individual.objects.filter(pk=new_head.pk).update(relation_to_head=RelationToHead.HEAD)
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


# ============================================================================ photos, desil
@transaction.atomic
def photo_add(
    *,
    household: Household,
    upload,
    actor,
    caption: str = "",
    latitude=None,
    longitude=None,
) -> HouseholdPhoto:
    """Store a house photo (shrunk, EXIF GPS kept as the photo's position)."""
    household = _editable(household, actor)
    processed = process_upload(upload, field="image", allow_pdf=False)
    photo = HouseholdPhoto(
        household=household,
        caption=caption,
        latitude=latitude if latitude is not None else processed.latitude,
        longitude=longitude if longitude is not None else processed.longitude,
        taken_at=processed.taken_at or timezone.now(),
        uploaded_by=actor,
    )
    photo.image.save(processed.name, processed.content, save=False)
    photo.save()
    update_fields = []
    if household.latitude is None and photo.latitude is not None:
        household.latitude, household.longitude = photo.latitude, photo.longitude
        update_fields = ["latitude", "longitude"]
    _record(
        household=household,
        kind=HouseholdEventKind.PHOTO_ADDED,
        source=ChangeSource.FIELD_VISIT,
        actor=actor,
        reason=caption,
        changes={"photo": [None, photo.pk]},
        update_fields=update_fields,
    )
    return photo


@transaction.atomic
def desil_record(
    *, household: Household, desil: int, as_of: dt.date, source: str, actor
) -> DesilRecord:
    """Keep an imported official desil; the household shows the one with the latest date."""
    if not 1 <= int(desil) <= 10:
        raise ValidationError({"desil": _("A desil is a number from 1 to 10.")})
    household = _lock(household)
    record, _created = DesilRecord.objects.update_or_create(
        household=household,
        as_of=as_of,
        defaults={"desil": desil, "source": source, "imported_by": actor},
    )
    if household.desil_as_of is None or as_of >= household.desil_as_of:
        before = household.desil
        household.desil, household.desil_as_of = int(desil), as_of
        _record(
            household=household,
            kind=HouseholdEventKind.DESIL_IMPORTED,
            source=ChangeSource.IMPORT,
            actor=actor,
            reason=source,
            changes={"desil": [before, int(desil)], "as_of": [None, as_of.isoformat()]},
            update_fields=["desil", "desil_as_of"],
        )
    return record


# ============================================================================ flags
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


# ============================================================================ local PMT
@transaction.atomic
def pmt_weight_set_save(*, weight_set, actor):
    """Save PMT weights. Weights already used by a run are never rewritten: the edit becomes a
    new version (and the active one), so every past run stays explainable."""
    from .models import PmtWeightSet
    from .pmt import validate_weights

    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change the PMT weights."))
    validate_weights(weight_set.weights)
    if weight_set.pk and weight_set.runs.exists():
        weight_set.pk = None
        weight_set._state.adding = True
    if weight_set.pk is None:
        last = PmtWeightSet.objects.order_by("-version").first()
        weight_set.version = (last.version + 1) if last else 1
        weight_set.created_by = actor
    weight_set.full_clean()
    weight_set.save()
    if weight_set.is_active:
        PmtWeightSet.objects.exclude(pk=weight_set.pk).update(is_active=False)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=weight_set,
        changes={"version": [None, weight_set.version]},
    )
    return weight_set


def pmt_rank(*, actor=None, reporter=None):
    """Rank the households of the actor's area (everything for the schedule) with the active
    weights. Ranking is per regency, so a regency-level scope is needed for a fair decile."""
    from .models import PmtWeightSet
    from .pmt import run_ranking

    if actor is not None and not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators run the local PMT."))
    weight_set = PmtWeightSet.objects.filter(is_active=True).order_by("-version").first()
    if weight_set is None:
        raise DomainError(_("No active PMT weights. Add them in the admin site."))
    scope = None if actor is None or actor.is_installation_wide else actor.scope_code
    run = run_ranking(weight_set=weight_set, actor=actor, scope=scope, reporter=reporter)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=run,
        region_code=scope,
        changes={"households": [None, run.households], "changed": [None, run.changed]},
        reason="local PMT",
    )
    return run


# ============================================================================ verification
def verification_run(*, actor=None, reporter=None) -> dict:
    """Run every verification check over the actor's area (the whole installation nightly)."""
    from .verification import run_checks

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
    from .models import Campaign, CampaignItem

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


@transaction.atomic
def campaign_item_record(
    *, item, outcome: str, actor, notes: str = "", visited_on: dt.date | None = None
):
    """Record a field check (form A4) and apply it to the registry through the usual services."""
    from .choices import CampaignOutcome, CampaignStatus
    from .models import CampaignItem

    item = _locked_for_editor(
        CampaignItem, item.pk, actor, related=("campaign", "household", "individual", "flag")
    )
    if item.campaign.status != CampaignStatus.OPEN:
        raise DomainError(_("This campaign is closed."))
    if item.outcome:
        raise DomainError(_("This household has already been checked in this campaign."))
    if outcome not in CampaignOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    visited_on = visited_on or timezone.localdate()
    reason = (
        _("Field check “{campaign}”: {outcome}. {notes}")
        .format(campaign=item.campaign.name, outcome=CampaignOutcome(outcome).label, notes=notes)
        .strip()
    )
    household = item.household
    head = _living_head(household)
    person = item.individual if item.individual and item.individual.status == "alive" else head
    if outcome == CampaignOutcome.DECEASED and person is not None:
        member_death(
            individual=person,
            date=visited_on,
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
                date=visited_on,
                actor=actor,
                reason=reason,
                source=ChangeSource.VERIFICATION,
            )
        for enrollment in Enrollment.objects.filter(
            household=household, status=EnrollmentStatus.ACTIVE
        ):
            enrollment_end(enrollment=enrollment, actor=actor, reason=reason)
    elif outcome == CampaignOutcome.NOW_ABLE:
        for enrollment in Enrollment.objects.filter(
            household=household, status=EnrollmentStatus.ACTIVE
        ):
            enrollment_end(enrollment=enrollment, actor=actor, reason=reason)
    item.outcome = outcome
    item.notes = notes
    item.visited_on = visited_on
    item.visited_by = actor
    item.save(update_fields=["outcome", "notes", "visited_on", "visited_by", "updated_at"])
    if (
        item.flag is not None
        and item.flag.status == FlagStatus.OPEN
        and outcome != (CampaignOutcome.NOT_FOUND)
    ):
        flag_resolve(flag=item.flag, outcome=reason, actor=actor)
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=item,
        region_code=household.village_id,
        changes={"outcome": [None, outcome]},
        reason=notes,
    )
    return item


# ============================================================================ programs
@transaction.atomic
def program_save(*, program: Program, actor) -> Program:
    """Create or change a program of the catalogue."""
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change programs."))
    before = {}
    if program.pk:
        before = {
            f.name: getattr(Program.objects.get(pk=program.pk), f.name)
            for f in Program._meta.concrete_fields
        }
    program.full_clean()
    program.save()
    after = {f.name: getattr(program, f.name) for f in Program._meta.concrete_fields}
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=program,
        changes=changes_between(before, after),
    )
    return program


@transaction.atomic
def program_period_save(*, period: ProgramPeriod, actor) -> ProgramPeriod:
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change programs."))
    period.full_clean()
    period.save()
    audit_log(actor=actor, action=AuditAction.UPDATE, obj=period)
    return period


def _double_dipping(
    *, program: Program, period: ProgramPeriod, household: Household
) -> list[Enrollment]:
    """Active enrollments of the same aid type from another funder in an overlapping period."""
    return list(
        Enrollment.objects.filter(
            household=household,
            status=EnrollmentStatus.ACTIVE,
            program__aid_type=program.aid_type,
            period__starts_on__lte=period.ends_on,
            period__ends_on__gte=period.starts_on,
        )
        .exclude(program__funding_source=program.funding_source)
        .select_related("program", "period")
    )


def _default_start(period: ProgramPeriod) -> dt.date:
    """Today while the period runs, otherwise the period's first day."""
    today = timezone.localdate()
    return today if period.starts_on <= today <= period.ends_on else period.starts_on


class DoubleDippingError(DomainError):
    """The same aid type from two funders in one period, without a recorded reason."""

    default_code = "double_dipping"


@transaction.atomic
def enrollment_create(
    *,
    program: Program,
    period: ProgramPeriod,
    household: Household,
    actor,
    source: str = EnrollmentSource.MANUAL,
    individual: Individual | None = None,
    started_on: dt.date | None = None,
    double_dip_reason: str = "",
) -> Enrollment:
    """Enroll a household (or one member) in a program period.

    Refuses the same aid type for the same household from another funder in an overlapping
    period — the double dipping SILAKSO was created to stop — unless the officer records why.
    """
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators enroll households."))
    household = _lock(household, actor)
    if period.program_id != program.pk:
        raise ValidationError({"period": _("This period belongs to another program.")})
    if not program.is_active:
        raise ValidationError({"program": _("This program is not active.")})
    if household.status != HouseholdStatus.ACTIVE:
        raise ValidationError({"household": _("This household is no longer in the registry.")})
    if individual is not None:
        if individual.household_id != household.pk:
            raise ValidationError(
                {"individual": _("This person is not a member of the household.")}
            )
        if individual.status != IndividualStatus.ALIVE:
            raise ValidationError({"individual": _("This person is not living in the household.")})
    if Enrollment.objects.filter(
        period=period,
        household=household,
        individual=individual,
        status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED],
    ).exists():
        raise DomainError(
            _("This household is already enrolled in {period}.").format(period=period),
            code="already_enrolled",
        )
    clashes = _double_dipping(program=program, period=period, household=household)
    double_dip_reason = (double_dip_reason or "").strip()
    if clashes and not double_dip_reason:
        raise DoubleDippingError(
            _(
                "This household already receives {aid} from {programs} in this period. The same "
                "aid from two funders is not allowed unless you record why."
            ).format(
                aid=program.get_aid_type_display().lower(),
                programs=", ".join(
                    "{} ({})".format(e.program.name, e.program.get_funding_source_display())
                    for e in clashes
                ),
            ),
            fields={"double_dip_reason": _("Required to allow a second aid of the same type.")},
        )
    enrollment = Enrollment(
        program=program,
        period=period,
        household=household,
        individual=individual,
        source=source,
        started_on=started_on or _default_start(period),
        double_dip_reason=double_dip_reason if clashes else "",
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError as exc:
        raise DomainError(
            _("This household is already enrolled in {period}.").format(period=period),
            code="already_enrolled",
        ) from exc
    _record(
        household=household,
        kind=HouseholdEventKind.ENROLLED,
        source=ChangeSource.IMPORT if source == EnrollmentSource.IMPORT else ChangeSource.OFFICE,
        actor=actor,
        reason=double_dip_reason,
        individual=individual,
        changes={"program": [None, str(period)], "double_dipping": [None, bool(clashes)]},
    )
    return enrollment


@transaction.atomic
def enrollment_end(
    *, enrollment: Enrollment, actor, reason: str, ended_on: dt.date | None = None
) -> Enrollment:
    """Stop an enrollment (graduated, deceased, moved, no longer eligible…)."""
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators end enrollments."))
    enrollment = object_lock(
        Enrollment, enrollment.pk, actor=actor, related=("household", "period")
    )
    if enrollment.status == EnrollmentStatus.ENDED:
        raise DomainError(_("This enrollment has already ended."))
    reason = _require_reason(reason)
    enrollment.status = EnrollmentStatus.ENDED
    enrollment.ended_on = ended_on or timezone.localdate()
    enrollment.end_reason = reason
    enrollment.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    household = _lock(enrollment.household)
    _record(
        household=household,
        kind=HouseholdEventKind.ENROLLMENT_ENDED,
        source=ChangeSource.OFFICE,
        actor=actor,
        reason=reason,
        changes={"program": [str(enrollment.period), None]},
    )
    return enrollment


def enrollments_import(
    *,
    period: ProgramPeriod,
    rows: Iterable[Mapping[str, str]],
    actor,
    reporter: JobReporter | None = None,
) -> dict:
    """Enroll the households of an official recipient list (rows with `nik` or `dtks_id`).

    Every row is checked; rows that cannot be applied (unknown person, outside the area, already
    enrolled, double dipping) are reported with their line number and reason, the rest applied
    in one transaction.
    """
    rows = list(rows)
    accepted, rejected = 0, []
    program = period.program
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):
            nik = normalize_number(row.get("nik", ""))
            dtks_id = (row.get("dtks_id") or "").strip()
            try:
                if dtks_id:
                    household = Household.objects.get(dtks_id=dtks_id)
                    individual = None
                elif nik:
                    individual = (
                        Individual.objects.select_related("household").filter(nik=nik).first()
                    )
                    if individual is None:
                        raise Individual.DoesNotExist
                    household = individual.household
                    if program.target == "household":
                        individual = None
                else:
                    raise ValidationError(_("The row has neither a NIK nor a DTKS household id."))
                with transaction.atomic():
                    enrollment_create(
                        program=program,
                        period=period,
                        household=household,
                        individual=individual,
                        source=EnrollmentSource.IMPORT,
                        actor=actor,
                        double_dip_reason=(row.get("reason") or "").strip(),
                    )
                accepted += 1
            except (Household.DoesNotExist, Individual.DoesNotExist):
                rejected.append({"line": number, **row, "error": _("Not found in the registry.")})
            except (DomainError, ValidationError) as exc:
                message = getattr(exc, "message", None) or "; ".join(
                    getattr(exc, "messages", [str(exc)])
                )
                rejected.append({"line": number, **row, "error": str(message)})
            if reporter and number % 100 == 0:
                reporter.progress(number - 1, len(rows))
        if reporter:
            reporter.progress(len(rows), len(rows))
    return {"rows": len(rows), "accepted": accepted, "rejected": rejected}
