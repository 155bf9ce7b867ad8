"""Celery tasks of the application flow: thin wrappers around services, run as jobs."""

from celery import shared_task


@shared_task(ignore_result=True)
def render_annex_task(job_id: str, batch_id: int) -> None:
    """Render the PDF annex of a ratified list (retried from the job table if Redis was down)."""
    from core.services import job_execute

    from .services import batch_annex_render

    job_execute(
        job_id=job_id,
        work=lambda reporter: batch_annex_render(batch_id=batch_id, reporter=reporter),
    )


@shared_task(ignore_result=True)
def export_batch_task(job_id: str, batch_id: int) -> None:
    """Write the ministry upload file of a ratified list and mark it as sent."""
    from core.models import Job
    from core.services import job_execute

    from .services import batch_export_run

    actor = Job.objects.select_related("started_by").get(pk=job_id).started_by
    job_execute(
        job_id=job_id,
        work=lambda reporter: batch_export_run(batch_id=batch_id, actor=actor, reporter=reporter),
    )


@shared_task(ignore_result=True)
def escalate_late_applications_task() -> int:
    """Periodic (Celery beat): requests late in their step go up one level; the next level and
    the head of division get one message each."""
    from .sla import applications_escalate_late

    return applications_escalate_late()
