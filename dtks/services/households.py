"""Households: register, change, open (audited), reveal a NIK, photos, official desil."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    changes_between,
    open_audited,
)
from core.uploads import process_upload
from silakso.exceptions import Forbidden, OutOfScope

from ..choices import (
    ChangeSource,
    HouseholdEventKind,
    HouseholdStatus,
    RelationToHead,
)
from ..models import (
    DesilRecord,
    Household,
    HouseholdPhoto,
    Individual,
    Region,
)
from ..permissions import can_edit_registry, can_read_registry
from ._common import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    _assert_version,
    _editable,
    _lock,
    _new_family,
    _new_individual,
    _record,
    _require_reason,
)


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
    if household.status == HouseholdStatus.RETIRED and source == ChangeSource.UPDATE_PROPOSAL:
        # a verified update proposal brings back a household a registry round retired
        changes["status"] = [HouseholdStatus.RETIRED.value, HouseholdStatus.ACTIVE.value]
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
    from ..selectors import household_detail_list

    return open_audited(household_detail_list(user=user), pk, user=user, region="village_id")


def household_photo_open(*, user, household_pk, pk) -> HouseholdPhoto:
    """A photo of a house (personal data): a sensitive, audited read."""
    from ..selectors import household_list

    return open_audited(
        HouseholdPhoto.objects.filter(
            household__in=household_list(user=user), household_id=household_pk
        ),
        pk,
        user=user,
        region="household.village_id",
        sensitive=True,
    )


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
    from ..nik import mask_nik

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


#: Bulk NIK lookups (up to 1,000 NIKs each) per account per hour.
BULK_LOOKUPS_PER_HOUR = 10


def people_lookup_bulk(*, actor, niks: list[str]) -> list[dict]:
    """An OPD checks its own list of NIKs: limited per hour, one audit row per call (how many
    asked, how many found; the NIKs themselves are not copied into the trail)."""
    from core.models import AuditEvent
    from core.services import NIK_LOOKUP
    from silakso import ratelimit
    from silakso.exceptions import DomainError, Throttled

    from ..selectors import BULK_LOOKUP_MAX, people_lookup

    if not can_read_registry(actor):
        raise Forbidden(_("You may not read the registry."))
    if len(niks) > BULK_LOOKUP_MAX:
        raise DomainError(
            _("At most {most} NIKs at a time (you sent {count}).").format(
                most=BULK_LOOKUP_MAX, count=len(niks)
            ),
            fields={"niks": [_("At most {most} NIKs.").format(most=BULK_LOOKUP_MAX)]},
        )
    since = timezone.now() - dt.timedelta(hours=1)
    allowed = ratelimit.allow(
        "nik-bulk",
        str(actor.pk),
        limit=BULK_LOOKUPS_PER_HOUR,
        window=3600,
        fallback=lambda: (
            AuditEvent.objects.filter(
                actor=actor, object_type="dtks.bulk_lookup", created_at__gte=since
            ).count()
            < BULK_LOOKUPS_PER_HOUR
        ),
    )
    if not allowed:
        raise Throttled(
            _("You checked {most} lists in the last hour. Wait a while, then try again.").format(
                most=BULK_LOOKUPS_PER_HOUR
            )
        )
    answers = people_lookup(user=actor, niks=niks)
    found = sum(1 for a in answers if a["found"])
    audit_log(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="dtks.bulk_lookup",
        object_repr=_("Bulk NIK lookup: {count} asked, {found} found").format(
            count=len(answers), found=found
        )[:200],
        region_code=actor.scope_code,
        changes={"asked": len(answers), "found": found},
        reason=NIK_LOOKUP,
    )
    return answers
