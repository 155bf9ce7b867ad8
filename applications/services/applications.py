"""Aid applications: submission with screening, withdrawal, and the verifier's steps."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import AuditAction, Role
from core.middleware import current_client_ip
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    public_submission_allowed,
    status_transition,
)
from core.uploads import process_upload
from dtks.choices import EnrollmentStatus
from dtks.models import Enrollment, Household, Program, Region
from dtks.nik import check_kk, check_nik, normalize_number
from silakso.codes import save_with_code
from silakso.exceptions import DomainError, require
from silakso.validation import contact

from .. import permissions as perms
from ..choices import (
    ApplicationChannel,
    ApplicationStatus,
    DocumentKind,
    ProposalKind,
    ProposalStatus,
    ScreeningResult,
)
from ..models import (
    Application,
    ApplicationDocument,
    UpdateProposal,
)
from ..resident_texts import step_text
from ..workflow import APPLICATION_FLOW
from ._common import (
    STAFF_CHANNELS,
    _is_staff,
    _lock,
    _move,
    _proposal_move,
    _registry_person,
    _require_reason,
    _screening_checks,
    registered_elsewhere,
)
from .proposals import proposal_create


# ============================================================================ submission
def applicant_clean(data: Mapping[str, Any]) -> dict:
    """The applicant's details as stored, or a ValidationError naming every field that is
    wrong (the forms run this too, so the first submit shows every problem)."""
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
    # the resident is told by SMS or email what happens: one of them is needed, whoever enters it
    try:
        phone, email = contact(
            str(data.get("phone") or ""), str(data.get("email") or ""), required=True
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        phone = email = ""
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
        "email": email,
        "address": address[:255],
        "reason": str(data.get("reason") or "").strip()[:2000],
    }


REGISTERED_ELSEWHERE = gettext_lazy(
    "This NIK is registered in another area. Its requests are handled there."
)


#: What a resident's own (online) request is told for every refusal about the person: an
#: open request, the program already received, a household member's request. One answer, so
#: that typing someone's NIK into the public form does not tell which of these is true.
PUBLIC_REFUSAL = gettext_lazy(
    "This request cannot be sent online for this NIK. If you sent one before, follow it with "
    "its tracking code; otherwise bring your KTP and KK to the village office or Dinsos."
)


def _refuse_duplicates(
    *, program: Program, nik: str, household: Household | None, public: bool = False
) -> None:
    """One open application per person and program; none while already receiving it.
    ``public``: a resident's own request, told :data:`PUBLIC_REFUSAL` whatever the reason."""
    if public:
        try:
            _refuse_duplicates(program=program, nik=nik, household=household)
        except DomainError as exc:
            raise DomainError(PUBLIC_REFUSAL, code="not_accepted_online") from exc
        return
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
    staff = _is_staff(actor)
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
    values = applicant_clean(applicant)
    person = _registry_person(values["applicant_nik"])
    elsewhere = registered_elsewhere(person, actor)
    if elsewhere:
        # the caller learns only this; the request stays in the caller's area
        if Application.objects.open().filter(applicant_nik=values["applicant_nik"]).exists():
            raise DomainError(REGISTERED_ELSEWHERE, code="registered_elsewhere")
        person = None
    public = channel == ApplicationChannel.ONLINE
    if public:
        public_submission_allowed(kind="apply", ip=current_client_ip(), nik=values["applicant_nik"])
    _refuse_duplicates(
        program=program,
        nik=values["applicant_nik"],
        household=person.household if person else None,
        public=public,
    )
    processed = []
    for number, (kind, label, upload) in enumerate(documents):
        if upload is None:
            continue
        if kind not in DocumentKind.values:
            kind = DocumentKind.OTHER
        processed.append((kind, label, process_upload(upload, field="document_{}".format(number))))
    resident = actor if actor is not None and actor.is_authenticated and not staff else None
    application = Application(
        program=program,
        channel=channel,
        village=village,
        resident=resident,
        entered_by=actor if staff else None,
        submission_key=submission_key or None,
        status="",
        status_changed_at=timezone.now(),
        **values,
    )
    application.full_clean(exclude=["code", "submission_key", "status"])
    APPLICATION_FLOW.authorize("submit", application, actor, system=not staff)
    try:
        save_with_code(
            application,
            prefix="U",
            save=lambda: status_transition(
                application,
                ApplicationStatus.SUBMITTED,
                flow=APPLICATION_FLOW,
                actor=actor,
                note=str(ApplicationChannel(channel).label),
                region_code=village.code,
            ),
        )
    except IntegrityError as exc:
        if submission_key and Application.objects.filter(submission_key=submission_key).exists():
            return Application.objects.get(submission_key=submission_key)
        if elsewhere:
            raise DomainError(REGISTERED_ELSEWHERE, code="registered_elsewhere") from exc
        if public:
            raise DomainError(PUBLIC_REFUSAL, code="not_accepted_online") from exc
        _refuse_duplicates(program=program, nik=values["applicant_nik"], household=None)
        raise DomainError(
            _("There is already an open request for this program for this NIK."),
            code="duplicate_application",
        ) from exc
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
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=application,
        region_code=village.code,
        changes={"program": [None, program.code], "channel": [None, channel]},
    )
    # the resident hears once, with the screening's outcome (screening runs at once)
    return application_screen(application=application, actor=actor)


