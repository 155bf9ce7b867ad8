"""Registry rounds: upload a national extract, compare it, propose, approve, apply.

The data manager uploads the ministry's extract with the day it was taken; a job compares it
with the registry (``dtks.rounds.compare``) and the round page shows, per district and
village, what it would add, change and retire. The data manager proposes it, the head of
division (never the proposer) approves it, and a second job applies it: the ordinary import
(all or nothing, newer local edits kept) and the retirement of the absent households, in one
transaction. The round keeps its lists and its before/after totals as the round report.
"""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.jobs import TRANSIENT, job_create
from core.services import audit_log, object_lock
from silakso.exceptions import Conflict, DomainError, Forbidden

from ..models.rounds import ROUND_LISTS, RegistryRound, RoundEntry, RoundStatus
from ..permissions import can_start_round
from .jobs import _store_upload

#: States a round is open in: while one is, no second extract can be uploaded (it would be
#: compared with a registry the first is about to change).
OPEN_STATES = (
    RoundStatus.COMPARING,
    RoundStatus.COMPARED,
    RoundStatus.PROPOSED,
    RoundStatus.APPLYING,
)


def round_start(*, upload, name: str, extract_date, actor) -> RegistryRound:
    """Store a national extract and start comparing it with the registry (a job)."""
    from ..tasks import compare_round_task

    if not can_start_round(actor):
        raise Forbidden(_("Only a data manager uploads a national extract."))
    from django.db import connection

    if connection.vendor != "postgresql":
        raise DomainError(
            _("Bulk import needs PostgreSQL. Run SILAKSO with DATABASE_URL set to use it.")
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the round a name, such as “DTSEN Q3 2026”.")})
    if extract_date is None:
        raise ValidationError({"extract_date": _("Give the day the ministry took the extract.")})
    if extract_date > timezone.localdate():
        raise ValidationError({"extract_date": _("The extract date cannot be in the future.")})
    with transaction.atomic():
        # one round at a time, also when two data managers upload at the same moment
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('silakso-registry-round'))")
        open_round = RegistryRound.objects.filter(status__in=OPEN_STATES).first()
        if open_round is not None:
            raise Conflict(
                _(
                    "The round “{name}” is not finished yet. Apply or discard it before "
                    "uploading another extract."
                ).format(name=open_round.name)
            )
        registry_round = RegistryRound.objects.create(
            name=name[:120],
            extract_date=extract_date,
            filename=upload.name[:200],
            path=_store_upload(upload, folder="rounds"),
            created_by=actor,
            region_code=None if actor.is_installation_wide else actor.scope_code,
        )
        registry_round.compare_job = job_create(
            kind="registry.round_compare",
            label=_("Compare {name} with the registry").format(name=registry_round.name),
            task=compare_round_task,
            actor=actor,
            task_kwargs={"round_id": registry_round.pk},
        )
        registry_round.save(update_fields=["compare_job", "updated_at"])
        audit_log(
            actor=actor,
            action=AuditAction.CREATE,
            obj=registry_round,
            region_code=registry_round.region_code,
        )
    return registry_round


def round_compare_run(*, round_id: int, reporter) -> dict:
    """Job body: compare the stored extract; the round becomes "compared" (or "failed" with
    the reason). A re-run after a lost worker starts the lists again."""
    from .. import rounds

    registry_round = RegistryRound.objects.select_related("created_by").get(pk=round_id)
    if registry_round.status != RoundStatus.COMPARING:
        return {"round": registry_round.pk, "status": registry_round.status}
    RoundEntry.objects.filter(round=registry_round).delete()
    try:
        with default_storage.open(registry_round.path, "rb") as handle:
            outcome = rounds.compare(
                registry_round=registry_round,
                handle=handle,
                size=default_storage.size(registry_round.path),
                reporter=reporter,
            )
    except TRANSIENT:
        raise  # the job runs again; the round is still being compared
    except Exception as exc:
        RegistryRound.objects.filter(pk=round_id, status=RoundStatus.COMPARING).update(
            status=RoundStatus.FAILED,
            error=str(getattr(exc, "message", exc))[:2000],
            updated_at=timezone.now(),
        )
        raise
    report_file = ""
    if outcome["rejected_rows"]:
        from ..imports import write_report

        report_file = write_report(
            "reports/round-{}-rejected.csv".format(round_id), outcome["rejected_rows"]
        )
    RegistryRound.objects.filter(pk=round_id, status=RoundStatus.COMPARING).update(
        status=RoundStatus.COMPARED,
        counts=outcome["counts"],
        by_village=outcome["by_village"],
        report_file=report_file,
        updated_at=timezone.now(),
    )
    result = {"round": round_id, **outcome["counts"]}
    if report_file:
        result["report_file"] = report_file  # the job page offers it to the uploader
    return result


