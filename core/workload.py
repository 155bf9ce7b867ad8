"""Who carries the work: open items, steps done this month and the median time a step took,
per officer of an area — for supervisors and the head of division, not for peers.

Each app's ``navigation`` module may define ``workload(user_ids, since)`` returning a list of
``{"label": kind, "open": {user_id: n}, "done": {user_id: n}, "hours": {user_id: median}}``;
``steps_done`` below is the set-based query the flows share (one GROUP BY over their history).
"""

import datetime as dt

from django.db import connection
from django.db.models import Q

from .choices import Role
from .models import User
from .permissions import REGIONAL_STAFF_ROLES, has_role
from .scope import region_q

#: Who may see the workload of the officers of their area.
WORKLOAD_READERS = (Role.SUPERVISOR, Role.HEAD_OF_DIVISION, Role.SYSTEM_ADMIN)
_OFFICERS = REGIONAL_STAFF_ROLES - {Role.REGENT_OFFICE, Role.SYSTEM_ADMIN}


def can_read_workload(user) -> bool:
    return has_role(user, *WORKLOAD_READERS)


def officers(*, user):
    """The active officers inside the reader's area (the reader's peers excluded: a
    supervisor sees the village staff of the district, not other supervisors)."""
    if not can_read_workload(user):
        return User.objects.none()
    roles = set(_OFFICERS) - {user.role}  # never the reader's peers
    queryset = User.objects.filter(is_active=True, role__in=roles).exclude(pk=user.pk)
    if not user.is_installation_wide:
        queryset = queryset.filter(region_q(user, "region__code") & ~Q(region=None))
    return queryset.select_related("region").order_by("role", "full_name")


_STEPS_SQL = """
        SELECT actor_id, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM took) / 3600.0)
        FROM (
            SELECT actor_id, created_at,
                   created_at - lag(created_at) OVER (PARTITION BY {parent} ORDER BY created_at, id)
                       AS took
            FROM {table}
            WHERE {parent} IN (SELECT {parent} FROM {table} WHERE actor_id = ANY(%s)
                               AND created_at >= %s)
        ) steps
        WHERE actor_id = ANY(%s) AND created_at >= %s
        GROUP BY actor_id
    """


def flow_workload(label, open_items, history, user_ids: list[int], since) -> dict:
    """One kind of work of a flow: its open items (a queryset with ``assigned_to``) and the
    steps recorded in its history model (``StatusChange`` subclass) since ``since``."""
    from django.db.models import Count

    parent = next(
        f.column for f in history._meta.concrete_fields if f.is_relation and f.name != "actor"
    )
    open_ = dict(
        open_items.filter(assigned_to__in=user_ids)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
    )
    done, hours = steps_done(history._meta.db_table, parent, user_ids, since)
    return {"label": label, "open": open_, "done": done, "hours": hours}


def steps_done(table: str, parent: str, user_ids: list[int], since: dt.datetime) -> tuple:
    """({actor: steps}, {actor: median hours}) of a flow's history ``table`` (its parent key
    ``parent``): each step an officer recorded since ``since``, timed from the step before it
    on the same object. One query."""
    if not user_ids:
        return {}, {}
    if connection.vendor != "postgresql":
        return _steps_done_portable(table, parent, user_ids, since)
    # the table and column are the calling app's own names (quoted); the values are parameters
    names = {"table": connection.ops.quote_name(table), "parent": connection.ops.quote_name(parent)}
    sql = _STEPS_SQL.format(**names)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_ids, since, user_ids, since])
        rows = cursor.fetchall()
    done = {actor: count for actor, count, _hours in rows}
    hours = {actor: round(float(h), 1) for actor, _count, h in rows if h is not None}
    return done, hours


def _steps_done_portable(table: str, parent: str, user_ids: list[int], since) -> tuple:
    """The same figures without PostgreSQL's window and percentile functions (the SQLite demo:
    its history is a few hundred rows)."""
    import statistics

    from django.apps import apps

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    field = parent.removesuffix("_id")
    touched = model.objects.filter(actor_id__in=user_ids, created_at__gte=since).values(field)
    previous: dict = {}
    done: dict = {}
    waited: dict = {}
    for row in (
        model.objects.filter(**{field + "__in": touched})
        .order_by(field, "created_at", "id")
        .values(field, "actor_id", "created_at")
    ):
        before = previous.get(row[field])
        previous[row[field]] = row["created_at"]
        if row["actor_id"] in user_ids and row["created_at"] >= since:
            done[row["actor_id"]] = done.get(row["actor_id"], 0) + 1
            if before is not None:
                hours = (row["created_at"] - before).total_seconds() / 3600
                waited.setdefault(row["actor_id"], []).append(hours)
    return done, {a: round(statistics.median(v), 1) for a, v in waited.items()}
