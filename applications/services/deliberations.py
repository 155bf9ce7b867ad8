"""The village deliberation (musdes) or the village head's SPTJM, deciding per applicant."""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
)
from core.uploads import process_upload
from dtks.models import Region
from silakso.exceptions import DomainError, require

from .. import permissions as perms
from ..choices import (
    ApplicationStatus,
    DeliberationKind,
    PovertyDecision,
    ProposalStatus,
)
from ..models import (
    Application,
    Deliberation,
    UpdateProposal,
)
from ..workflow import APPLICATION_FLOW, PROPOSAL_FLOW
from ._common import (
    _move,
    _proposal_move,
)


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
        for a in Application.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("program", "resident")
        .filter(pk__in=decisions, village=village)
    }
    proposals = {
        p.pk: p
        for p in UpdateProposal.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=proposal_decisions, village=village)
    }
    missing = (set(decisions) - set(applications)) | (set(proposal_decisions) - set(proposals))
    waiting = all(
        APPLICATION_FLOW.can(a.status, ApplicationStatus.DELIBERATED) for a in applications.values()
    ) and all(PROPOSAL_FLOW.can(p.status, ProposalStatus.DELIBERATED) for p in proposals.values())
    if missing or not waiting:
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
        APPLICATION_FLOW.authorize(
            "deliberate" if approved else "deliberate_reject", application, actor
        )
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
        PROPOSAL_FLOW.authorize("deliberate", proposal, actor)
        _proposal_move(
            proposal,
            ProposalStatus.DELIBERATED,
            actor=actor,
            note="{}: {}".format(label, PovertyDecision(decision).label),
            fields=["deliberation", "poverty_decision"],
        )
    return deliberation
