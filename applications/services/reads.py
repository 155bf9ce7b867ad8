"""Audited reads of the application flow: the pages and the API call these, so every opening
of a request, a document, a photo or an objection writes the same audit row."""

from django.db.models import Prefetch

from core.choices import AuditAction
from core.services import audit_log, open_audited

from .. import selectors
from ..models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    Batch,
    Deliberation,
    FieldCheck,
    Objection,
    UpdateProposal,
)


def application_open(*, user, pk) -> Application:
    """One application of the caller's area (residents: their own), audited."""
    queryset = (
        selectors.application_list(user=user)
        .select_related(
            "individual", "household", "deliberation", "batch", "entered_by", "verified_by"
        )
        .prefetch_related(
            Prefetch(
                "status_changes",
                queryset=ApplicationStatusChange.objects.select_related("actor"),
            )
        )
    )
    return open_audited(queryset, pk, user=user, region="village_id")


def application_document_open(*, user, application: Application, pk) -> ApplicationDocument:
    """A document of an application (photo of a KTP, a KK): a sensitive read."""
    return open_audited(
        selectors.application_documents(user=user, application=application),
        pk,
        user=user,
        region="application.village_id",
        sensitive=True,
        describe=lambda document: document.application.code,
    )


def field_check_photo_open(*, user, pk) -> FieldCheck:
    """The photo of a house taken at a field visit: a sensitive read."""
    return open_audited(
        FieldCheck.objects.visible_to(user).exclude(photo=""),
        pk,
        user=user,
        region="village_id",
        sensitive=True,
    )


def deliberation_open(*, user, pk) -> Deliberation:
    """The minutes or the signed SPTJM of a deliberation."""
    return open_audited(selectors.deliberation_list(user=user), pk, user=user, region="village_id")


def proposal_open(*, user, pk) -> UpdateProposal:
    """An update proposal of the caller's area, audited."""
    queryset = selectors.proposal_list(user=user).select_related(
        "deliberation", "filled_by", "verified_by"
    )
    return open_audited(queryset, pk, user=user, region="village_id")


def batch_file_open(*, user, pk, which: str) -> Batch:
    """The annex PDF or the ministry file of a period list: an export, audited."""
    return open_audited(
        selectors.batch_list(user=user).exclude(**{which: ""}),
        pk,
        user=user,
        region="regency_id",
        action=AuditAction.EXPORT,
        reason=which,
    )


def objection_open(*, user, pk, evidence: bool = False) -> Objection:
    """An objection with who filed it (Dinsos only), or its evidence: sensitive reads."""
    queryset = selectors.objection_list(user=user)
    if evidence:
        queryset = queryset.exclude(evidence="")
    return open_audited(
        queryset,
        pk,
        user=user,
        region="village_id",
        sensitive=True,
        reason="evidence" if evidence else "",
    )


def application_lookup(*, code: str, nik: str, actor) -> Application | None:
    """The public status lookup (tracking code + NIK), audited whether it matched or not."""
    application = selectors.application_track(code=code, nik=nik)
    audit_log(
        actor=actor,
        action=AuditAction.LOOKUP,
        object_type="applications.application",
        object_id=str(application.pk) if application else "",
        object_repr=(code or "")[:40],
        region_code=application.village_id if application else None,
        reason="track: {}".format("found" if application else "no match"),
    )
    return application


__all__ = [
    "application_document_open",
    "application_lookup",
    "application_open",
    "batch_file_open",
    "deliberation_open",
    "field_check_photo_open",
    "objection_open",
    "proposal_open",
]
