"""Starting the registry's background jobs: each stores what it needs (an uploaded file is saved
to storage first) and records the job, whose task is queued after commit. Pages and the API
call these; the job page shows the progress."""

import uuid

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from core.choices import Role
from core.models import Job
from core.permissions import has_role
from core.services import job_create
from silakso.exceptions import Forbidden

from ..permissions import can_edit_registry, can_import_registry, can_manage_programs


def _store_upload(upload, folder: str = "imports") -> str:
    """Save an upload under a random name (the job reads it; the sweep removes it later)."""
    name = upload.name.lower()
    extension = "xlsx" if name.endswith(".xlsx") else "csv"
    return default_storage.save("{}/{}.{}".format(folder, uuid.uuid4().hex, extension), upload)


def region_reload_start(*, actor) -> Job:
    """Reload the Kemendagri region list (system administrators)."""
    from ..tasks import load_regions_task

    if not has_role(actor, Role.SYSTEM_ADMIN):
        raise Forbidden(_("Only a system administrator can reload the region list."))
    return job_create(
        kind="regions.load",
        label=_("Reload the Kemendagri region list"),
        task=load_regions_task,
        actor=actor,
    )


def pmt_rank_start(*, actor) -> Job:
    """Rank every household with the active local PMT weights."""
    from ..tasks import rank_pmt_task

    if not can_manage_programs(actor):
        raise Forbidden(_("Only data managers and administrators run the local PMT."))
    return job_create(
        kind="pmt.rank",
        label=_("Rank households with the local PMT"),
        task=rank_pmt_task,
        actor=actor,
    )


def verification_start(*, actor) -> Job:
    """Run the registry's verification checks now (they also run every night)."""
    from ..tasks import run_verification_task

    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot change registry data."))
    return job_create(
        kind="verification.run",
        label=_("Run the verification checks"),
        task=run_verification_task,
        actor=actor,
    )


def registry_import_start(*, upload, actor, extract_date=None, extract_wins: bool = False) -> Job:
    """Import a ministry extract (all or nothing, as a job with a progress bar). Households
    changed here since ``extract_date`` are kept and reported unless ``extract_wins``."""
    from ..tasks import import_registry_task

    if not can_import_registry(actor):
        raise Forbidden(_("Only data managers and administrators import registry data."))
    return job_create(
        kind="registry.import",
        label=_("Import {file}").format(file=upload.name[:100]),
        task=import_registry_task,
        actor=actor,
        task_kwargs={
            "path": _store_upload(upload),
            "filename": upload.name[:200],
            "extract_date": extract_date.isoformat() if extract_date else None,
            "extract_wins": bool(extract_wins),
        },
    )


def registry_export_start(*, actor, filters: dict, file_format: str = "csv") -> Job:
    """Export the filtered registry as a file written by a job (any size, with progress)."""
    from ..permissions import can_read_registry
    from ..tasks import export_registry_task

    if not can_read_registry(actor):
        raise Forbidden(_("Your role cannot read the registry."))
    return job_create(
        kind="registry.export",
        label=_("Registry export"),
        task=export_registry_task,
        actor=actor,
        task_kwargs={"filters": dict(filters), "file_format": file_format},
    )


def civil_registry_import_start(*, upload, actor) -> Job:
    """Import a civil-registry (Dukcapil) extract for the checks to compare against."""
    from ..tasks import import_civil_registry_task

    if not can_import_registry(actor):
        raise Forbidden(_("Only data managers and administrators import registry data."))
    return job_create(
        kind="civil.import",
        label=_("Import {file}").format(file=upload.name[:100]),
        task=import_civil_registry_task,
        actor=actor,
        task_kwargs={"path": _store_upload(upload), "filename": upload.name[:200]},
    )


def recipients_import_start(*, period, upload, actor) -> Job:
    """Import the recipient list of a program period (row report of what was refused)."""
    from ..permissions import can_manage_recipients
    from ..tasks import import_enrollments_task

    if not can_manage_recipients(actor, period.program):
        raise Forbidden(_("Only data managers and administrators import recipients."))
    return job_create(
        kind="enrollments.import",
        label=_("Import recipients of {period}").format(period=period),
        task=import_enrollments_task,
        actor=actor,
        task_kwargs={"period_id": period.pk, "path": _store_upload(upload)},
    )
