"""Background jobs that survive a killed worker, a restarted database and a Redis outage.

A job is a ``core.Job`` row first; Celery only carries "run job X". Running it is a lease:

- **claim**: one ``UPDATE`` moves a queued job (or a running one whose lease ran out) to
  running, counts the attempt and sets ``lease_until`` a few seconds ahead. Only one worker
  wins; a duplicate delivery finds nothing to claim.
- **heartbeat**: while the work runs, a thread of the same process renews the lease every few
  seconds and writes the progress to the row through its own database connection, so a user
  watches an all-or-nothing import (one long transaction nobody else can see into) advance,
  and the job page needs no Redis.
- **recovery**: a worker killed mid-job stops renewing; once the lease has run out the job is
  claimed again — by the redelivered message (Celery acks late and rejects on a lost worker),
  by a copy the claimer scheduled for the lease's end, or by the sweep every few seconds. The
  work is all-or-nothing (an import, a ranking, the checks each run in one transaction that
  died with the worker), so running it again is safe. A job that stops the same way
  ``MAX_ATTEMPTS`` times is failed with that reason.
- A database connection lost mid-job (a PostgreSQL restart) puts the job back in the queue
  (another attempt); any other error fails it with the message the user reads.
- **sending**: a job is sent after commit; when Redis is down it stays queued and unsent, and
  the sweep (every ``SILAKSO_JOB_SWEEP_SECONDS``) sends it as soon as Redis is back. A message
  lost with Redis's memory (it keeps nothing on disk) is sent again after a while.
"""

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AuditAction, JobStatus
from .models import Job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
TRANSIENT = (OperationalError, InterfaceError)


def lease_seconds() -> float:
    return float(getattr(settings, "SILAKSO_JOB_LEASE_SECONDS", 20))


def heartbeat_seconds() -> float:
    return max(0.5, lease_seconds() / 5)


def _worker_name() -> str:
    return "{}:{}".format(socket.gethostname(), os.getpid())[:100]


# ---------------------------------------------------------------------------- starting
def send(job: Job) -> bool:
    """Publish "run job X" (its task with its arguments); True when the broker took it.

    Never raises: with Redis down the job stays queued and unsent for the sweep."""
    from silakso import redis_health
    from silakso.celery import app

    task = app.tasks.get(job.task_name)
    if task is None or redis_health.is_down("broker"):
        return False
    try:
        task.apply_async(kwargs={"job_id": str(job.pk), **job.task_kwargs})
    except Exception:
        redis_health.mark_down("broker")
        logger.warning("broker unavailable; job %s stays queued for the sweep", job.pk)
        return False
    Job.objects.filter(pk=job.pk).update(enqueued_at=timezone.now())
    return True


def job_create(*, kind: str, label: str, task, actor, task_kwargs: Mapping | None = None) -> Job:
    """Record a job (in the caller's transaction) and send it after commit. The task receives
    ``job_id`` and ``task_kwargs``."""
    from django.db import transaction

    from .services import audit_log

    job = Job.objects.create(
        kind=kind,
        label=label,
        started_by=actor,
        task_name=task.name,
        task_kwargs=dict(task_kwargs or {}),
    )
    audit_log(actor=actor, action=AuditAction.JOB, obj=job, object_repr=label)
    transaction.on_commit(lambda: send(job))
    return job


# ---------------------------------------------------------------------------- running
@dataclass
class JobReporter:
    """Handed to the work function of a job: report progress, set the result."""

    job_id: str
    result: dict = field(default_factory=dict)
    current: int = 0
    total: int = 0
    message: str = ""

    def progress(self, current: int, total: int, message: str = "") -> None:
        """Kept in memory; the heartbeat writes it to the job row every few seconds."""
        self.current, self.total, self.message = int(current), int(total), str(message)[:2000]


class _Heartbeat(threading.Thread):
    """Renews the lease and saves the progress, on its own database connection."""

    def __init__(self, job_id: str, reporter: JobReporter, worker: str):
        super().__init__(name="job-heartbeat-{}".format(job_id), daemon=True)
        self.job_id, self.reporter, self.worker = job_id, reporter, worker
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    Job.objects.filter(
                        pk=self.job_id, status=JobStatus.RUNNING, worker=self.worker
                    ).update(
                        lease_until=timezone.now() + dt.timedelta(seconds=lease_seconds()),
                        heartbeat_at=timezone.now(),
                        progress_current=self.reporter.current,
                        progress_total=self.reporter.total,
                        message=self.reporter.message,
                    )
                except Exception:  # the database is away: the lease runs out, the job reruns
                    logger.warning("job %s heartbeat failed", self.job_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=heartbeat_seconds() * 2)


def _claim(job_id: str, worker: str) -> bool:
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, lease_until__lt=now))
        .update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            lease_until=now + dt.timedelta(seconds=lease_seconds()),
            heartbeat_at=now,
            started_at=Coalesce(F("started_at"), now),
            worker=worker,
            updated_at=now,
        )
    )


