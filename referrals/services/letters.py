"""SLRT service letters: numbered per kind and year, a PDF with a QR check, revocable."""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.permissions import configures_installation
from core.scope import assert_in_scope
from core.services import (
    audit_log,
)
from dtks.models import Household, Region
from silakso.exceptions import (
    DomainError,
    require,
)
from silakso.validation import required_text

from .. import permissions as perms
from ..choices import LetterKind
from ..models import (
    Case,
    Letter,
    LetterCounter,
    LetterTemplate,
)

# ============================================================================ letters
LETTER_CODES: dict[str, str] = {
    LetterKind.LKS: "LKS",
    LetterKind.LKM_NIK: "LKM",
    LetterKind.DTKS_RECEIPT: "DTKS",
    LetterKind.REPATRIATION: "PLG",
}
LETTER_FIELDS: dict[str, tuple[str, ...]] = {
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

    from ..letters import render_letter

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
    template = LetterTemplate.objects.filter(kind=kind).first()
    if template is not None and not template.is_active:
        errors["kind"] = [_("This letter cannot be issued: the administrator switched it off.")]
    if not errors and nik:
        person, refusals = letter_eligibility(
            kind=kind, template=template, region=region, nik=nik, name=name
        )
        errors.update(refusals)
        if household is None and person is not None:
            household = person.household
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if template is not None:
        # what the letter says and who signs it, as the kind reads today
        details["opening"] = template.opening
        details["closing"] = template.closing
        details["signatory"] = {
            "name": template.signatory_name,
            "position": template.signatory_position,
            "nip": template.signatory_nip,
        }
        if valid_until is None and template.valid_days:
            valid_until = today + dt.timedelta(days=template.valid_days)
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
    from core.satisfaction import invite

    invite(letter, "surat-layanan")
    return letter


#: Letters about a registered person: the NIK must be in the registry, living in the regency.
REGISTERED_KINDS = frozenset({LetterKind.LKM_NIK})


def letter_eligibility(*, kind: str, template, region: Region, nik: str, name: str):
    """The registry's answer before a letter is numbered: (the person or None, refusals by
    field). The name must be the NIK's (case, accents, spacing and a typo forgiven, as Cek
    Bansos), the person must live in the letter's regency, and the kind's own rules hold
    (highest desil, no current program the kind excludes). A DTKS registration receipt is
    for people not registered yet: only a NIK already in the registry must carry its name."""
    from dtks.models import Enrollment
    from dtks.selectors import names_match, registry_person

    person = registry_person(nik)
    if person is None:
        if kind in REGISTERED_KINDS:
            return None, {
                "recipient_nik": [
                    _(
                        "This NIK is not in the registry (or the person has died): this letter is "
                        "only for registered residents. Register the household first."
                    )
                ]
            }
        return None, {}
    if not names_match(name, person.name):
        return person, {
            "recipient_name": [
                _("The name does not match the name registered for this NIK. Check the KTP.")
            ]
        }
    if kind not in REGISTERED_KINDS:
        return person, {}
    regency = region.code[:5]
    household = person.household
    if person.status != "alive" or not household.village_id.startswith(regency + "."):
        return person, {
            "recipient_nik": [
                _(
                    "The registry does not place this person in this regency (moved out, or "
                    "registered elsewhere): the letter is issued where they live."
                )
            ]
        }
    if template is None:
        return person, {}
    refusals = []
    if template.max_desil is not None and (
        household.desil is None or household.desil > template.max_desil
    ):
        refusals.append(
            _(
                "Refused by this letter's rule “desil {limit} or lower”: the household is {desil}."
            ).format(
                limit=template.max_desil,
                desil=_("desil {n}").format(n=household.desil)
                if household.desil
                else _("not ranked"),
            )
        )
    excluded = list(template.refused_programs.all())
    if excluded:
        today = timezone.localdate()
        receiving = (
            Enrollment.objects.active()
            .filter(
                household=household,
                program__in=excluded,
                period__starts_on__lte=today,
                period__ends_on__gte=today,
            )
            .filter(models.Q(individual__isnull=True) | models.Q(individual=person))
            .select_related("program")
            .first()
        )
        if receiving is not None:
            refusals.append(
                _(
                    "Refused by this letter's rule “not for recipients of {program}”: the "
                    "household receives it this period."
                ).format(program=receiving.program.name)
            )
    return person, ({"kind": refusals} if refusals else {})


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


@transaction.atomic
def letter_template_save(
    *, template: LetterTemplate, actor, refused_programs=None
) -> LetterTemplate:
    """An administrator sets how a kind of letter reads, who signs it and who may get it
    (highest desil, programs whose recipients do not): audited, with before and after."""
    from core.services import audited_save

    require(
        configures_installation(actor, *perms.CATALOGUE_ADMINS),
        _("Only administrators change the letter kinds."),
    )
    stored = LetterTemplate.objects.select_for_update().filter(kind=template.kind).first()
    if stored is not None:
        template.pk = stored.pk
        template.created_at = stored.created_at
    template.signatory_nip = "".join(template.signatory_nip.split())
    audited_save(template, actor=actor)
    if refused_programs is not None:
        before = sorted(template.refused_programs.values_list("code", flat=True))
        template.refused_programs.set(refused_programs)
        after = sorted(template.refused_programs.values_list("code", flat=True))
        if before != after:
            audit_log(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=template,
                changes={"refused_programs": [before, after]},
            )
    return template
