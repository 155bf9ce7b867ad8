"""Writes of the aid-application flow: one service per step, each checking role, scope and the
transition table, writing a status-change row and an audit event, and queueing the resident's
notification after commit (from the database outbox, so nothing is lost when Redis is down).
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import AuditAction, NotificationChannel, Role
from core.permissions import assert_separation_of_duties
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    job_create,
    notification_queue,
    notification_queue_many,
    status_transition,
)
from core.uploads import process_upload
from dtks import services as registry
from dtks.choices import ChangeSource, EnrollmentStatus, IndividualStatus
from dtks.models import Enrollment, Household, Individual, Program, Region
from dtks.nik import check_kk, check_nik, normalize_number
from dtks.selectors import names_match
from silakso.exceptions import DomainError, require
from silakso.validation import required_text

from . import permissions as perms
from .choices import (
    ApplicationChannel,
    ApplicationStatus,
    BatchStatus,
    DeliberationKind,
    DocumentKind,
    ObjectionOutcome,
    ObjectionStatus,
    PovertyDecision,
    ProposalKind,
    ProposalStatus,
    ScreeningResult,
)
from .models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Batch,
    BatchStatusChange,
    Deliberation,
    FieldCheck,
    Objection,
    ProposalStatusChange,
    UpdateProposal,
)
from .models.applications import new_tracking_code
from .resident_texts import contact_text, step_text
from .workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW, WITHDRAWABLE

STAFF_CHANNELS = (
    ApplicationChannel.VILLAGE_OFFICE,
    ApplicationChannel.PUSKESOS,
    ApplicationChannel.MPP_COUNTER,
    ApplicationChannel.HOME_VISIT,
    ApplicationChannel.API,
)


# ============================================================================ shared steps
def _require_reason(reason: str, field: str = "reason") -> str:
    return required_text(
        reason,
        field,
        message=_("Write the reason in a sentence: the resident will read it."),
        maximum=4000,
    )


def _recipients(application: Application) -> list[tuple[str, str]]:
    recipients = []
    if application.email:
        recipients.append((NotificationChannel.EMAIL, application.email))
    if application.phone:
        recipients.append((NotificationChannel.SMS, application.phone))
    resident = application.resident
    if resident is not None:
        if resident.email and resident.email != application.email:
            recipients.append((NotificationChannel.EMAIL, resident.email))
        if resident.phone and resident.phone != application.phone:
            recipients.append((NotificationChannel.SMS, resident.phone))
    return recipients


def _message(application: Application, status: str, note: str = "") -> tuple[str, str]:
    """Subject and body of the resident's notification, in Indonesian (the residents' language)."""
    with translation.override(settings.LANGUAGE_CODE):
        happened, following = step_text(status)
        lines = [
            _("Your request {code} ({program}):").format(
                code=application.code, program=application.program.name
            ),
            happened,
        ]
        if note:
            lines.append(note)
        lines += [
            following,
            _("Follow it at {url} with the code and your NIK.").format(
                url=settings.SILAKSO_PUBLIC_URL.rstrip("/") + reverse("applications:track")
            ),
            contact_text(),
        ]
        subject = _("SILAKSO: request {code}").format(code=application.code)
    return subject, "\n".join(lines)


def _notify(application: Application, status: str, note: str = "") -> None:
    subject, body = _message(application, status, note)
    for channel, recipient in _recipients(application):
        notification_queue(
            channel=channel, recipient=recipient, subject=subject, body=body, obj=application
        )


def _move(
    application: Application,
    target: str,
    *,
    actor,
    note: str = "",
    resident_note: str = "",
    extra_fields: Iterable[str] = (),
) -> Application:
    """Apply one transition of the table to a locked application; log, audit and notify."""
    status_transition(
        application,
        target,
        flow=APPLICATION_FLOW,
        history=partial(ApplicationStatusChange.objects.create, application=application),
        actor=actor,
        note=note,
        fields=tuple(extra_fields),
        region_code=application.village_id,
    )
    _notify(application, target, resident_note)
    return application


def _lock(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("program", "resident")
        .get(pk=application.pk)
    )


def _move_many(
    applications, target: str, *, actor, note: str = "", extra: Mapping[str, Any] | None = None
) -> int:
    """The same transition for a whole period list, set-based: one UPDATE, bulk history rows,
    one audit event and one notification sweep (a list can hold thousands of applications)."""
    rows = list(
        applications.select_for_update(of=("self",))
        .select_related("program", "resident")
        .order_by("pk")
    )
    if not rows:
        return 0
    sources = {row.status for row in rows}
    for source in sources:
        APPLICATION_FLOW.assert_transition(source, target)
    now = timezone.now()
    Application.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=target, status_changed_at=now, updated_at=now, **(extra or {})
    )
    real_actor = actor if actor is not None and actor.is_authenticated else None
    ApplicationStatusChange.objects.bulk_create(
        [
            ApplicationStatusChange(
                application=row,
                from_status=row.status,
                to_status=target,
                actor=real_actor,
                note=note,
                created_at=now,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    messages = []
    for row in rows:
        subject, body = _message(row, target)
        messages += [
            {
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "obj": row,
            }
            for channel, recipient in _recipients(row)
        ]
    notification_queue_many(messages=messages)
    return len(rows)


# ============================================================================ submission
def _clean_applicant(data: Mapping[str, Any]) -> dict:
    errors: dict[str, list[str]] = {}
    nik = normalize_number(str(data.get("nik") or ""))
    check = check_nik(nik)
    if not check.valid:
        errors["nik"] = list(check.errors.values())
    name = " ".join(str(data.get("name") or "").split())
    if len(name) < 2:
        errors["name"] = [_("Write your full name as on your KTP.")]
    kk_number = normalize_number(str(data.get("kk_number") or ""))
    if kk_number and not check_kk(kk_number).valid:
        errors["kk_number"] = list(check_kk(kk_number).errors.values())
    phone = "".join(ch for ch in str(data.get("phone") or "") if ch.isdigit() or ch == "+")
    if phone and not 9 <= len(phone.lstrip("+")) <= 15:
        errors["phone"] = [_("Write a phone number such as 0812 3456 7890.")]
    address = " ".join(str(data.get("address") or "").split())
    if len(address) < 5:
        errors["address"] = [_("Write your address (street, house number, RT/RW).")]
    if errors:
        raise ValidationError(errors)
    return {
        "applicant_nik": nik,
        "applicant_name": name[:150],
        "kk_number": kk_number,
        "phone": phone,
        "email": str(data.get("email") or "").strip()[:254],
        "address": address[:255],
        "reason": str(data.get("reason") or "").strip()[:2000],
    }


def _refuse_duplicates(*, program: Program, nik: str, household: Household | None) -> None:
    """One open application per person and program; none while already receiving it."""
    if Application.objects.open().filter(program=program, applicant_nik=nik).exists():
        raise DomainError(
            _(
                "There is already an open request for this program for this NIK. Follow it "
                "with its tracking code, or ask at the village office."
            ),
            code="duplicate_application",
            fields={"program": ""},
        )
    if household is None:
        return
    today = timezone.localdate()
    if Enrollment.objects.filter(
        program=program,
        household=household,
        status=EnrollmentStatus.ACTIVE,
        period__starts_on__lte=today,
        period__ends_on__gte=today,
    ).exists():
        raise DomainError(
            _("Your household already receives this program in the current period."),
            code="already_enrolled",
            fields={"program": ""},
        )
    if program.target == "household" and (
        Application.objects.open().filter(program=program, household=household).exists()
    ):
        raise DomainError(
            _("Another member of your household already has an open request for this program."),
            code="duplicate_application",
            fields={"program": ""},
        )


def _registry_person(nik: str) -> Individual | None:
    return (
        Individual.objects.filter(nik=nik)
        .exclude(status=IndividualStatus.DECEASED)
        .select_related("household", "household__village")
        .order_by("status", "pk")
        .first()
    )


@transaction.atomic
def application_submit(
    *,
    program: Program,
    applicant: Mapping[str, Any],
    village: Region,
    channel: str,
    actor,
    documents: Iterable[tuple[str, str, Any]] = (),
    submission_key: str | None = None,
) -> Application:
    """Receive an application (online by the resident or entered by an officer) and screen it.

    ``documents`` are (kind, label, uploaded file) triples. Refuses a second open request for
    the same program and a household already receiving it; a request whose registry data does
    not fit continues as an update proposal.
    """
    if submission_key:
        existing = Application.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing  # the same form sent twice (double click, network retry)
    staff = actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT
    if channel == ApplicationChannel.ONLINE:
        require(not staff, _("Officers enter requests with the channel they received them by."))
    else:
        require(
            channel in STAFF_CHANNELS and perms.can_intake(actor),
            _("Your role cannot enter requests for residents."),
        )
        if channel == ApplicationChannel.API and actor.role != Role.API_CLIENT:
            raise ValidationError({"channel": _("Choose how the request reached you.")})
    if not program.is_active or (
        channel == ApplicationChannel.ONLINE and not program.accepts_applications
    ):
        raise ValidationError({"program": _("This program does not take requests now.")})
    if village is None or village.level != 4:
        raise ValidationError({"village": _("Choose your village.")})
    if not Program.objects.available_in(village.code).filter(pk=program.pk).exists():
        raise ValidationError({"program": _("This program is not offered in your village.")})
    if staff:
        assert_in_scope(actor, village.code)
    values = _clean_applicant(applicant)
    person = _registry_person(values["applicant_nik"])
    _refuse_duplicates(
        program=program,
        nik=values["applicant_nik"],
        household=person.household if person else None,
    )
    processed = []
    for number, (kind, label, upload) in enumerate(documents):
        if upload is None:
            continue
        if kind not in DocumentKind.values:
            kind = DocumentKind.OTHER
        processed.append((kind, label, process_upload(upload, field="document_{}".format(number))))
    resident = actor if actor is not None and actor.is_authenticated and not staff else None
    for _attempt in range(5):
        application = Application(
            code=new_tracking_code(),
            program=program,
            channel=channel,
            village=village,
            resident=resident,
            entered_by=actor if staff else None,
            submission_key=submission_key or None,
            status=ApplicationStatus.SUBMITTED,
            status_changed_at=timezone.now(),
            **values,
        )
        application.full_clean(exclude=["code", "submission_key"])
        try:
            with transaction.atomic():
                application.save()
            break
        except IntegrityError as exc:
            if (
                submission_key
                and Application.objects.filter(submission_key=submission_key).exists()
            ):
                return Application.objects.get(submission_key=submission_key)
            if "one_open_per_person" in str(exc):
                _refuse_duplicates(program=program, nik=values["applicant_nik"], household=None)
            continue  # a tracking code collision: draw another
    else:  # pragma: no cover - five collisions in 32^8 codes
        raise DomainError(_("Please send the form again."))
    for kind, label, upload in processed:
        document = ApplicationDocument(
            application=application,
            kind=kind,
            label=label[:150],
            content_type=upload.content_type,
            size=upload.content.size,
            uploaded_by=actor if staff else None,
        )
        document.file.save(upload.name, upload.content, save=False)
        document.save()
    ApplicationStatusChange.objects.create(
        application=application,
        from_status="",
        to_status=ApplicationStatus.SUBMITTED,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=ApplicationChannel(channel).label,
    )
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=application,
        region_code=village.code,
        changes={"program": [None, program.code], "channel": [None, channel]},
    )
    _notify(application, ApplicationStatus.SUBMITTED)
    return application_screen(application=application, actor=actor)


def _screening_checks(application: Application) -> tuple[list[dict], Individual | None]:
    """The automatic checks against the registry, as (code, ok, detail) records."""
    program = application.program
    person = _registry_person(application.applicant_nik)
    checks = [{"code": "person_found", "ok": person is not None}]
    if person is None:
        return checks, None
    household = person.household
    checks.append(
        {"code": "name_matches", "ok": names_match(application.applicant_name, person.name)}
    )
    checks.append({"code": "household_found", "ok": household.status == "active"})
    if program.max_desil is None:
        checks.append({"code": "desil", "ok": True, "desil": household.desil, "limit": None})
    else:
        checks.append(
            {
                "code": "desil",
                "ok": household.desil is not None and household.desil <= program.max_desil,
                "desil": household.desil,
                "limit": program.max_desil,
                "local_pmt_desil": household.pmt_desil,
            }
        )
    checks.append({"code": "not_enrolled", "ok": True})
    checks.append({"code": "no_open_application", "ok": True})
    return checks, person


@transaction.atomic
def application_screen(*, application: Application, actor=None) -> Application:
    """Screening, automatic on submit: found in the registry, desil within the program's limit.

    Passed: on to the village deliberation. A registry mismatch opens an update proposal
    instead of ending the request.
    """
    application = _lock(application)
    checks, person = _screening_checks(application)
    if person is not None:
        application.individual = person
        application.household = person.household
        if person.household.village_id != application.village_id:
            # the registry knows where the household lives: that village deliberates
            application.village = person.household.village
    application.screening = checks
    passed = all(check["ok"] for check in checks)
    application.screening_result = (
        ScreeningResult.PASSED if passed else ScreeningResult.NEEDS_UPDATE
    )
    fields = ["individual", "household", "village", "screening", "screening_result"]
    if passed:
        return _move(
            application,
            ApplicationStatus.AWAITING_DELIBERATION,
            actor=actor,
            note=_("Screening passed."),
            extra_fields=fields,
        )
    failed = {check["code"] for check in checks if not check["ok"]}
    if "person_found" in failed:
        kind = ProposalKind.NEW_HOUSEHOLD
    elif "name_matches" in failed:
        kind = ProposalKind.CORRECTION
    else:
        kind = ProposalKind.REASSESSMENT
    _move(
        application,
        ApplicationStatus.NEEDS_UPDATE,
        actor=actor,
        note=_("Registry data must be updated: {checks}.").format(checks=", ".join(sorted(failed))),
        extra_fields=fields,
    )
    proposal_open(
        kind=kind,
        village=application.village,
        household=application.household,
        nik=application.applicant_nik,
        name=application.applicant_name,
        kk_number=application.kk_number,
        reason=", ".join(sorted(failed)),
        application=application,
        actor=actor,
    )
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor=None, reason: str = "") -> Application:
    """The resident (or an officer for them) withdraws a request before it is finalised.

    The caller has proven the right to act: a resident by tracking code + NIK or their account,
    an officer by role and scope.
    """
    application = _lock(application)
    staff = actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT
    if staff:
        require(perms.can_intake(actor), _("Your role cannot withdraw requests."))
        assert_in_scope(actor, application.village_id)
    if application.status not in WITHDRAWABLE:
        APPLICATION_FLOW.assert_transition(application.status, ApplicationStatus.WITHDRAWN)
    application = _move(
        application, ApplicationStatus.WITHDRAWN, actor=actor, note=(reason or "").strip()[:500]
    )
    proposal = UpdateProposal.objects.filter(application=application).first()
    if proposal is not None and proposal.status not in (
        ProposalStatus.APPLIED,
        ProposalStatus.REJECTED,
    ):
        _proposal_move(
            proposal, ProposalStatus.REJECTED, actor=actor, note=_("The request was withdrawn.")
        )
    return application


@transaction.atomic
def application_take(*, application: Application, actor) -> Application:
    """A verifier puts the application on their own worklist."""
    require(perms.can_verify(actor), _("Only verifiers take applications to verify."))
    application = _lock(application)
    assert_in_scope(actor, application.village_id)
    application.assigned_to = actor
    application.save(update_fields=["assigned_to", "updated_at"])
    return application


@transaction.atomic
def application_verify(*, application: Application, actor, note: str = "") -> Application:
    """Dinsos verification: the application is valid and goes into the next period list."""
    require(perms.can_verify(actor), _("Only Dinsos verifiers verify applications."))
    application = _lock(application)
    assert_in_scope(actor, application.village_id)
    assert_separation_of_duties(
        actor=actor,
        involved=[application.entered_by_id, application.resident_id],
        action=_("verify a request you entered"),
    )
    APPLICATION_FLOW.assert_transition(application.status, ApplicationStatus.VERIFIED)
    application.verified_by = actor
    application.verified_at = timezone.now()
    return _move(
        application,
        ApplicationStatus.VERIFIED,
        actor=actor,
        note=(note or "").strip(),
        extra_fields=["verified_by", "verified_at"],
    )


@transaction.atomic
def application_reject(*, application: Application, actor, reason: str) -> Application:
    """Dinsos rejects, with a reason the resident reads on the status page and in the message."""
    require(perms.can_verify(actor), _("Only Dinsos verifiers reject applications."))
    reason = _require_reason(reason)
    application = _lock(application)
    assert_in_scope(actor, application.village_id)
    assert_separation_of_duties(
        actor=actor,
        involved=[application.entered_by_id, application.resident_id],
        action=_("decide on a request you entered"),
    )
    application.decision_reason = reason
    return _move(
        application,
        ApplicationStatus.REJECTED,
        actor=actor,
        note=reason,
        resident_note=reason,
        extra_fields=["decision_reason"],
    )


@transaction.atomic
def field_check_record(
    *,
    actor,
    notes: str,
    application: Application | None = None,
    proposal: UpdateProposal | None = None,
    photo=None,
    latitude=None,
    longitude=None,
) -> FieldCheck:
    """A visit to the household: what was found, a photo (GPS from the photo or the phone)."""
    subject = application or proposal
    if subject is None:
        raise ValueError("a field check needs an application or a proposal")
    allowed = perms.can_verify(actor) if application is not None else perms.can_field(actor)
    require(allowed, _("Your role does not do field checks here."))
    assert_in_scope(actor, subject.village_id)
    notes = (notes or "").strip()
    if len(notes) < 5:
        raise ValidationError({"notes": _("Write what you found at the house.")})
    check = FieldCheck(
        village_id=subject.village_id,
        application=application,
        proposal=proposal,
        notes=notes,
        latitude=latitude,
        longitude=longitude,
        checked_by=actor,
    )
    if photo is not None:
        upload = process_upload(photo, field="photo", allow_pdf=False)
        check.latitude = check.latitude if check.latitude is not None else upload.latitude
        check.longitude = check.longitude if check.longitude is not None else upload.longitude
        check.photo.save(upload.name, upload.content, save=False)
    check.full_clean()
    check.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=check,
        region_code=subject.village_id,
        object_repr=str(subject),
    )
    return check


# ============================================================================ update proposals
def _jsonable(value):
    """Dates as ISO text, decimals as text: proposed values wait in a JSON field until applied."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _proposal_move(proposal: UpdateProposal, target: str, *, actor, note: str = "", fields=()):
    status_transition(
        proposal,
        target,
        flow=PROPOSAL_FLOW,
        history=partial(ProposalStatusChange.objects.create, proposal=proposal),
        actor=actor,
        note=note,
        fields=tuple(fields),
        region_code=proposal.village_id,
    )
    return proposal