def round_recover(registry_round: RegistryRound) -> RegistryRound:
    """A round whose job gave up (a worker lost again and again) is not left waiting: a
    comparison that failed makes the round "failed" (it can be discarded), an apply that
    failed puts it back to "proposed" (nothing was written), each with the job's message."""
    from core.choices import JobStatus

    for status, job, target in (
        (RoundStatus.COMPARING, registry_round.compare_job, RoundStatus.FAILED),
        (RoundStatus.APPLYING, registry_round.apply_job, RoundStatus.PROPOSED),
    ):
        if registry_round.status == status and job is not None and job.status == JobStatus.FAILED:
            RegistryRound.objects.filter(pk=registry_round.pk, status=status).update(
                status=target, error=job.message[:2000], updated_at=timezone.now()
            )
            registry_round.refresh_from_db()
    return registry_round


def _locked(registry_round, actor, code: str) -> RegistryRound:
    """The round locked through the actor's scope, after checking they may take ``code``."""
    from ..workflow import ROUND_STEPS

    locked = object_lock(RegistryRound, registry_round.pk, actor=actor)
    ROUND_STEPS.authorize(code, locked, actor)
    return locked


def _decide(registry_round, actor, code: str, *, note: str = "", fields=()) -> RegistryRound:
    """Move a round locked by ``_locked`` along step ``code`` and audit it."""
    from ..workflow import ROUND_STEPS

    step = ROUND_STEPS.step(code)
    previous = registry_round.status
    registry_round.status = step.target
    registry_round.note = note
    registry_round.save(update_fields=["status", "note", "updated_at", *fields])
    audit_log(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=registry_round,
        region_code=registry_round.region_code,
        changes={"status": [previous, step.target]},
        reason=note,
    )
    return registry_round


@transaction.atomic
def round_propose(*, registry_round, actor, note: str = "") -> RegistryRound:
    locked = _locked(registry_round, actor, "propose")
    locked.proposed_by, locked.proposed_at = actor, timezone.now()
    return _decide(locked, actor, "propose", note=note, fields=("proposed_by", "proposed_at"))


