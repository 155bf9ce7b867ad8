"""Celery tasks of the core app: thin wrappers around services."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(ignore_result=True)
def send_notification_task(notification_id: int) -> None:
    """Deliver one outbox message (retries are scheduled in the row, not in Celery)."""
    from .services import notification_send

    notification_send(notification_id=notification_id)


@shared_task(ignore_result=True)
def retry_pending_notifications_task() -> int:
    """Periodic sweep: messages that could not be queued or sent earlier."""
    from .services import notifications_send_due

    return notifications_send_due()


@shared_task(ignore_result=True)
def sweep_jobs_task() -> dict:
    """Every few seconds: jobs whose worker stopped run again; jobs queued while Redis was
    down are sent (core.jobs)."""
    from .jobs import jobs_sweep

    return jobs_sweep()


@shared_task(ignore_result=True)
def record_worker_heartbeat_task() -> None:
    """Beat → worker round trip; /healthz shows how long ago it last happened."""
    cache.set("worker-heartbeat", timezone.now().isoformat(), timeout=3600)


@shared_task(ignore_result=True)
def apply_retention_task() -> dict:
    """Daily: remove personal data past its retention period (core.retention)."""
    from .retention import apply_retention

    return apply_retention()


@shared_task(ignore_result=True)
def deliver_event_task(delivery_id: int) -> None:
    """Send one event to a subscribed partner system (retried by the sweep below)."""
    from .webhooks import event_deliver

    event_deliver(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def deliver_due_events_task() -> int:
    """Periodic: events due for another attempt (a partner's system was down)."""
    from .webhooks import events_deliver_due

    return events_deliver_due()


@shared_task(ignore_result=True)
def monthly_report_task(job_id: str | None = None, month: str | None = None) -> None:
    """The month's report: on demand (a job with progress) or by beat on the first day of each
    month for the month before (no job)."""
    import datetime as dt

    from .jobs import job_execute
    from .models import Job
    from .monthly_report import monthly_report_make, previous_month

    chosen = dt.date.fromisoformat(month) if month else previous_month()
    if job_id is None:
        monthly_report_make(month=chosen)
        return
    job = Job.objects.select_related("started_by").get(pk=job_id)

    def work(reporter) -> None:  # the result is what the reporter collected
        monthly_report_make(month=chosen, actor=job.started_by, reporter=reporter)

    job_execute(job_id=job_id, work=work)


@shared_task(ignore_result=True)
def dashboard_refresh_task(job_id: str | None = None) -> None:
    """The dashboards' figures counted again: by beat every few minutes (no job), or when an
    office asks (a job with progress)."""
    from .dashboard import refresh
    from .jobs import job_execute

    if job_id is None:
        refresh()
        return

    def work(reporter) -> None:  # the result is what the reporter collected
        refresh(reporter=reporter)

    job_execute(job_id=job_id, work=work)