def _lock_proposal(proposal: UpdateProposal) -> UpdateProposal:
    return UpdateProposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_open(
    *,
    kind: str,
    village: Region,
    nik: str,
    name: str,
    actor,
    household: Household | None = None,
    kk_number: str = "",
    reason: str = "",
    application: Application | None = None,
) -> UpdateProposal:
    """Open an update proposal (from a screening mismatch, a complaint, or an officer)."""
    staff = actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT
    if application is None:
        require(staff and perms.can_field(actor), _("Your role cannot propose registry updates."))
        assert_in_scope(actor, village.code)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                proposal = UpdateProposal.objects.create(
                    code=new_tracking_code("P"),
                    kind=kind,
                    village=village,
                    household=household,
                    application=application,
                    nik=nik,
                    name=name,
                    kk_number=kk_number,
                    reason=reason,
                    status_changed_at=timezone.now(),
                )
            break
        except IntegrityError:
            continue
    ProposalStatusChange.objects.create(
        proposal=proposal,
        from_status="",
        to_status=ProposalStatus.SUBMITTED,
        actor=actor if staff else None,
        note=reason,
    )
    audit_log(actor=actor, action=AuditAction.CREATE, obj=proposal, region_code=village.code)
    return proposal


@transaction.atomic
def proposal_fill(
    *,
    proposal: UpdateProposal,
    variables: Mapping[str, Any],
    actor,
    head: Mapping[str, Any] | None = None,
    kk_number: str = "",
) -> UpdateProposal:
    """The village operator fills in the household's data (and, for a new household, its head)."""
    require(perms.can_field(actor), _("Your role cannot fill in update proposals."))
    proposal = _lock_proposal(proposal)
    assert_in_scope(actor, proposal.village_id)
    PROPOSAL_FLOW.assert_transition(proposal.status, ProposalStatus.VARIABLES_FILLED)
    values = registry.household_data_validate(data=variables)
    errors: dict[str, Any] = {}
    if not values.get("address") and proposal.household_id is None:
        errors["address"] = [_("The address is required for a new household.")]
    head_values: dict = {}
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD:
        kk_number = normalize_number(kk_number or proposal.kk_number)
        kk = check_kk(kk_number)
        if not kk.valid:
            errors["kk_number"] = list(kk.errors.values())
        try:
            head_values = registry.person_data_validate(data=dict(head or {}))
        except ValidationError as exc:
            errors.update({"head_" + key: value for key, value in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    proposal.variables = {key: _jsonable(value) for key, value in values.items()}
    if head_values:
        proposal.head = {key: _jsonable(value) for key, value in head_values.items()}
        proposal.kk_number = kk_number
    proposal.household_version = proposal.household.version if proposal.household else None
    proposal.filled_by = actor
    return _proposal_move(
        proposal,
        ProposalStatus.VARIABLES_FILLED,
        actor=actor,
        fields=["variables", "head", "kk_number", "household_version", "filled_by"],
    )


@transaction.atomic
def proposal_ground_check(
    *, proposal: UpdateProposal, actor, notes: str, photo, latitude=None, longitude=None
) -> UpdateProposal:
    """The ground check: a photo of the house (with GPS when the phone gives it) and notes."""
    require(perms.can_field(actor), _("Your role does not do ground checks."))
    proposal = _lock_proposal(proposal)
    assert_in_scope(actor, proposal.village_id)
    PROPOSAL_FLOW.assert_transition(proposal.status, ProposalStatus.GROUND_CHECKED)
    if photo is None:
        raise ValidationError({"photo": _("Take a photo of the house.")})
    field_check_record(
        actor=actor,
        proposal=proposal,
        notes=notes,
        photo=photo,
        latitude=latitude,
        longitude=longitude,
    )
    return _proposal_move(proposal, ProposalStatus.GROUND_CHECKED, actor=actor, note=notes)


def _apply_to_registry(proposal: UpdateProposal, actor) -> Household:
    reason = _("Update proposal {code}").format(code=proposal.code)
    variables = dict(proposal.variables)
    for key in ("latitude", "longitude", "floor_area"):
        if variables.get(key) not in (None, ""):
            from decimal import Decimal

            variables[key] = Decimal(str(variables[key]))
    if proposal.kind == ProposalKind.NEW_HOUSEHOLD and proposal.household_id is None:
        head = dict(proposal.head)
        head["birth_date"] = dt.date.fromisoformat(head["birth_date"])
        return registry.household_create(
            village=proposal.village,
            data=variables,
            head=head,
            kk_number=proposal.kk_number,
            actor=actor,
            source=ChangeSource.UPDATE_PROPOSAL,
            reason=reason,
        )
    household = proposal.household
    if variables:
        household = registry.household_update(
            household=household,
            data=variables,
            version=proposal.household_version,
            reason=reason,
            actor=actor,
            source=ChangeSource.UPDATE_PROPOSAL,
        )
    return household


@transaction.atomic
def proposal_verify(*, proposal: UpdateProposal, actor, note: str = "") -> UpdateProposal:
    """Dinsos verifies the proposal; it is applied to the registry as a new household version.

    Its aid application then continues: judged poor by the deliberation, it goes on to Dinsos
    verification; judged not poor, it ends with that reason.
    """
    require(perms.can_verify(actor), _("Only Dinsos verifiers verify update proposals."))
    proposal = _lock_proposal(proposal)
    assert_in_scope(actor, proposal.village_id)
    assert_separation_of_duties(
        actor=actor, involved=[proposal.filled_by_id], action=_("verify data you filled in")
    )
    PROPOSAL_FLOW.assert_transition(proposal.status, ProposalStatus.APPLIED)
    household = _apply_to_registry(proposal, actor)
    proposal.household = household
    proposal.verified_by = actor
    proposal.verified_at = timezone.now()
    _proposal_move(
        proposal,
        ProposalStatus.APPLIED,
        actor=actor,
        note=(note or "").strip(),
        fields=["household", "verified_by", "verified_at"],
    )
    application = proposal.application
    if application is not None and application.status == ApplicationStatus.NEEDS_UPDATE:
        application = _lock(application)
        person = _registry_person(application.applicant_nik)
        application.household = household
        application.individual = person
        if proposal.poverty_decision == PovertyDecision.POOR:
            checks, _person = _screening_checks(application)
            for check in checks:
                if check["code"] == "desil" and not check["ok"]:
                    check["pending_ranking"] = True  # the ministry re-ranks after the update
            application.screening = checks
            application.deliberation = proposal.deliberation
            _move(
                application,
                ApplicationStatus.DELIBERATED,
                actor=actor,
                note=_(
                    "Registry updated ({code}); the village deliberation judged the household poor."
                ).format(code=proposal.code),
                extra_fields=["household", "individual", "screening", "deliberation"],
            )
        else:
            reason = _(
                "The village deliberation judged the household not poor. Your data in the "
                "register has been updated."
            )
            application.decision_reason = reason
            _move(
                application,
                ApplicationStatus.REJECTED,
                actor=actor,
                note=reason,
                resident_note=reason,
                extra_fields=["household", "individual", "decision_reason"],
            )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: UpdateProposal, actor, reason: str) -> UpdateProposal:
    """Stop a proposal (for example: nobody lives at the address). Its application ends too."""
    allowed = perms.can_verify(actor) or (
        perms.can_field(actor)
        and proposal.status in (ProposalStatus.SUBMITTED, ProposalStatus.VARIABLES_FILLED)
    )
    require(allowed, _("Your role cannot reject this proposal now."))
    reason = _require_reason(reason)
    proposal = _lock_proposal(proposal)
    assert_in_scope(actor, proposal.village_id)
    proposal.decision_reason = reason
    _proposal_move(
        proposal, ProposalStatus.REJECTED, actor=actor, note=reason, fields=["decision_reason"]
    )
    application = proposal.application
    if application is not None and application.status == ApplicationStatus.NEEDS_UPDATE:
        application = _lock(application)
        application.decision_reason = reason
        _move(
            application,
            ApplicationStatus.REJECTED,
            actor=actor,
            note=reason,
            resident_note=reason,
            extra_fields=["decision_reason"],
        )
    return proposal


# ============================================================================ deliberation
@transaction.atomic
def deliberation_record(
    *,
    village: Region,
    kind: str,
    held_on: dt.date,
    document,
    actor,
    attendees: int | None = None,
    notes: str = "",
    decisions: Mapping[int, tuple[bool, str]] | None = None,
    proposal_decisions: Mapping[int, str] | None = None,
) -> Deliberation:
    """The village head records a deliberation (or signs an SPTJM) and its decision per item.

    ``decisions``: application id -> (approved, reason if not). ``proposal_decisions``: update
    proposal id -> poor / not_poor. Every item must be waiting for this village's deliberation.
    """
    require(perms.can_deliberate(actor), _("Only the village head records the deliberation."))
    require(
        actor.region_id == village.code or actor.is_installation_wide,
        _("You record deliberations of your own village only."),
    )
    decisions = dict(decisions or {})
    proposal_decisions = dict(proposal_decisions or {})
    errors: dict[str, list[str]] = {}
    if kind not in DeliberationKind.values:
        errors["kind"] = [_("Choose a deliberation or an SPTJM.")]
    if held_on is None or held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    elif held_on < timezone.localdate() - dt.timedelta(days=365):
        errors["held_on"] = [_("The date is more than a year ago.")]
    if kind == DeliberationKind.MEETING and (attendees is None or attendees < 2):
        errors["attendees"] = [_("A deliberation has at least two attendees.")]
    if document is None:
        errors["document"] = [_("Upload the minutes (berita acara) or the signed SPTJM.")]
    if not decisions and not proposal_decisions:
        errors["__all__"] = [_("Decide on at least one request.")]
    for application_id, (approved, reason) in decisions.items():
        if not approved and len((reason or "").strip()) < 5:
            errors["reason_{}".format(application_id)] = [
                _("Write why it is not approved: the resident will read it.")
            ]
    for proposal_id, decision in proposal_decisions.items():
        if decision not in PovertyDecision.values:
            errors["proposal_{}".format(proposal_id)] = [_("Choose poor or not poor.")]
    if errors:
        raise ValidationError(errors)
    upload = process_upload(document, field="document")
    applications = {
        a.pk: a
        for a in Application.objects.select_for_update(of=("self",))
        .select_related("program", "resident")
        .filter(pk__in=decisions, village=village)
    }
    proposals = {
        p.pk: p
        for p in UpdateProposal.objects.select_for_update().filter(
            pk__in=proposal_decisions, village=village
        )
    }
    missing = (set(decisions) - set(applications)) | (set(proposal_decisions) - set(proposals))
    if missing:
        raise DomainError(_("Some requests are not waiting for this village's deliberation."))
    deliberation = Deliberation(
        village=village,
        kind=kind,
        held_on=held_on,
        attendees=attendees if kind == DeliberationKind.MEETING else None,
        notes=(notes or "").strip(),
        document_type=upload.content_type,
        recorded_by=actor,
    )
    deliberation.document.save(upload.name, upload.content, save=False)
    deliberation.full_clean()
    deliberation.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=deliberation,
        region_code=village.code,
        changes={"applications": [None, len(decisions)], "proposals": [None, len(proposals)]},
    )
    label = str(deliberation)
    for application_id, (approved, reason) in decisions.items():
        application = applications[application_id]
        application.deliberation = deliberation
        if approved:
            _move(
                application,
                ApplicationStatus.DELIBERATED,
                actor=actor,
                note=label,
                extra_fields=["deliberation"],
            )
        else:
            application.decision_reason = reason.strip()
            _move(
                application,
                ApplicationStatus.REJECTED,
                actor=actor,
                note=reason.strip(),
                resident_note=reason.strip(),
                extra_fields=["deliberation", "decision_reason"],
            )
    for proposal_id, decision in proposal_decisions.items():
        proposal = proposals[proposal_id]
        proposal.deliberation = deliberation
        proposal.poverty_decision = decision
        _proposal_move(
            proposal,
            ProposalStatus.DELIBERATED,
            actor=actor,
            note="{}: {}".format(label, PovertyDecision(decision).label),
            fields=["deliberation", "poverty_decision"],
        )
    return deliberation


