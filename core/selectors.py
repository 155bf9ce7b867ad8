"""Reads of the core app, always scoped to the caller."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from .choices import Role
from .models import AuditEvent, Job, User
from .permissions import AUDIT_READER_ROLES, has_role
from .scope import NOTHING, region_q


def audit_event_list(*, user: User, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the caller's region (installation-wide admins: all of them).

    Events without a region (logins, region reloads) are visible to regency-wide readers only,
    through the same rule as every other record.
    """
    if not has_role(user, *AUDIT_READER_ROLES):
        return AuditEvent.objects.filter(NOTHING)
    queryset = AuditEvent.objects.filter(region_q(user, "region_code")).select_related("actor")
    if filters:
        from .filtersets import AuditEventFilterSet

        queryset = AuditEventFilterSet(filters, queryset=queryset).qs
    return queryset


def job_list(*, user: User) -> QuerySet[Job]:
    """A user's own jobs; installation-wide admins see every job."""
    if not user.is_authenticated:
        return Job.objects.none()
    queryset = Job.objects.select_related("started_by")
    if user.is_installation_wide:
        return queryset
    return queryset.filter(started_by=user)


def job_get(*, user: User, job_id) -> Job:
    return job_list(user=user).get(pk=job_id)


def operator_list(*, user: User) -> QuerySet[User]:
    """Operator accounts a village head (or an admin) manages."""
    queryset = User.objects.filter(role=Role.VILLAGE_OPERATOR).select_related("region")
    if user.is_installation_wide:
        return queryset
    if has_role(user, Role.SYSTEM_ADMIN):
        return queryset.filter(region_q(user, "region__code"))
    if has_role(user, Role.VILLAGE_HEAD) and user.region_id:
        return queryset.filter(region_id=user.region_id)
    return queryset.filter(NOTHING)


def user_list(*, user: User) -> QuerySet[User]:
    """Accounts inside the caller's region (admins and the head of division)."""
    if not has_role(user, Role.SYSTEM_ADMIN, Role.HEAD_OF_DIVISION):
        return User.objects.filter(NOTHING)
    return User.objects.filter(region_q(user, "region__code") | Q(pk=user.pk)).select_related(
        "region"
    )


# ---------------------------------------------------------------------------- health
def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return True, connection.vendor


def _check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not configured (demo mode: local memory cache, tasks run inline)"
    try:
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except Exception as exc:
        return False, str(exc) or exc.__class__.__name__
    return True, "ok"


def _check_worker() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "eager (tasks run inside the web process)"
    try:
        from silakso.celery import app

        replies = app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        return False, str(exc) or exc.__class__.__name__
    if not replies:
        return False, "no Celery worker answered"
    heartbeat = cache.get("worker-heartbeat") if settings.REDIS_URL else None
    return True, "{} worker(s); last beat {}".format(len(replies), heartbeat or "not yet seen")


def system_health() -> dict:
    """Database, Redis and worker status for /healthz (ok is False when any is down)."""
    checks = {}
    for name, check in (
        ("database", _check_database),
        ("redis", _check_redis),
        ("worker", _check_worker),
    ):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
    return {
        "ok": all(item["ok"] for item in checks.values()),
        "checks": checks,
        "time": timezone.now().isoformat(),
    }


def recent_failed_logins(*, since: dt.timedelta = dt.timedelta(hours=24)) -> int:
    return AuditEvent.objects.filter(
        action="login_failed", created_at__gte=timezone.now() - since
    ).count()
