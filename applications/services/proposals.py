"""Update proposals (usulan pembaruan): filled in, checked on the ground, deliberated, verified
and applied to the registry as a new household version."""

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
    status_transition,
)
from dtks import services as registry
from dtks.choices import ChangeSource, HouseholdStatus
from dtks.models import Household, Region
from dtks.nik import check_kk, normalize_number
from silakso.codes import save_with_code
from silakso.exceptions import DomainError

from ..choices import (
    ApplicationStatus,
    PovertyDecision,
    ProposalKind,
    ProposalStatus,
)
from ..models import (
    Application,
    UpdateProposal,
)
from ..workflow import PROPOSAL_FLOW
from ._common import (
    _is_staff,
    _jsonable,
    _lock,
    _lock_proposal,
    _move,
    _proposal_move,
    _registry_person,
    _require_reason,
    _screening_checks,
)
from .fieldwork import field_check_record

# ============================================================================ update proposals


@transaction.atomic
def proposal_create(
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
    staff = _is_staff(actor)
    proposal = UpdateProposal(
        kind=kind,
        village=village,
        household=household,
        application=application,
        nik=nik,
        name=name,
        kk_number=kk_number,
        reason=reason,
        status="",
        status_changed_at=timezone.now(),
    )
    # from a request's screening the system opens it; otherwise an officer of the village
    PROPOSAL_FLOW.authorize("open", proposal, actor, system=application is not None)
    if application is None:
        assert_in_scope(actor, village.code)
    save_with_code(
        proposal,
        prefix="P",
        save=lambda: status_transition(
            proposal,
            ProposalStatus.SUBMITTED,
            flow=PROPOSAL_FLOW,
            actor=actor if staff else None,
            note=reason,
            region_code=village.code,
        ),
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
    proposal = _lock_proposal(proposal, actor)
    PROPOSAL_FLOW.authorize("fill", proposal, actor)
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
    proposal = _lock_proposal(proposal, actor)
    PROPOSAL_FLOW.authorize("ground_check", proposal, actor)
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
    if household is None:
        raise DomainError(_("This proposal has no household to update."))
    if variables or household.status == HouseholdStatus.RETIRED:  # a retired one comes back
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
    proposal = _lock_proposal(proposal, actor)
    PROPOSAL_FLOW.authorize("verify", proposal, actor)
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
        application = _lock(application, system=True)
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
    proposal = _lock_proposal(proposal, actor)
    PROPOSAL_FLOW.authorize("reject", proposal, actor)
    reason = _require_reason(reason)
    proposal.decision_reason = reason
    _proposal_move(
        proposal, ProposalStatus.REJECTED, actor=actor, note=reason, fields=["decision_reason"]
    )
    application = proposal.application
    if application is not None and application.status == ApplicationStatus.NEEDS_UPDATE:
        application = _lock(application, system=True)
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
