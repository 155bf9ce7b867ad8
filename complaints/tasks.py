"""Celery tasks of the complaint flow."""

from celery import shared_task


@shared_task(ignore_result=True)
def escalate_overdue_complaints_task() -> int:
    """Periodic (Celery beat): late complaints go up one level; the next level is told."""
    from .services import complaints_escalate_overdue

    return complaints_escalate_overdue()
