"""Heavy reads on a PostgreSQL streaming replica, with read-your-own-writes.

With ``DATABASE_REPLICA_URL`` set, the pages that read much and write little — the registry
search, the dashboards, the map, Cek Bansos — read from the replica (the database alias
``replica``); every write, every form sent and every background job stays on the primary.
Without it nothing changes: the router sends everything to ``default``.

Three rules keep a reader from seeing the past:

* **read-your-own-writes**: a person who has just changed something (any successful POST,
  PUT, PATCH or DELETE) reads from the primary for ``SILAKSO_REPLICA_PIN_SECONDS`` — by a
  cookie on their browser and a mark on their account (the API, another device);
* **lag**: when the replica is behind by more than ``SILAKSO_REPLICA_MAX_LAG_SECONDS`` (or
  unreachable), everyone reads from the primary until it has caught up; the lag is asked of
  the replica at most every two seconds per process;
* only ``GET``/``HEAD`` requests of the views marked ``@replica_view`` use it, so a form's
  checks and locks always see the primary.
"""

from __future__ import annotations

import contextvars
import logging
import time
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "silakso_primary"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LAG_CHECK_SECONDS = 2.0

logger = logging.getLogger(__name__)
_reading = contextvars.ContextVar("silakso_replica_reads", default=False)
_lag: dict = {"value": None, "checked": 0.0}


def configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag() -> float | None:
    """Seconds the replica is behind the primary (0 when it has replayed all it received),
    None when it cannot be asked. Cached for two seconds per process."""
    now = time.monotonic()
    if now - _lag["checked"] < LAG_CHECK_SECONDS:
        return _lag["value"]
    value = None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), "
                "1e9) END"
            )
            value = float(cursor.fetchone()[0])
    except Exception:  # the replica is down or restarting: read from the primary
        logger.warning("the read replica cannot be reached", exc_info=True)
        connections[REPLICA].close()
    _lag.update(value=value, checked=now)
    return value


def forget_lag() -> None:
    """Ask the replica again at the next read (tests, after pausing or resuming replay)."""
    _lag.update(value=None, checked=0.0)


def usable() -> bool:
    if not configured():
        return False
    lag = replica_lag()
    return lag is not None and lag <= settings.SILAKSO_REPLICA_MAX_LAG_SECONDS


@contextmanager
def replica_reads():
    """Inside: reads go to the replica when it is current enough; writes stay on the primary."""
    token = _reading.set(usable())
    try:
        yield
    finally:
        _reading.reset(token)


def _pin_key(user_id) -> str:
    return "replica-pin:{}".format(user_id)


def pinned(request) -> bool:
    """Did this browser or account change something a moment ago?"""
    if request.COOKIES.get(PIN_COOKIE):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(cache.get(_pin_key(user.pk)))
    return False


def replica_view(view):
    """Mark a read-heavy view: its GET/HEAD requests read from the replica, unless the person
    has just written something or the replica lags."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if configured() and request.method in ("GET", "HEAD") and not pinned(request):
            with replica_reads():
                return view(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    return wrapped


class ReplicaPinMiddleware:
    """After a successful write, this person reads from the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method in UNSAFE_METHODS and response.status_code < 400:
            seconds = settings.SILAKSO_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                cache.set(_pin_key(user.pk), 1, timeout=seconds)
        return response


class ReplicaRouter:
    """Reads inside ``replica_reads()`` to the replica; everything else to ``default``."""

    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def read_alias() -> str:
    """The alias a raw SQL read should use now (``default`` outside ``replica_reads``)."""
    return REPLICA if _reading.get() else "default"