@transaction.atomic
def application_screen(*, application: Application, actor=None) -> Application:
    """Screening, automatic on submit: found in the registry, desil within the program's limit.

    Passed: on to the village deliberation. A registry mismatch opens an update proposal
    instead of ending the request.
    """
    application = _lock(application, system=True)
    received = str(step_text(ApplicationStatus.SUBMITTED)[0])
    checks, person = _screening_checks(application)
    if person is not None:
        application.individual = person
        application.household = person.household
        if person.household.village_id != application.village_id:
            # (never outside the entering officer's area: _screening_checks hides that person)
            # the registry knows where the household lives: that village deliberates
            application.village = person.household.village
    application.screening = checks
    passed = all(check["ok"] for check in checks)
    application.screening_result = (
        ScreeningResult.PASSED if passed else ScreeningResult.NEEDS_UPDATE
    )
    fields = ["individual", "household", "village", "screening", "screening_result"]
    if passed:
        APPLICATION_FLOW.authorize("screen_pass", application, actor, system=True)
        return _move(
            application,
            ApplicationStatus.AWAITING_DELIBERATION,
            actor=actor,
            note=_("Screening passed."),
            extra_fields=fields,
            lead=received,
        )
    failed = {check["code"] for check in checks if not check["ok"]}
    if "person_found" in failed:
        kind = ProposalKind.NEW_HOUSEHOLD
    elif "name_matches" in failed:
        kind = ProposalKind.CORRECTION
    else:
        kind = ProposalKind.REASSESSMENT
    APPLICATION_FLOW.authorize("screen_fail", application, actor, system=True)
    _move(
        application,
        ApplicationStatus.NEEDS_UPDATE,
        actor=actor,
        note=_("Registry data must be updated: {checks}.").format(checks=", ".join(sorted(failed))),
        extra_fields=fields,
        lead=received,
    )
    proposal_create(
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
    staff = _is_staff(actor)
    application = _lock(application, actor)
    APPLICATION_FLOW.authorize("withdraw", application, actor, system=not staff)
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
    application = _lock(application, actor)
    APPLICATION_FLOW.authorize("take", application, actor)
    application.assigned_to = actor
    application.save(update_fields=["assigned_to", "updated_at"])
    return application


@transaction.atomic
def application_verify(*, application: Application, actor, note: str = "") -> Application:
    """Dinsos verification: the application is valid and goes into the next period list."""
    application = _lock(application, actor)
    APPLICATION_FLOW.authorize("verify", application, actor)
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
    application = _lock(application, actor)
    APPLICATION_FLOW.authorize("reject", application, actor)
    reason = _require_reason(reason)
    application.decision_reason = reason
    return _move(
        application,
        ApplicationStatus.REJECTED,
        actor=actor,
        note=reason,
        resident_note=reason,
        extra_fields=["decision_reason"],
    )