# ============================================================================ period lists
def _batch_move(batch: Batch, target: str, *, actor, note: str = "", fields=()) -> Batch:
    status_transition(
        batch,
        target,
        flow=BATCH_FLOW,
        history=partial(BatchStatusChange.objects.create, batch=batch),
        actor=actor,
        note=note,
        fields=tuple(fields),
        region_code=batch.regency_id,
    )
    return batch


def _lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).select_related("regency").get(pk=batch.pk)


@transaction.atomic
def batch_create(*, regency: Region, name: str, cutoff: dt.date, actor) -> Batch:
    """Open the period list of a regency with its cut-off date."""
    require(perms.can_manage_batches(actor), _("Only Dinsos data managers open period lists."))
    if regency is None or regency.level != 2:
        raise ValidationError({"regency": _("Choose a regency.")})
    assert_in_scope(actor, regency.code)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the list a name, such as “Usulan Desember 2026”.")})
    if Batch.objects.filter(regency=regency, name=name).exists():
        raise ValidationError({"name": _("A list with this name already exists.")})
    batch = Batch.objects.create(regency=regency, name=name, cutoff=cutoff, created_by=actor)
    BatchStatusChange.objects.create(batch=batch, to_status=BatchStatus.OPEN, actor=actor)
    audit_log(actor=actor, action=AuditAction.CREATE, obj=batch, region_code=regency.code)
    return batch


