"""Keeping personal data no longer than its purpose needs (UU 27/2022, docs/privacy.md).

One daily job (beat ``apply-retention``; ``manage.py apply_retention`` by hand, ``--dry-run`` to
see the counts) removes what is past its period. Each rule is a set operation in SQL (a
``DELETE … WHERE`` or the files of the rows it selects), counted in the audit trail. Periods are
in days and can be changed per installation with ``SILAKSO_RETENTION_DAYS`` (a mapping).

What is kept on purpose: the registry itself (it is the agency's task), decisions about aid
(applications that were approved, their deliberations and ratified lists: the state's
archive), and the audit trail (append-only; it is the evidence that the rules were followed).
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Days each kind of data is kept after it stopped being needed.
DEFAULT_DAYS = {
    "submission_receipts": 30,  # a retry of a form comes within minutes
    "job_files": 7,  # row reports and exports (the job page says they expire in 7 days)
    "notifications": 365,  # messages to residents (phone, e-mail, text)
    "closed_request_documents": 5 * 365,  # KTP/KK photos of refused or withdrawn requests
    "closed_complaint_attachments": 5 * 365,  # photos sent with complaints closed long ago
    "sessions": 0,  # expired sign-ins
    "one_time_codes": 30,  # a code works 10 minutes; kept a month for the rate limits' audit
    "inbound_messages": 365,  # SMS/WhatsApp messages residents sent (the complaint keeps its text)
    "field_submissions": 90,  # the field app's receipts: a phone re-sends within days
}


@dataclass
class Rule:
    name: str
    describe: str
    select: Callable[[dt.datetime], QuerySet]
    file_field: str = ""  # delete these files with the rows


def _rules() -> list[Rule]:
    from django.contrib.sessions.models import Session

    from applications.choices import ApplicationStatus
    from applications.models import ApplicationDocument
    from complaints.models import ComplaintAttachment

    from .models import (
        FieldSubmission,
        InboundMessage,
        Notification,
        OneTimeCode,
        SubmissionReceipt,
    )

    ended = [
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.NOT_ACCEPTED,
    ]
    return [
        Rule(
            "submission_receipts",
            "answers kept for a form sent twice",
            lambda before: SubmissionReceipt.objects.filter(created_at__lt=before),
        ),
        Rule(
            "notifications",
            "messages sent (or given up) to residents and officers",
            lambda before: Notification.objects.filter(
                status__in=["sent", "failed", "skipped"], created_at__lt=before
            ),
        ),
        Rule(
            "field_submissions",
            "answers kept for items the field app sent",
            lambda before: FieldSubmission.objects.filter(created_at__lt=before),
        ),
        Rule(
            "one_time_codes",
            "one-time codes for residents' sign-up and sign-in",
            lambda before: OneTimeCode.objects.filter(created_at__lt=before),
        ),
        Rule(
            "inbound_messages",
            "SMS and WhatsApp messages residents sent",
            lambda before: InboundMessage.objects.filter(received_at__lt=before),
        ),
        Rule(
            "closed_request_documents",
            "documents of requests refused or withdrawn",
            lambda before: ApplicationDocument.objects.filter(
                application__status__in=ended, application__status_changed_at__lt=before
            ),
            file_field="file",
        ),
        Rule(
            "closed_complaint_attachments",
            "attachments of complaints closed",
            lambda before: ComplaintAttachment.objects.filter(
                complaint__status="closed", complaint__closed_at__lt=before
            ),
            file_field="file",
        ),
        Rule(
            "sessions",
            "expired sign-in sessions",
            lambda before: Session.objects.filter(expire_date__lt=before),
        ),
    ]


def retention_days(name: str) -> int:
    """How many days ``name`` is kept on this installation (the privacy notice says so)."""
    return _days(name)


def _days(name: str) -> int:
    configured = getattr(settings, "SILAKSO_RETENTION_DAYS", {}) or {}
    return int(configured.get(name, DEFAULT_DAYS[name]))


def _job_files(before: dt.datetime, *, dry_run: bool) -> int:
    """Files that finished jobs wrote (row reports, exports) once they are old."""
    from django.core.files.storage import default_storage

    from .models import Job

    removed = 0
    now = timezone.now
    jobs = Job.objects.filter(finished_at__lt=before).exclude(result={})
    for job in jobs.iterator(chunk_size=500):
        path = (job.result or {}).get("report_file")
        if not path:
            continue
        removed += 1
        if dry_run:
            continue
        default_storage.delete(path)
        job.result = {**job.result, "report_file": "", "files_removed_at": now().isoformat()}
        job.save(update_fields=["result"])
    return removed


def apply_retention(*, dry_run: bool = False, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what is past its period; returns {rule: rows (or files) removed}."""
    from .services import audit_log

    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in _rules():
        before = now - dt.timedelta(days=_days(rule.name))
        selected = rule.select(before)
        if dry_run:
            counts[rule.name] = selected.count()
            continue
        if rule.file_field:
            for row in selected.only("pk", rule.file_field).iterator(chunk_size=500):
                stored = getattr(row, rule.file_field)
                if stored:
                    stored.delete(save=False)
        counts[rule.name] = selected.delete()[0]
    counts["job_files"] = _job_files(now - dt.timedelta(days=_days("job_files")), dry_run=dry_run)
    from silakso.kept_uploads import MAX_AGE, remove_unsent

    counts["kept_uploads"] = remove_unsent(now - MAX_AGE, dry_run=dry_run)
    if not dry_run and any(counts.values()):
        audit_log(
            actor=None,
            action="delete",
            object_type="core.retention",
            object_repr="Retention: {}".format(
                ", ".join("{} {}".format(n, name) for name, n in counts.items() if n)
            ),
            changes={"removed": counts},
        )
    logger.info("retention %s: %s", "dry run" if dry_run else "applied", counts)
    return counts
