"""Programs, periods and enrollments, with the double-dipping guard."""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    JobReporter,
    audit_log,
    audited_save,
    changes_between,
    model_values,
    object_lock,
)
from silakso.exceptions import DomainError, Forbidden

from ..choices import (
    ChangeSource,
    EnrollmentSource,
    EnrollmentStatus,
    HouseholdEventKind,
    HouseholdStatus,
    IndividualStatus,
)
from ..models import (
    Enrollment,
    Household,
    Individual,
    Program,
    ProgramPeriod,
)
from ..nik import normalize_number
from ..permissions import can_manage_programs, can_manage_recipients, manages_program
from ._common import (
    _lock,
    _record,
    _require_reason,
)


# ============================================================================ programs
@transaction.atomic
def _program_in_scope(actor, region_code: str | None) -> None:
    """A regional program is changed by the managers of its region (or wider); a national one
    (no region) only by the installation's administrators."""
    from core.scope import region_in_scope

    if region_code is None:
        if not actor.is_installation_wide:
            raise Forbidden(
                _("National programs are changed by the installation's administrators only.")
            )
    elif not region_in_scope(actor, region_code):
        raise Forbidden(_("This program belongs to another area."))


def program_save(*, program: Program, actor, managers=None) -> Program:
    """Create or change a program of the catalogue (in the actor's area: both where it was and
    where it is put). ``managers``, when given, are the partner OPD's program managers who keep
    its recipients: accounts with that role, of the program's area."""
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change programs."))
    if program.pk:
        _program_in_scope(
            actor, Program.objects.filter(pk=program.pk).values_list("region_id", flat=True).first()
        )
    _program_in_scope(actor, program.region_id)
    before = model_values(Program.objects.get(pk=program.pk)) if program.pk else {}
    program.full_clean()
    program.save()
    after = model_values(program)
    if managers is not None:
        before["managers"] = sorted(program.managers.values_list("username", flat=True))
        _program_managers_set(program, managers, actor)
        after["managers"] = sorted(program.managers.values_list("username", flat=True))
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=program,
        changes=changes_between(before, after),
    )
    return program


def _program_managers_set(program: Program, managers, actor) -> None:
    from core.choices import Role
    from core.scope import code_within, region_in_scope

    managers = list(managers)
    for user in managers:
        if user.role != Role.PROGRAM_MANAGER:
            raise ValidationError(
                {"managers": _("{name} is not a program manager account.").format(name=user)}
            )
        area = program.region_id or actor.region_id
        inside = user.region_id and (
            code_within(user.region_id, area) if area else region_in_scope(actor, user.region_id)
        )
        if not inside:
            raise ValidationError(
                {"managers": _("{name} works in another area.").format(name=user)}
            )
    program.managers.set(managers)


@transaction.atomic
def program_period_save(*, period: ProgramPeriod, actor) -> ProgramPeriod:
    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change programs."))
    if period.pk:
        _program_in_scope(
            actor,
            ProgramPeriod.objects.filter(pk=period.pk)
            .values_list("program__region_id", flat=True)
            .first(),
        )
    _program_in_scope(actor, period.program.region_id)
    audited_save(period, actor=actor)
    return period


def _recipient_household_lock(household: Household, actor, program: Program) -> Household:
    """The household locked through the actor's scope; a partner OPD's program manager (who
    reads no registry list) reaches any household of its own regency, for enrolling only."""
    from core.scope import code_within
    from silakso.exceptions import OutOfScope

    if can_manage_programs(actor) or not manages_program(actor, program):
        return _lock(household, actor)
    village = Household.objects.filter(pk=household.pk).values_list("village_id", flat=True).first()
    if not actor.region_id or not code_within(village, actor.region_id):
        raise OutOfScope(_("This is outside the area you work in."))
    return object_lock(Household, household.pk, actor=None, system=True)


def recipient_find(*, actor, program: Program, nik: str, name: str) -> Individual:
    """The living registry member with this NIK and name in the actor's area, for enrolling.

    An unknown NIK, a NIK of another area and a name that does not belong to the NIK get the
    same answer, so the check cannot be used to learn who is in the registry."""
    from core.scope import within

    from ..nik import check_nik

    nik = normalize_number(nik)
    check = check_nik(nik)
    if not check.valid:
        raise ValidationError({"nik": list(check.errors.values())})
    if not (name or "").strip():
        raise ValidationError({"name": _("Type the name as on the KTP.")})
    people = Individual.objects.select_related("household").filter(
        nik=nik,
        status=IndividualStatus.ALIVE,
        household__status=HouseholdStatus.ACTIVE,
    )
    if not can_manage_programs(actor):
        if not actor.region_id:
            people = people.none()
        else:
            people = people.filter(within("household__village__code", actor.region_id))
    from ..selectors import names_match

    person = next((p for p in people if names_match(name, p.name)), None)
    if person is None:
        raise ValidationError(
            {
                "nik": _(
                    "No living member of the registry of your area has this NIK and this name. "
                    "Check both against the KTP; a person not in the registry must first be "
                    "registered by their village."
                )
            }
        )
    return person


