"""Cases: one per household, needs per domain, a plan, the follow-up, closing."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
    object_lock,
    status_transition,
)
from dtks.models import Household
from silakso.codes import save_with_code
from silakso.exceptions import (
    DomainError,
)
from silakso.validation import required_text

from ..choices import CaseStatus, Domain, NeedLevel
from ..models import (
    Assessment,
    Case,
)
from ..workflow import CASE_FLOW, SETTLED
from ._common import (
    _authorize_case_work,
    _lock_case,
)


# ============================================================================ cases
@transaction.atomic
def case_create(
    *,
    household: Household,
    origin: str,
    actor,
    complaint=None,
    application=None,
    plan: str = "",
    contact_phone: str = "",
) -> Case:
    """Open the household's case (one open case per household)."""
    case = Case(
        household=household,
        village_id=household.village_id,
        origin=origin,
        complaint=complaint,
        application=application,
        plan=(plan or "").strip(),
        contact_phone=(contact_phone or "").strip()[:20],
        opened_by=actor,
        status="",
    )
    CASE_FLOW.authorize("open", case, actor)
    household = object_lock(Household, household.pk, actor=actor)
    existing = Case.objects.filter(household=household, status=CaseStatus.OPEN).first()
    if existing is not None:
        raise DomainError(
            _("This household already has an open case: {code}.").format(code=existing.code),
            code="case_open",
        )
    try:
        save_with_code(
            case,
            prefix="K",
            save=lambda: status_transition(case, CaseStatus.OPEN, flow=CASE_FLOW, actor=actor),
        )
    except IntegrityError as exc:  # another officer opened one at the same moment
        raise DomainError(_("This household already has an open case."), code="case_open") from exc
    Assessment.objects.bulk_create(
        [Assessment(case=case, domain=domain) for domain in Domain.values]
    )
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        region_code=case.village_id,
        changes={"origin": [None, origin]},
    )
    return case


@transaction.atomic
def case_assess(*, case: Case, domain: str, need: str, notes: str, actor) -> Assessment:
    """Record the household's need in a domain."""
    case = _lock_case(case, actor)
    _authorize_case_work(case, actor, "assess")
    if domain not in Domain.values or need not in NeedLevel.values:
        raise ValidationError({"need": _("Choose the domain and the need.")})
    assessment, _created = Assessment.objects.update_or_create(
        case=case, domain=domain, defaults={"need": need, "notes": (notes or "").strip()}
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        region_code=case.village_id,
        changes={domain: [None, need]},
    )
    return assessment


@transaction.atomic
def case_plan(*, case: Case, plan: str, follow_up_on: dt.date | None, actor) -> Case:
    case = _lock_case(case, actor)
    _authorize_case_work(case, actor, "plan")
    case.plan = (plan or "").strip()
    case.follow_up_on = follow_up_on
    case.save(update_fields=["plan", "follow_up_on", "updated_at"])
    audit_log(actor=actor, action=AuditAction.UPDATE, obj=case, region_code=case.village_id)
    return case


@transaction.atomic
def case_follow_up_done(*, case: Case, notes: str, actor) -> Case:
    """The follow-up visit (the fifth SLRT stage) took place."""
    case = _lock_case(case, actor)
    CASE_FLOW.authorize("follow_up", case, actor)
    case.follow_up_notes = required_text(
        notes, "notes", message=_("Write what the follow-up found."), minimum=3, maximum=4000
    )
    case.follow_up_done_at = timezone.now()
    case.save(update_fields=["follow_up_notes", "follow_up_done_at", "updated_at"])
    audit_log(actor=actor, action=AuditAction.UPDATE, obj=case, region_code=case.village_id)
    return case


@transaction.atomic
def case_close(*, case: Case, actor) -> Case:
    """Close the case once every referral is settled and the follow-up is done."""
    case = _lock_case(case, actor)
    CASE_FLOW.authorize("close", case, actor)
    open_referrals = case.referrals.exclude(status__in=SETTLED).count()
    if open_referrals:
        raise DomainError(
            _("{count} referral(s) are not settled yet.").format(count=open_referrals),
            code="referrals_open",
        )
    if case.follow_up_on and case.follow_up_done_at is None:
        raise DomainError(_("Record the follow-up visit first."), code="follow_up_open")
    case.closed_at = timezone.now()
    status_transition(case, CaseStatus.CLOSED, flow=CASE_FLOW, actor=actor, fields=["closed_at"])
    return case
