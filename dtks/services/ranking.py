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
    """Save PMT weights. Weights already used by a run are never rewritten: the edit becomes a
    new version (and the active one), so every past run stays explainable."""
    from ..models import PmtWeightSet
    from ..pmt import validate_weights

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