@transaction.atomic
def enrollment_create_by_nik(
    *,
    program: Program,
    period: ProgramPeriod,
    nik: str,
    name: str,
    actor,
    double_dip_reason: str = "",
    source: str = EnrollmentSource.MANUAL,
) -> Enrollment:
    """Enroll the person named by NIK + name (their household for a household program)."""
    if not can_manage_recipients(actor, program):
        raise Forbidden(_("Only data managers and administrators enroll households."))
    person = recipient_find(actor=actor, program=program, nik=nik, name=name)
    return enrollment_create(
        program=program,
        period=period,
        household=person.household,
        individual=None if program.target == "household" else person,
        actor=actor,
        source=source,
        double_dip_reason=double_dip_reason,
    )


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


def _announce(enrollment: Enrollment) -> None:
    """Tell subscribed partner systems (thin: ids, program and status; core.webhooks)."""
    from core.webhooks import publish

    publish(
        "enrollment.changed",
        enrollment,
        region_code=enrollment.household.village_id,
        data={
            "object": "enrollment",
            "id": enrollment.pk,
            "program": enrollment.program.code,
            "period": enrollment.period_id,
            "household": enrollment.household_id,
            "status": enrollment.status,
        },
    )


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
    if not can_manage_recipients(actor, program):
        raise Forbidden(_("Only data managers and administrators enroll households."))
    household = _recipient_household_lock(household, actor, program)
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
    _announce(enrollment)
    return enrollment


@transaction.atomic
def enrollment_end(
    *, enrollment: Enrollment, actor, reason: str, ended_on: dt.date | None = None
) -> Enrollment:
    """Stop an enrollment (graduated, deceased, moved, no longer eligible…)."""
    if not can_manage_recipients(actor, enrollment.program):
        raise Forbidden(_("Only data managers and administrators end enrollments."))
    return enrollment_close(enrollment=enrollment, actor=actor, reason=reason, ended_on=ended_on)


def enrollment_close(
    *,
    enrollment: Enrollment,
    actor,
    reason: str,
    ended_on: dt.date | None = None,
    source: str = ChangeSource.OFFICE,
) -> Enrollment:
    """End an enrollment on a decision already authorised elsewhere (a field outcome Dinsos
    approved); callers check who may decide. Must run inside the caller's transaction."""
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
        source=source,
        actor=actor,
        reason=reason,
        changes={"program": [str(enrollment.period), None]},
    )
    _announce(enrollment)
    return enrollment


def _recipient_row(program: Program, nik: str, dtks_id: str):
    """The household (and member) a Dinsos recipient row names by DTKS id or NIK."""
    if dtks_id:
        return Household.objects.get(dtks_id=dtks_id), None
    if not nik:
        raise ValidationError(_("The row has neither a NIK nor a DTKS household id."))
    individual = Individual.objects.select_related("household").filter(nik=nik).first()
    if individual is None:
        raise Individual.DoesNotExist
    return individual.household, None if program.target == "household" else individual


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
    if not can_manage_recipients(actor, program):
        raise Forbidden(_("Only data managers and administrators import recipients."))
    # A partner OPD names each recipient by NIK + name; it never learns a household id.
    by_name = not can_manage_programs(actor)
    with transaction.atomic():
        for number, row in enumerate(rows, start=2):
            nik = normalize_number(row.get("nik", ""))
            dtks_id = (row.get("dtks_id") or "").strip()
            name = (row.get("name") or row.get("nama") or "").strip()
            try:
                with transaction.atomic():
                    if by_name:
                        enrollment_create_by_nik(
                            program=program,
                            period=period,
                            nik=nik,
                            name=name,
                            source=EnrollmentSource.IMPORT,
                            actor=actor,
                            double_dip_reason=(row.get("reason") or "").strip(),
                        )
                    else:
                        household, individual = _recipient_row(program, nik, dtks_id)
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
