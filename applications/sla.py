"""How long an aid request may stay in each step before it is late (the office's service
standard for requests, like the complaints' SLA table). A request is late when it has been in
its step longer than the step allows (``status_changed_at``); the dashboards count the late
ones per step and the worklist filters them (``overdue``)."""

import datetime as dt
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .choices import ApplicationStatus as A

#: Days allowed per open step. The village deliberation (musdes) and the period list follow
#: the ministry's calendar, so they get longer; ``SILAKSO_APPLICATION_STEP_DAYS`` overrides.
DEFAULT_STEP_DAYS = {
    A.SUBMITTED: 3,
    A.NEEDS_UPDATE: 14,
    A.AWAITING_DELIBERATION: 45,
    A.DELIBERATED: 14,
    A.VERIFIED: 30,
    A.FINALISED: 30,
    A.RATIFIED: 14,
    A.EXPORTED: 90,
}


def step_days() -> dict[str, int]:
    return {**DEFAULT_STEP_DAYS, **getattr(settings, "SILAKSO_APPLICATION_STEP_DAYS", {})}


def late_q(now: dt.datetime | None = None) -> Q:
    """Open requests in a step longer than it allows."""
    now = now or timezone.now()
    return reduce(
        or_,
        (
            Q(status=status, status_changed_at__lt=now - dt.timedelta(days=days))
            for status, days in step_days().items()
        ),
    )


#: Who a late step goes up to (with the regency's head of division): the district supervisor
#: while the village is deciding, Dinsos' data manager once Dinsos holds it.
ESCALATE_TO = {
    A.SUBMITTED: "supervisor",
    A.NEEDS_UPDATE: "supervisor",
    A.AWAITING_DELIBERATION: "supervisor",
    A.DELIBERATED: "data_manager",
    A.VERIFIED: "data_manager",
    A.FINALISED: "data_manager",
    A.RATIFIED: "data_manager",
    A.EXPORTED: "data_manager",
}
#: A request still late in the same step is escalated again after this many days.
AGAIN_AFTER_DAYS = 7


def applications_escalate_late(*, now: dt.datetime | None = None, limit: int = 5000) -> int:
    """The periodic job: every request late in its step and not yet escalated in it (or not for
    a week) goes up one level. Each officer of the next level, and the head of division, gets
    one message with the counts per step and a link to the late ones; the requests are marked
    in one UPDATE. Returns how many were escalated."""
    from django.db import transaction
    from django.db.models import F
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from core.choices import AuditAction
    from core.services import audit_log, notify_user, officers_over
    from silakso.links import public_url

    from .models import Application

    now = now or timezone.now()
    due = list(
        Application.objects.filter(late_q(now))
        .filter(
            Q(last_escalated_at__isnull=True)
            | Q(last_escalated_at__lt=F("status_changed_at"))
            | Q(last_escalated_at__lt=now - dt.timedelta(days=AGAIN_AFTER_DAYS))
        )
        .order_by("status_changed_at")
        .values_list("pk", "village_id", "status")[:limit]
    )
    if not due:
        return 0
    told: dict[int, dict] = {}
    officers_of: dict[tuple[str, str], list] = {}
    for _pk, village, status in due:
        role = ESCALATE_TO[status]
        parts = village.split(".")
        area = ".".join(parts[:3]) if role == "supervisor" else ".".join(parts[:2])
        if (area, role) not in officers_of:
            officers_of[(area, role)] = officers_over(village_code=village, role=role)
        for officer in officers_of[(area, role)]:
            entry = told.setdefault(officer.pk, {"user": officer, "steps": {}})
            entry["steps"][status] = entry["steps"].get(status, 0) + 1
    link = public_url("applications:application_list") + "?overdue=true"
    # the marks and the messages together: a worker dying half-way leaves neither, and the
    # next run escalates the same requests again
    with transaction.atomic(), override(settings.LANGUAGE_CODE):
        Application.objects.filter(pk__in=[pk for pk, _v, _s in due]).update(
            escalation_level=F("escalation_level") + 1, last_escalated_at=now
        )
        audit_log(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="applications.application",
            object_repr=_("{count} late requests escalated").format(count=len(due)),
            changes={"escalated": len(due), "officers": len(told)},
            reason=_("Late: escalated"),
        )
        for entry in told.values():
            steps = "; ".join(
                "{}: {}".format(A(status).label, count) for status, count in entry["steps"].items()
            )
            total = sum(entry["steps"].values())
            notify_user(
                user=entry["user"],
                subject=_("{count} aid requests late in their step").format(count=total),
                body=_(
                    "These aid requests of your area have been in their step longer than the "
                    "service standard allows: {steps}. Open them: {link}"
                ).format(steps=steps, link=link),
            )
    return len(due)
