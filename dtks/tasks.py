"""Celery tasks of the registry: thin wrappers that run one service inside a Job."""

from celery import shared_task


@shared_task(ignore_result=True)
def load_regions_task(job_id: str, within: str | None = None) -> None:
    """Reload the Kemendagri region list with progress visible to whoever started it."""
    from core.services import job_execute

    from .services import region_load_all

    job_execute(
        job_id=job_id,
        work=lambda reporter: region_load_all(within=within, reporter=reporter),
    )


@shared_task(ignore_result=True)
def import_enrollments_task(job_id: str, period_id: int, path: str) -> None:
    """Apply an uploaded official recipient list; rejected rows become a downloadable report."""
    from core.models import Job
    from core.services import job_execute

    from .imports import recipient_list_import

    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_execute(
        job_id=job_id,
        work=lambda reporter: recipient_list_import(
            job_id=job_id, period_id=period_id, path=path, actor=job.started_by, reporter=reporter
        ),
    )


@shared_task(ignore_result=True)
def import_registry_task(
    job_id: str,
    path: str,
    filename: str,
    extract_date: str | None = None,
    extract_wins: bool = False,
) -> None:
    """Import a DTKS extract stored at ``path``; rejected rows become a downloadable report."""
    from core.models import Job
    from core.services import job_execute

    from .imports import registry_file_import

    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_execute(
        job_id=job_id,
        work=lambda reporter: registry_file_import(
            job_id=job_id,
            path=path,
            filename=filename,
            actor=job.started_by,
            reporter=reporter,
            extract_date=extract_date,
            extract_wins=extract_wins,
        ),
    )


@shared_task(ignore_result=True)
def rank_pmt_task(job_id: str | None = None) -> None:
    """Score and rank households with the local PMT: on demand (a job) or nightly (no job)."""
    from core.models import Job
    from core.services import job_execute

    from .services import pmt_rank

    if job_id is None:
        pmt_rank(actor=None)
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_execute(
        job_id=job_id,
        work=lambda reporter: _run_summary(pmt_rank(actor=job.started_by, reporter=reporter)),
    )


def _run_summary(run) -> dict:
    return {
        "households": run.households,
        "regencies": run.regencies,
        "changed": run.changed,
        "seconds": run.seconds,
        "weights": str(run.weight_set),
    }


@shared_task(ignore_result=True)
def run_verification_task(job_id: str | None = None) -> None:
    """The verification checks: on demand for an area (a job) or nightly for everything."""
    from core.models import Job
    from core.services import job_execute

    from .services import verification_run

    if job_id is None:
        verification_run(actor=None)
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_execute(
        job_id=job_id,
        work=lambda reporter: verification_run(actor=job.started_by, reporter=reporter),
    )


@shared_task(ignore_result=True)
def import_civil_registry_task(job_id: str, path: str, filename: str) -> None:
    """Load a Dukcapil extract stored at ``path``."""
    from django.core.files.storage import default_storage

    from core.models import Job
    from core.services import job_execute

    from .bulk import civil_registry_import

    job = Job.objects.select_related("started_by").get(pk=job_id)

    def work(reporter):
        with default_storage.open(path, "rb") as handle:
            result = civil_registry_import(
                handle=handle, filename=filename, actor=job.started_by, reporter=reporter
            )
        default_storage.delete(path)
        return result

    job_execute(job_id=job_id, work=work)


@shared_task(ignore_result=True)
def export_registry_task(job_id: str, filters: dict, file_format: str = "csv") -> None:
    """Write a registry export of any size to a file the user downloads from the job page."""
    from core.models import Job
    from core.services import job_execute

    from .exports import registry_export_write

    job = Job.objects.select_related("started_by").get(pk=job_id)
    job_execute(
        job_id=job_id,
        work=lambda reporter: registry_export_write(
            job_id=job_id,
            actor=job.started_by,
            filters=filters,
            file_format=file_format,
            reporter=reporter,
        ),
    )


@shared_task(ignore_result=True)
def compare_round_task(job_id: str, round_id: int) -> None:
    """Compare a national extract with the registry (nothing of the registry is written)."""
    from core.services import job_execute

    from .services import round_compare_run

    job_execute(
        job_id=job_id,
        work=lambda reporter: round_compare_run(round_id=round_id, reporter=reporter),
    )


@shared_task(ignore_result=True)
def apply_round_task(job_id: str, round_id: int) -> None:
    """Apply an approved round: the import and the retirement of the absent, all or nothing."""
    from core.services import job_execute

    from .services import round_apply_run

    job_execute(
        job_id=job_id,
        work=lambda reporter: round_apply_run(round_id=round_id, reporter=reporter),
    )


@shared_task(ignore_result=True)
def merge_search_index_lists_task() -> None:
    """After a big import: the new names and addresses merged into the search indexes."""
    from .bulk import merge_search_index_lists

    merge_search_index_lists()
