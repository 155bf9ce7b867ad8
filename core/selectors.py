"""Reads of the core app, always scoped to the caller."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import Role
from .models import AuditEvent, Job, User
from .permissions import AUDIT_READER_ROLES, has_role
from .scope import NOTHING, region_q


def audit_event_list(*, user: User, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Audit events of the caller's region (installation-wide admins: all of them).

    Every event carries the region of what it is about or, failing that, of its actor (a sign-in,
    a program change); events with no region at all (a failed sign-in under a name that is no
    account, a region reload) are for installation-wide administrators only — a regency's auditor
    never reads another regency's sign-ins.
    """
    if not has_role(user, *AUDIT_READER_ROLES):
        return AuditEvent.objects.filter(NOTHING)
    scope = region_q(user, "region_code")
    if not user.is_installation_wide:
        scope &= Q(region_code__isnull=False)
    queryset = AuditEvent.objects.filter(scope).select_related("actor")
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
        return True, _("not configured (demo mode: local memory cache, tasks run inline)")
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
        return True, _("eager (tasks run inside the web process)")
    try:
        from silakso.celery import app

        replies = app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        return False, str(exc) or exc.__class__.__name__
    if not replies:
        return False, _("no Celery worker answered")
    heartbeat = cache.get("worker-heartbeat") if settings.REDIS_URL else None
    return True, _("{count} worker(s); last beat {beat}").format(
        count=len(replies), beat=heartbeat or _("not yet seen")
    )


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


# What a job's result holds, in words (keys the user never sees: the files behind the button).
JOB_RESULT_LABELS = {
    "rows": gettext_lazy("Rows in the file"),
    "accepted": gettext_lazy("Accepted"),
    "rejected": gettext_lazy("Rejected"),
    "not_accepted": gettext_lazy("Not accepted"),
    "conflicts": gettext_lazy("Households kept as changed in SILAKSO"),
    "for_review": gettext_lazy("People imported for review (NIK also in another household)"),
    "households_created": gettext_lazy("Households added"),
    "households_updated": gettext_lazy("Households changed"),
    "individuals_created": gettext_lazy("People added"),
    "individuals_updated": gettext_lazy("People changed"),
    "families_created": gettext_lazy("Family cards added"),
    "ignored_columns": gettext_lazy("Columns not used"),
    "seconds": gettext_lazy("Seconds"),
    "households": gettext_lazy("Households"),
    "regencies": gettext_lazy("Regencies"),
    "changed": gettext_lazy("Changed"),
    "weights": gettext_lazy("Weights"),
    "loaded": gettext_lazy("Loaded"),
    "skipped": gettext_lazy("Skipped"),
    "counts": gettext_lazy("Counts"),
    "expires": gettext_lazy("Available until"),
}
JOB_RESULT_HIDDEN = {"report_file", "download_name", "rejected_sample", "annex", "sha256"}


def job_result_lines(job) -> list[tuple[str, str]]:
    """The job's result as (label, value) lines for its page."""
    lines = []
    for key, value in (job.result or {}).items():
        if key in JOB_RESULT_HIDDEN:
            continue
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value) or "–"
        elif isinstance(value, dict):
            value = ", ".join("{}: {}".format(k, v) for k, v in value.items())
        lines.append((str(JOB_RESULT_LABELS.get(key, key.replace("_", " "))), value))
    return lines


def api_client_list(*, user: User) -> QuerySet[User]:
    """Partner-system accounts a system administrator manages, inside their area (systems
    without an area, a provider's, only for an installation-wide administrator)."""
    if not has_role(user, Role.SYSTEM_ADMIN):
        return User.objects.filter(NOTHING)
    queryset = User.objects.filter(role=Role.API_CLIENT).select_related("region")
    if user.is_installation_wide:
        return queryset
    return queryset.filter(region_q(user, "region__code")).exclude(region__isnull=True)


def api_key_list(*, user: User):
    from .models import ApiKey

    return ApiKey.objects.filter(client__in=api_client_list(user=user)).select_related("client")


def staff_account_list(*, user: User, query: str = "", role: str = "") -> QuerySet[User]:
    """Staff accounts a system administrator manages (their area), by name or username and
    role; partner systems and residents are not among them."""
    from .services import ASSIGNABLE_ROLES

    accounts = user_list(user=user).filter(role__in=ASSIGNABLE_ROLES)
    if query:
        accounts = accounts.filter(Q(full_name__icontains=query) | Q(username__icontains=query))
    if role in ASSIGNABLE_ROLES:
        accounts = accounts.filter(role=role)
    return accounts.order_by("full_name", "pk")


def audit_history(*, objects, limit: int = 50) -> list[dict]:
    """What was changed on ``objects``, newest first, with each field's own name: the history
    a configuration page shows under its form. The caller has already decided the user may
    open these objects; reads and exports are not changes and are left out."""
    from collections import defaultdict

    from .choices import AuditAction

    ids: dict[str, list[str]] = defaultdict(list)
    models_by_type = {}
    for obj in objects:
        label = obj._meta.label_lower
        ids[label].append(str(obj.pk))
        models_by_type[label] = type(obj)
    if not ids:
        return []
    q = Q(pk__in=[])
    for label, pks in ids.items():
        q |= Q(object_type=label, object_id__in=pks)
    events = (
        AuditEvent.objects.filter(q)
        .exclude(action__in=[AuditAction.VIEW, AuditAction.VIEW_SENSITIVE, AuditAction.EXPORT])
        .order_by("-created_at", "-id")[:limit]
    )
    from .descriptions import change_rows

    rows = []
    for event in events:
        changes = change_rows(event.changes, models_by_type.get(event.object_type))
        rows.append({"event": event, "changes": changes})
    return rows


def webhook_subscription_list(*, user: User):
    """Subscriptions of the partner systems a system administrator manages (their area)."""
    from .models import WebhookSubscription

    return WebhookSubscription.objects.filter(client__in=api_client_list(user=user))


def webhook_log(*, user: User, client: User, limit: int = 50) -> tuple:
    """One partner system's subscriptions and its last deliveries, newest first."""
    from .models import EventDelivery

    subscriptions = webhook_subscription_list(user=user).filter(client=client)
    deliveries = (
        EventDelivery.objects.filter(subscription__in=subscriptions)
        .select_related("subscription")
        .order_by("-created_at", "-id")[:limit]
    )
    return subscriptions, deliveries
