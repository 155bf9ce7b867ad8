"""Reads of the complaint flow, always scoped; the same selectors feed pages, API and exports."""

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.permissions import has_role
from core.scope import NOTHING
from dtks.nik import normalize_number
from silakso.aggregates import hours_between
from silakso.tables import local_minute

from . import permissions as perms
from .choices import ComplaintCategory, ComplaintChannel, ComplaintStatus, Rating
from .models import Complaint, ComplaintAttachment, ComplaintQuerySet
from .resident_texts import step_label, step_text
from .tracking import secret_matches

C = ComplaintStatus


def complaint_list(*, user, filters: dict | None = None, request=None) -> "ComplaintQuerySet":
    if not (perms.can_read(user) or has_role(user, Role.RESIDENT)):
        return Complaint.objects.filter(NOTHING)
    queryset = Complaint.objects.visible_to(user).select_related(
        "village", "village__parent", "assigned_to", "program"
    )
    if filters:
        from .filtersets import ComplaintFilterSet

        queryset = ComplaintFilterSet(filters, queryset=queryset, request=request).qs
    return queryset


def complaint_get(*, user, pk) -> Complaint:
    return (
        complaint_list(user=user)
        .select_related("household", "update_proposal", "entered_by", "resolved_by")
        .get(pk=pk)
    )


def complaint_by_code(code: str) -> Complaint | None:
    """The complaint behind a tracking code; the caller proves the right to see it."""
    return Complaint.objects.select_related("village").filter(code=code).first()


def complaint_track(*, code: str, nik: str = "", secret: str = "") -> Complaint | None:
    """Public lookup: code + NIK, or code + secret for an anonymous report; the same None for a
    wrong code, a wrong NIK or a wrong secret."""
    code = (code or "").strip().upper().replace(" ", "")
    if len(code) == 10 and code.startswith("P") and "-" not in code:
        code = "P-{}-{}".format(code[1:5], code[5:])
    complaint = Complaint.objects.select_related("village").filter(code=code).first()
    if complaint is None:
        return None
    nik = normalize_number(nik or "")
    if nik and complaint.complainant_nik and nik == complaint.complainant_nik:
        return complaint
    if secret and secret_matches(complaint.secret_hash, secret):
        return complaint
    return None


def reporter_visible(*, complaint: Complaint, user) -> bool:
    """Who sent a misuse report is seen by the officer in charge only (and for ordinary
    complaints by everyone who may see the complaint)."""
    if not complaint.is_restricted:
        return True
    return user is not None and user.is_authenticated and complaint.assigned_to_id == user.pk


def complaint_steps(*, complaint: Complaint) -> list[dict]:
    return [
        {
            "status": change.to_status,
            "label": step_label(change.to_status),
            "text": step_text(change.to_status, restricted=complaint.is_restricted),
            "time": change.created_at,
        }
        for change in complaint.status_changes.all()
    ]


def attachments(*, user, complaint: Complaint) -> QuerySet[ComplaintAttachment]:
    return ComplaintAttachment.objects.visible_to(user).filter(complaint=complaint)


def overdue(*, user) -> QuerySet[Complaint]:
    return complaint_list(user=user).open().filter(due_at__lt=timezone.now()).order_by("due_at")


def counters(*, user) -> list[dict]:
    """How many complaints wait at each open step, how many are late."""
    now = timezone.now()
    rows = {
        row["status"]: row
        for row in complaint_list(user=user)
        .open()
        .values("status")
        .annotate(total=Count("pk"), late=Count("pk", filter=Q(due_at__lt=now)))
    }
    return [
        {
            "status": status,
            "label": ComplaintStatus(status).label,
            "total": rows.get(status, {}).get("total", 0),
            "late": rows.get(status, {}).get("late", 0),
        }
        for status in (C.RECEIVED, C.FORWARDED, C.IN_REVIEW, C.IN_FOLLOW_UP, C.RESOLVED)
    ]


# ---------------------------------------------------------------------------- reports
def report(*, user, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Counts by category, channel, status and village; time to resolve; satisfaction per
    month on the IKM scale (the "very good / good / poor" chart of seed 002)."""
    queryset = complaint_list(user=user)
    if since:
        queryset = queryset.filter(created_at__date__gte=since)
    if until:
        queryset = queryset.filter(created_at__date__lte=until)

    def grouped(field, choices):
        labels = dict(choices)
        return [
            {"key": row[field], "label": labels.get(row[field], row[field]), "total": row["total"]}
            for row in queryset.values(field).annotate(total=Count("pk")).order_by("-total")
        ]

    villages = [
        {"key": row["village_id"], "label": row["village__name"], "total": row["total"]}
        for row in queryset.values("village_id", "village__name")
        .annotate(total=Count("pk"))
        .order_by("-total")[:50]
    ]
    satisfaction = []
    rated = queryset.filter(rating__isnull=False)
    months = (
        rated.annotate(month=TruncMonth("rated_at"))
        .values("month", "rating")
        .annotate(total=Count("pk"))
        .order_by("month")
    )
    by_month: dict = {}
    for row in months:
        by_month.setdefault(row["month"], {})[row["rating"]] = row["total"]
    for month, counts in by_month.items():
        total = sum(counts.values())
        satisfaction.append(
            {
                "month": month,
                "total": total,
                "bars": [
                    {
                        "rating": value,
                        "label": label,
                        "total": counts.get(value, 0),
                        "percent": round(100 * counts.get(value, 0) / total),
                    }
                    for value, label in sorted(Rating.choices, reverse=True)
                ],
            }
        )
    return {
        "total": queryset.count(),
        "by_category": grouped("category", ComplaintCategory.choices),
        "by_channel": grouped("channel", ComplaintChannel.choices),
        "by_status": grouped("status", ComplaintStatus.choices),
        "by_village": villages,
        "time_to_resolve": hours_between(queryset, "created_at", "resolved_at"),
        "overdue": queryset.open().filter(due_at__lt=timezone.now()).count(),
        "satisfaction": satisfaction,
    }


EXPORT_COLUMNS = (
    ("code", _("Ticket")),
    ("created_at", _("Received")),
    ("category", _("Category")),
    ("channel", _("Channel")),
    ("village", _("Village")),
    ("status", _("Status")),
    ("escalation_level", _("Escalations")),
    ("resolved_by_kind", _("Solved by")),
    ("resolved_at", _("Resolved")),
    ("closed_at", _("Closed")),
    ("rating", _("Rating")),
)


def export_rows(*, user, filters: dict | None = None):
    """Rows for the CSV/XLSX export: no names, NIKs or descriptions (statistics, not files)."""
    yield [str(label) for _key, label in EXPORT_COLUMNS]
    queryset = complaint_list(user=user, filters=filters).order_by("pk")
    for row in queryset.values(
        "code",
        "created_at",
        "category",
        "channel",
        village_name=F("village__name"),
        status_value=F("status"),
        level=F("escalation_level"),
        solved_by=F("resolved_by_kind"),
        resolved=F("resolved_at"),
        closed=F("closed_at"),
        score=F("rating"),
    ).iterator(chunk_size=2000):
        yield [
            row["code"],
            local_minute(row["created_at"]),
            row["category"],
            row["channel"],
            row["village_name"],
            row["status_value"],
            row["level"],
            row["solved_by"],
            local_minute(row["resolved"]),
            local_minute(row["closed"]),
            row["score"] or "",
        ]


# ---------------------------------------------------------------------------- landing pages
