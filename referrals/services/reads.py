"""Audited reads of case management (pages and API alike)."""

from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import (
    audit_log,
    open_audited,
)
from dtks.nik import mask_nik
from silakso.exceptions import (
    NotFound,
)

from .. import permissions as perms
from ..models import (
    Case,
    Letter,
    Referral,
)


# ============================================================================ audited reads
def case_open(*, user, pk) -> Case:
    """One case of the caller's area (its needs, plan and referrals), audited."""
    from ..selectors import case_list

    return open_audited(case_list(user=user), pk, user=user, region="village_id")


def referral_open(*, user, pk) -> Referral:
    """One referral with the household summary, audited. The provider it was sent to sees the
    full NIK (it registers the person with it: a sensitive read); a case worker sees it
    masked (the household page is where they reveal it)."""
    from ..selectors import referral_list, referral_summary

    try:
        referral = referral_list(user=user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Not found.")) from exc
    is_provider = perms.is_provider_of(user, referral.provider)
    summary = referral_summary(referral=referral)
    audit_log(
        actor=user,
        action=AuditAction.VIEW_SENSITIVE if is_provider else AuditAction.VIEW,
        obj=referral,
        object_repr=mask_nik(summary["nik"]),
        region_code=referral.case.village_id,
        reason="referral summary",
    )
    if not is_provider:
        summary["nik"] = mask_nik(summary["nik"])
    referral.summary = summary  # type: ignore[attr-defined]
    referral.is_provider = is_provider  # type: ignore[attr-defined]
    return referral


def letter_pdf_open(*, user, pk) -> Letter:
    """A letter's PDF (it carries the recipient's name and NIK): an audited export."""
    from ..selectors import letter_list

    return open_audited(
        letter_list(user=user), pk, user=user, region="region_id", action=AuditAction.EXPORT
    )


def referral_export_audit(*, actor) -> None:
    """Every export of the referral statistics is in the audit trail."""
    audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="referrals.referral",
        object_repr="referrals export",
        region_code=actor.scope_code,
    )
