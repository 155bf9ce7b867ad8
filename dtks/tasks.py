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
