"""The local PMT estimate: weight sets and the ranking job."""

from django.db import transaction
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
)
from silakso.exceptions import DomainError, Forbidden

from ..permissions import can_manage_programs


# ============================================================================ local PMT
@transaction.atomic
def pmt_weight_set_save(*, weight_set, actor):
    """Save PMT weights as a draft. Weights that were approved (or used by a run) are never
    rewritten: the edit becomes a new draft version, so every past run stays explainable.
    A draft is used only once a second person approves it (:func:`pmt_weight_set_approve`)."""
    from ..models import PmtWeightSet
    from ..pmt import validate_weights

    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators change the PMT weights."))
    validate_weights(weight_set.weights)
    if weight_set.pk and (
        weight_set.runs.exists()
        or PmtWeightSet.objects.filter(pk=weight_set.pk, approved_at__isnull=False).exists()
    ):
        weight_set.pk = None
        weight_set._state.adding = True
    created = weight_set.pk is None
    if created:
        last = PmtWeightSet.objects.select_for_update().order_by("-version").first()
        weight_set.version = (last.version + 1) if last else 1
        weight_set.created_by = actor
    weight_set.is_active = False
    weight_set.approved_by = None
    weight_set.approved_at = None
    weight_set.full_clean()
    weight_set.save()
    audit_log(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=weight_set,
        changes={"version": [None, weight_set.version]},
    )
    return weight_set


@transaction.atomic
def pmt_weight_set_approve(*, weight_set, actor):
    """A second person approves a draft: from now on new runs use it (the one in use before is
    kept, with its runs, and no longer used)."""
    from django.utils import timezone

    from core.permissions import assert_separation_of_duties

    from ..models import PmtWeightSet
    from ..pmt import validate_weights

    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators approve the PMT weights."))
    weight_set = PmtWeightSet.objects.select_for_update().get(pk=weight_set.pk)
    if not weight_set.is_draft:
        raise DomainError(_("These weights are approved already."), code="invalid_transition")
    assert_separation_of_duties(
        actor=actor, involved=[weight_set.created_by_id], action=_("approve your own weights")
    )
    validate_weights(weight_set.weights)
    PmtWeightSet.objects.filter(is_active=True).update(is_active=False)
    weight_set.approved_by = actor
    weight_set.approved_at = timezone.now()
    weight_set.is_active = True
    weight_set.save(update_fields=["approved_by", "approved_at", "is_active", "updated_at"])
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=weight_set,
        changes={"is_active": [False, True]},
    )
    return weight_set


def pmt_rank(*, actor=None, reporter=None):
    """Rank the households of the actor's area (everything for the schedule) with the active
    weights. Ranking is per regency, so a regency-level scope is needed for a fair decile."""
    from ..models import PmtWeightSet
    from ..pmt import run_ranking

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
