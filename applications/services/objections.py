"""Public objections (sanggah) and the verifier's answer."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
    object_lock,
    status_transition,
)
from core.uploads import process_upload
from dtks.models import Region
from dtks.selectors import names_match
from silakso.codes import save_with_code
from silakso.exceptions import DomainError, InvalidTransition

from ..choices import (
    ApplicationStatus,
    ObjectionOutcome,
    ObjectionStatus,
)
from ..models import (
    Application,
    Objection,
)
from ..workflow import OBJECTION_FLOW
from ._common import (
    _require_reason,
)
from .applications import application_reject


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
    objector=None,
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
        status="",
        kind=kind,
        village=village,
        subject_name=subject_name[:150],
        subject_address=(subject_address or "").strip()[:255],
        reason=reason,
        objector_name=(objector_name or "").strip()[:150],
        objector_phone=(objector_phone or "").strip()[:20],
        objector=objector
        if objector is not None and objector.is_authenticated and objector.role == "resident"
        else None,
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
    objection.full_clean(exclude=["code", "status"])
    save_with_code(
        objection,
        prefix="S",
        save=lambda: status_transition(
            objection, ObjectionStatus.OPEN, flow=OBJECTION_FLOW, actor=None
        ),
    )
    audit_log(actor=None, action=AuditAction.CREATE, obj=objection, region_code=village.code)
    return objection


def _tell_objector(objection: Objection) -> None:
    """The answer goes to the phone the objector gave (or their resident account's)."""
    from core.choices import NotificationChannel
    from core.services import message_queue
    from silakso.validation import phone_number

    phone = objection.objector_phone or (objection.objector.phone if objection.objector else "")
    try:
        phone = phone_number(phone)
    except ValidationError:
        phone = ""
    if not phone:
        return
    message_queue(
        event="objection.answered",
        channel=NotificationChannel.SMS,
        recipient=phone,
        context={
            "code": objection.code,
            "outcome": objection.get_outcome_display(),
            "answer": objection.answer,
        },
        obj=objection,
    )


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
    objection = object_lock(Objection, objection.pk, actor=actor)
    try:
        OBJECTION_FLOW.authorize("answer", objection, actor)
    except InvalidTransition as exc:
        raise DomainError(
            _("This objection has already been answered."), code="invalid_transition"
        ) from exc
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    answer = _require_reason(answer, field="answer")
    if application is not None:
        application = object_lock(Application, application.pk, actor=actor)
        objection.application = application
    objection.outcome = outcome
    objection.answer = answer
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    status_transition(
        objection,
        ObjectionStatus.ANSWERED,
        flow=OBJECTION_FLOW,
        actor=actor,
        note=answer,
        fields=["application", "outcome", "answer", "answered_by", "answered_at"],
    )
    _tell_objector(objection)
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
