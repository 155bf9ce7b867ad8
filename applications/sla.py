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