def batch_candidates(batch: Batch):
    """Verified applications of the list's regency up to its cut-off, not in a list yet."""
    cutoff_end = timezone.make_aware(
        dt.datetime.combine(batch.cutoff + dt.timedelta(days=1), dt.time.min)
    )
    return Application.objects.filter(
        Q(village__code__startswith=batch.regency_id + "."),
        status=ApplicationStatus.VERIFIED,
        batch__isnull=True,
        verified_at__lt=cutoff_end,
    )


@transaction.atomic
def batch_finalise(*, batch: Batch, actor) -> Batch:
    """Put every verified application up to the cut-off into the list (finalisasi)."""
    require(perms.can_manage_batches(actor), _("Only Dinsos data managers finalise lists."))
    batch = _lock_batch(batch)
    assert_in_scope(actor, batch.regency_id)
    BATCH_FLOW.assert_transition(batch.status, BatchStatus.FINALISED)
    count = _move_many(
        batch_candidates(batch),
        ApplicationStatus.FINALISED,
        actor=actor,
        note=batch.name,
        extra={"batch": batch},
    )
    if not count:
        raise DomainError(_("No verified application is waiting up to the cut-off date."))
    batch.finalised_by = actor
    batch.finalised_at = timezone.now()
    return _batch_move(
        batch,
        BatchStatus.FINALISED,
        actor=actor,
        note=_("{count} applications").format(count=count),
        fields=["finalised_by", "finalised_at"],
    )