@transaction.atomic
def round_refuse(*, registry_round, actor, reason: str) -> RegistryRound:
    """Discard a compared round (its data manager) or refuse a proposed one (the head of
    division): the registry is unchanged and the stored extract is deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, for the round's record.")})
    code = "discard" if registry_round.status in ("compared", "failed") else "refuse"
    locked = _locked(registry_round, actor, code)
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked = _decide(locked, actor, code, note=reason, fields=("decided_by", "decided_at"))
    path = locked.path
    transaction.on_commit(lambda: default_storage.delete(path))
    return locked


@transaction.atomic
def round_approve(*, registry_round, actor, note: str = "") -> RegistryRound:
    """Approve a proposed round: it is applied by a job (progress on its page)."""
    from ..tasks import apply_round_task

    locked = _locked(registry_round, actor, "approve")
    locked.decided_by, locked.decided_at = actor, timezone.now()
    locked.apply_job = job_create(
        kind="registry.round_apply",
        label=_("Apply {name}").format(name=locked.name),
        task=apply_round_task,
        actor=actor,
        task_kwargs={"round_id": locked.pk},
    )
    return _decide(
        locked, actor, "approve", note=note, fields=("decided_by", "decided_at", "apply_job")
    )


def round_apply_run(*, round_id: int, reporter) -> dict:
    """Job body: import the extract and retire the absent ones, all or nothing. A re-run
    after a lost worker finds the round still "applying" and runs again (the import is one
    transaction: it either committed with the round marked applied, or not at all)."""
    registry_round = RegistryRound.objects.select_related("proposed_by", "decided_by").get(
        pk=round_id
    )
    if registry_round.status != RoundStatus.APPLYING:
        return {"round": round_id, "status": registry_round.status}
    actor = registry_round.proposed_by
    if actor is None or not actor.is_active:
        raise DomainError(_("The data manager who proposed this round has no active account."))
    try:
        return _apply(registry_round, actor, reporter)
    except TRANSIENT:
        raise  # the job runs again; the round is still "applying"
    except Exception as exc:
        # nothing was written (one transaction): the round waits for a decision again
        RegistryRound.objects.filter(pk=round_id, status=RoundStatus.APPLYING).update(
            status=RoundStatus.PROPOSED,
            error=str(getattr(exc, "message", exc))[:2000],
            updated_at=timezone.now(),
        )
        raise


def _apply(registry_round, actor, reporter) -> dict:
    from .. import bulk, rounds

    round_id = registry_round.pk
    scope = rounds._scope_params(actor)
    reason = _("Round {name}").format(name=registry_round.name)
    with transaction.atomic():
        locked = RegistryRound.objects.select_for_update().get(pk=round_id)
        if locked.status != RoundStatus.APPLYING:
            return {"round": round_id, "status": locked.status}
        before = rounds.district_totals(scope)
        with default_storage.open(registry_round.path, "rb") as handle:
            result = bulk.registry_import(
                handle=handle,
                filename=reason,
                actor=actor,
                size=default_storage.size(registry_round.path),
                reporter=reporter,
                extract_date=registry_round.extract_date,
            )
        retired = rounds.retire_absent(registry_round=registry_round, actor=actor, reason=reason)
        after = rounds.district_totals(scope)
        applied = {
            key: value
            for key, value in result.as_dict().items()
            if isinstance(value, int) and not isinstance(value, bool)
        }
        locked.status = RoundStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.counts = {**locked.counts, "applied": applied, **retired}
        locked.totals = {"before": before, "after": after}
        locked.error = ""
        locked.save(
            update_fields=["status", "applied_at", "counts", "totals", "error", "updated_at"]
        )
        audit_log(
            actor=registry_round.decided_by,
            action=AuditAction.UPDATE,
            obj=locked,
            region_code=locked.region_code,
            changes={
                "status": [RoundStatus.APPLYING, RoundStatus.APPLIED],
                **{key: [None, value] for key, value in retired.items()},
            },
            reason=reason,
        )
        path = locked.path
        transaction.on_commit(lambda: default_storage.delete(path))
    return {"round": round_id, **applied, **retired}


def round_entries_csv(*, registry_round, change: str, people: bool, actor, district: str = ""):
    """One list of a round as CSV lines (bytes), audited: the data manager sees full NIKs
    (they compare them with the ministry's file), everyone else masked ones."""
    import csv
    import io

    from ..nik import mask_nik
    from ..permissions import ROUND_PROPOSERS, has_role

    if (change, people) not in ROUND_LISTS:
        raise DomainError(_("There is no such list."))
    full = has_role(actor, *ROUND_PROPOSERS)
    entries = registry_round.entries.filter(change=change, is_person=people)
    if district:
        entries = entries.filter(village_code__startswith=district + ".")
    rows = entries.order_by("village_code", "dtks_id", "nik").values_list(
        "village_code", "dtks_id", "nik", "name"
    )
    audit_log(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=registry_round,
        region_code=registry_round.region_code,
        changes={"list": [None, ROUND_LISTS[(change, people)]], "district": [None, district]},
    )

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        header = [_("village code"), _("DTKS household id")]
        header += [_("NIK"), _("name")] if people else [_("head of household")]
        writer.writerow(header)
        yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
        for chunk_start in range(0, 10**9, 5000):
            chunk = list(rows[chunk_start : chunk_start + 5000])
            if not chunk:
                break
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for village, dtks_id, nik, name in chunk:
                if people:
                    writer.writerow([village, dtks_id, nik if full else mask_nik(nik), name])
                else:
                    writer.writerow([village, dtks_id, name])
            yield buffer.getvalue().encode("utf-8")

    return lines()
