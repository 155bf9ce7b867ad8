"""Period lists: finalised by Dinsos, ratified by the regent's office (annex PDF), exported in
the ministry's format, and the ministry's results imported back."""

import datetime as dt
import hashlib
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.scope import assert_in_scope
from core.services import (
    audit_log,
    job_create,
    object_lock,
    status_transition,
)
from dtks.models import Region
from silakso.exceptions import DomainError, InvalidTransition

from ..choices import (
    ApplicationStatus,
    BatchStatus,
)
from ..models import (
    Application,
    Batch,
    BatchStatusChange,
)
from ..selectors import batch_candidates
from ..workflow import BATCH_FLOW
from ._common import (
    _move_many,
)


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


def _lock_batch(batch: Batch, actor=None, *, system: bool = False) -> Batch:
    return object_lock(
        Batch, batch.pk, actor=actor, related=("regency",), system=system or actor is None
    )


@transaction.atomic
def batch_create(*, regency: Region, name: str, cutoff: dt.date, actor) -> Batch:
    """Open the period list of a regency with its cut-off date."""
    batch = Batch(regency=regency, name=name, cutoff=cutoff, created_by=actor, status="")
    BATCH_FLOW.authorize("create", batch, actor)
    if regency is None or regency.level != 2:
        raise ValidationError({"regency": _("Choose a regency.")})
    assert_in_scope(actor, regency.code)
    batch.name = " ".join((name or "").split())
    if not batch.name:
        raise ValidationError({"name": _("Give the list a name, such as “Usulan Desember 2026”.")})
    if Batch.objects.filter(regency=regency, name=batch.name).exists():
        raise ValidationError({"name": _("A list with this name already exists.")})
    _batch_move(batch, BatchStatus.OPEN, actor=actor)
    audit_log(actor=actor, action=AuditAction.CREATE, obj=batch, region_code=regency.code)
    return batch


@transaction.atomic
def batch_finalise(*, batch: Batch, actor) -> Batch:
    """Put every verified application up to the cut-off into the list (finalisasi)."""
    batch = _lock_batch(batch, actor)
    BATCH_FLOW.authorize("finalise", batch, actor)
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
    batch = _lock_batch(batch, actor)
    BATCH_FLOW.authorize("ratify", batch, actor)
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
    from ..tasks import render_annex_task

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
    from ..annex import render_annex

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
    batch = _lock_batch(batch, actor)
    BATCH_FLOW.authorize("export", batch, actor)
    from ..tasks import export_batch_task

    return job_create(
        kind="applications.export",
        label=_("Ministry file of {name}").format(name=batch.name),
        task=export_batch_task,
        actor=actor,
        task_kwargs={"batch_id": batch.pk},
    )


def batch_export_run(*, batch_id: int, actor, reporter=None) -> dict:
    """Write the ministry upload file and mark the list and its applications as sent."""
    from ..exports import write_ministry_file

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
    from ..exports import read_results

    batch = _lock_batch(batch, actor)
    try:
        BATCH_FLOW.authorize("results", batch, actor)
    except InvalidTransition as exc:
        raise DomainError(_("Results can be imported only after the list was sent.")) from exc
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