@transaction.atomic
def batch_ratify(*, batch: Batch, actor, number: str, date: dt.date) -> Batch:
    """The regent's office ratifies the list; the PDF annex is produced by a background job."""
    require(perms.can_ratify(actor), _("Only the regent's office ratifies period lists."))
    batch = _lock_batch(batch)
    assert_in_scope(actor, batch.regency_id)
    verifiers = set(batch.applications.values_list("verified_by_id", flat=True))
    assert_separation_of_duties(
        actor=actor,
        involved=[*verifiers, batch.finalised_by_id],
        action=_("ratify a list containing applications you verified"),
    )
    BATCH_FLOW.assert_transition(batch.status, BatchStatus.RATIFIED)
    number = " ".join((number or "").split())
    errors = {}
    if not number:
        errors["number"] = [_("Write the number of the regent's decree.")]
    if date is None or date > timezone.localdate():
        errors["date"] = [_("The decree date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    batch.ratification_number = number[:100]
    batch.ratification_date = date
    batch.ratified_by = actor
    batch.ratified_at = timezone.now()
    _move_many(
        batch.applications.filter(status=ApplicationStatus.FINALISED),
        ApplicationStatus.RATIFIED,
        actor=actor,
        note=number,
    )
    _batch_move(
        batch,
        BatchStatus.RATIFIED,
        actor=actor,
        note=number,
        fields=["ratification_number", "ratification_date", "ratified_by", "ratified_at"],
    )
    from .tasks import render_annex_task

    job_create(
        kind="applications.annex",
        label=_("Annex of {name}").format(name=batch.name),
        task=render_annex_task,
        actor=actor,
        task_kwargs={"batch_id": batch.pk},
    )
    return batch


def batch_annex_render(*, batch_id: int, reporter=None) -> dict:
    """Render and store the ratification annex (idempotent: an existing annex is kept)."""
    from .annex import render_annex

    batch = Batch.objects.select_related("regency").get(pk=batch_id)
    if batch.annex:
        return {"annex": batch.annex.name}
    pdf = render_annex(batch=batch, reporter=reporter)
    with transaction.atomic():
        batch = _lock_batch(batch)
        if not batch.annex:
            batch.annex.save("annex-{}.pdf".format(batch.pk), ContentFile(pdf), save=False)
            batch.annex_sha256 = hashlib.sha256(pdf).hexdigest()
            batch.save(update_fields=["annex", "annex_sha256", "updated_at"])
    return {"annex": batch.annex.name, "sha256": batch.annex_sha256}


@transaction.atomic
def batch_export_start(*, batch: Batch, actor):
    """Queue the export of a ratified list in the ministry's upload format (a background job)."""
    require(perms.can_manage_batches(actor), _("Only Dinsos data managers export lists."))
    batch = _lock_batch(batch)
    assert_in_scope(actor, batch.regency_id)
    BATCH_FLOW.assert_transition(batch.status, BatchStatus.EXPORTED)
    from .tasks import export_batch_task

    return job_create(
        kind="applications.export",
        label=_("Ministry file of {name}").format(name=batch.name),
        task=export_batch_task,
        actor=actor,
        task_kwargs={"batch_id": batch.pk},
    )


def batch_export_run(*, batch_id: int, actor, reporter=None) -> dict:
    """Write the ministry upload file and mark the list and its applications as sent."""
    from .exports import write_ministry_file

    with transaction.atomic():
        batch = _lock_batch(Batch(pk=batch_id))
        if batch.status == BatchStatus.EXPORTED and batch.export_file:
            return {"report_file": batch.export_file.name, "rows": batch.applications.count()}
        BATCH_FLOW.assert_transition(batch.status, BatchStatus.EXPORTED)
        content, rows = write_ministry_file(batch=batch, reporter=reporter)
        batch.export_file.save(
            "usulan-{}-{}.csv".format(batch.regency_id, batch.pk), ContentFile(content), save=False
        )
        batch.exported_at = timezone.now()
        _move_many(
            batch.applications.filter(status=ApplicationStatus.RATIFIED),
            ApplicationStatus.EXPORTED,
            actor=actor,
            note=batch.name,
        )
        _batch_move(
            batch,
            BatchStatus.EXPORTED,
            actor=actor,
            note=_("{rows} rows").format(rows=rows),
            fields=["export_file", "exported_at"],
        )
    return {"report_file": batch.export_file.name, "rows": rows}


@transaction.atomic
def batch_results_import(*, batch: Batch, handle, actor, reporter=None) -> dict:
    """Import the ministry's answer (accepted / not accepted per NIK or tracking code).

    Every line is checked; unknown or unreadable lines are reported with their number and
    nothing is applied unless the file can be read. Accepted and not-accepted applications
    reach each resident through the notification outbox.
    """
    from .exports import read_results

    require(perms.can_manage_batches(actor), _("Only Dinsos data managers import results."))
    batch = _lock_batch(batch)
    assert_in_scope(actor, batch.regency_id)
    if batch.status != BatchStatus.EXPORTED:
        raise DomainError(_("Results can be imported only after the list was sent."))
    results, rejected = read_results(handle=handle, batch=batch)
    counts = {"accepted": 0, "not_accepted": 0}
    for target, key in (
        (ApplicationStatus.ACCEPTED, "accepted"),
        (ApplicationStatus.NOT_ACCEPTED, "not_accepted"),
    ):
        ids = [pk for pk, (status, _note) in results.items() if status == target]
        noted = [
            Application(pk=pk, ministry_note=note[:2000])
            for pk, (status, note) in results.items()
            if status == target and note
        ]
        Application.objects.bulk_update(noted, ["ministry_note"], batch_size=500)
        counts[key] = _move_many(
            batch.applications.filter(pk__in=ids, status=ApplicationStatus.EXPORTED),
            target,
            actor=actor,
            note=_("Ministry result"),
        )
    batch.results_imported_at = timezone.now()
    batch.save(update_fields=["results_imported_at", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=batch,
        region_code=batch.regency_id,
        changes={key: [None, value] for key, value in counts.items()},
        reason=_("Ministry results"),
    )
    return {**counts, "rejected": rejected}


# ============================================================================ objections
def objection_allow(*, ip: str | None) -> bool:
    """Public objections are rate limited per address (settings, per hour)."""
    from silakso import ratelimit

    return ratelimit.allow(
        "objection-ip", ip or "-", limit=settings.SILAKSO_OBJECTION_LIMIT_PER_IP, window=3600
    )


@transaction.atomic
def objection_submit(
    *,
    kind: str,
    village: Region,
    subject_name: str,
    reason: str,
    subject_address: str = "",
    objector_name: str = "",
    objector_phone: str = "",
    evidence=None,
) -> Objection:
    """Anyone states that a listed recipient is not eligible, or that a neighbour is missing."""
    errors: dict[str, list[str]] = {}
    subject_name = " ".join((subject_name or "").split())
    if len(subject_name) < 2:
        errors["subject_name"] = [_("Write the name of the person.")]
    reason = (reason or "").strip()
    if len(reason) < 10:
        errors["reason"] = [_("Explain in a sentence or two why.")]
    if len(reason) > 3000:
        errors["reason"] = [_("Keep it under 3,000 characters.")]
    if village is None or village.level != 4:
        errors["village"] = [_("Choose the village.")]
    if errors:
        raise ValidationError(errors)
    objection = Objection(
        kind=kind,
        village=village,
        subject_name=subject_name[:150],
        subject_address=(subject_address or "").strip()[:255],
        reason=reason,
        objector_name=(objector_name or "").strip()[:150],
        objector_phone=(objector_phone or "").strip()[:20],
    )
    if evidence is not None:
        upload = process_upload(evidence, field="evidence")
        objection.evidence.save(upload.name, upload.content, save=False)
        objection.evidence_type = upload.content_type
    # the application it most likely concerns, for the verifier (never shown to the public)
    candidates = [
        application
        for application in Application.objects.filter(village=village)
        .exclude(status__in=[ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED])
        .only("pk", "applicant_name")[:500]
        if names_match(subject_name, application.applicant_name)
    ]
    if len(candidates) == 1:
        objection.application = candidates[0]
    for _attempt in range(5):
        objection.code = new_tracking_code("S")
        try:
            with transaction.atomic():
                objection.full_clean()
                objection.save()
            break
        except IntegrityError:
            continue
    audit_log(actor=None, action=AuditAction.CREATE, obj=objection, region_code=village.code)
    return objection


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    actor,
    outcome: str,
    answer: str,
    application: Application | None = None,
    reject_application: bool = False,
) -> Objection:
    """The verifier answers an objection; an upheld one can stop the application concerned."""
    require(perms.can_verify(actor), _("Only Dinsos verifiers answer objections."))
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    assert_in_scope(actor, objection.village_id)
    if objection.status != ObjectionStatus.OPEN:
        raise DomainError(_("This objection has already been answered."), code="invalid_transition")
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    answer = _require_reason(answer, field="answer")
    if application is not None:
        assert_in_scope(actor, application.village_id)
        objection.application = application
    objection.status = ObjectionStatus.ANSWERED
    objection.outcome = outcome
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=objection,
        region_code=objection.village_id,
        changes={
            "status": [ObjectionStatus.OPEN, ObjectionStatus.ANSWERED],
            "outcome": [None, outcome],
        },
        reason=answer,
    )
    if reject_application:
        if objection.application is None or outcome != ObjectionOutcome.UPHELD:
            raise ValidationError(
                {"reject_application": _("Only an upheld objection about an application stops it.")}
            )
        application_reject(
            application=objection.application,
            actor=actor,
            reason=_("After a public objection: {answer}").format(answer=answer),
        )
    return objection