def _record(job_id: str, worker: str, **fields) -> None:
    """Write the outcome, once more on a fresh connection if the old one died with the work."""
    fields["updated_at"] = timezone.now()
    for attempt in (1, 2):
        try:
            Job.objects.filter(pk=job_id, worker=worker).update(**fields)
            return
        except TRANSIENT:
            connection.close()
            if attempt == 2:
                raise


def _clean_upload(job: Job) -> None:
    """Delete the upload a finished job read (imports/…): nothing piles up in storage."""
    from django.core.files.storage import default_storage

    path = (job.task_kwargs or {}).get("path") or ""
    if path.startswith("imports/"):
        try:
            default_storage.delete(path)
        except Exception:
            logger.warning("could not delete %s", path, exc_info=True)


def job_execute(*, job_id: str, work: Callable[[JobReporter], dict | None]) -> Job | None:
    """Run ``work`` for a job under a lease (see the module's docstring).

    Returns the job as it ended, or None when there was nothing to claim (finished, or running
    elsewhere with a live lease: a copy is then scheduled for when that lease ends).
    """
    worker = _worker_name()
    if not _claim(job_id, worker):
        job = Job.objects.filter(pk=job_id).first()
        if job is not None and job.status == JobStatus.RUNNING and job.lease_until:
            _send_later(job, (job.lease_until - timezone.now()).total_seconds() + 1)
        return None
    job = Job.objects.get(pk=job_id)
    if job.attempts > MAX_ATTEMPTS:
        _record(
            job_id,
            worker,
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            message=_("The job stopped {count} times before it could finish.").format(
                count=MAX_ATTEMPTS
            ),
        )
        _clean_upload(job)
        return Job.objects.get(pk=job_id)
    reporter = JobReporter(job_id=str(job_id))
    heartbeat = _Heartbeat(str(job_id), reporter, worker)
    heartbeat.start()
    try:
        result = work(reporter)
    except TRANSIENT:
        heartbeat.stop()
        logger.warning("job %s lost its database connection; it runs again", job_id)
        connection.close()
        _record(
            job_id,
            worker,
            status=JobStatus.QUEUED,
            lease_until=None,
            enqueued_at=None,
            message=_("Interrupted (the database was unavailable); it runs again."),
        )
        send(Job.objects.get(pk=job_id))
        return Job.objects.get(pk=job_id)
    except Exception as exc:
        heartbeat.stop()
        logger.exception("job %s failed", job_id)
        _record(
            job_id,
            worker,
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            message=str(getattr(exc, "message", exc))[:2000],
            progress_current=reporter.current,
            progress_total=reporter.total,
        )
        _clean_upload(job)
        raise
    heartbeat.stop()
    _record(
        job_id,
        worker,
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        lease_until=None,
        result=result if result is not None else reporter.result,
        message=reporter.message,
        progress_current=reporter.total,
        progress_total=reporter.total,
    )
    _clean_upload(job)
    return Job.objects.get(pk=job_id)


def _send_later(job: Job, seconds: float) -> None:
    """Try the job again when the lease it is held by runs out (its holder may be dead)."""
    from silakso.celery import app

    task = app.tasks.get(job.task_name)
    if task is None:
        return
    try:
        task.apply_async(
            kwargs={"job_id": str(job.pk), **job.task_kwargs}, countdown=max(1, seconds)
        )
    except Exception:
        logger.warning("could not schedule job %s again; the sweep will", job.pk)


def job_progress(job: Job) -> dict:
    """A job's progress as its row has it (the heartbeat keeps it current)."""
    current, total, message = job.progress_current, job.progress_total, job.message
    if job.status == JobStatus.SUCCEEDED:
        percent = 100
    else:
        percent = min(100, int(100 * current / total)) if total else 0
    return {"current": current, "total": total, "message": message, "percent": percent}


# ---------------------------------------------------------------------------- the sweep
def jobs_sweep(*, resend_after: dt.timedelta = dt.timedelta(minutes=2)) -> dict[str, Any]:
    """Put back the jobs whose worker stopped (lease run out), send the queued ones that were
    never sent (Redis was down) or whose message was lost; returns the counts."""
    now = timezone.now()
    expired = Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    gave_up = expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=JobStatus.FAILED,
        finished_at=now,
        lease_until=None,
        message=_("The job stopped {count} times before it could finish.").format(
            count=MAX_ATTEMPTS
        ),
        updated_at=now,
    )
    requeued = expired.update(
        status=JobStatus.QUEUED,
        lease_until=None,
        enqueued_at=None,
        message=_("The worker stopped; the job runs again."),
        updated_at=now,
    )
    waiting = Job.objects.filter(status=JobStatus.QUEUED).filter(
        Q(enqueued_at__isnull=True, created_at__lt=now - dt.timedelta(seconds=0.5))
        | Q(enqueued_at__lt=now - resend_after)
    )
    sent = 0
    for job in waiting.order_by("created_at")[:100]:
        if not send(job):
            break
        sent += 1
    return {"requeued": requeued, "failed": gave_up, "sent": sent}
