"""A small fixed-window rate limiter on Redis (the local cache in the Redis-less demo).

Used for sign-in attempts and public lookups. With Redis every check of a request is one
pipelined round trip (INCR + EXPIRE per key). If Redis is unreachable (or failed a moment ago:
``silakso.redis_health``) the check falls back to ``fallback`` when one is given — sign-in and
second-factor lockouts count the failures of the audit trail in PostgreSQL, so an attacker gains
nothing by knocking Redis over — and otherwise lets the request through with a warning: residents
must not be locked out of a public lookup because Redis restarted.
"""

import hashlib
import logging
import unicodedata
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache

from . import redis_health

logger = logging.getLogger(__name__)
_client = None


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return "silakso:rl:{}:{}".format(scope, digest)


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
    return _client


def normalize_identity(text: str) -> str:
    """The form of a username or code that is counted: Unicode-normalised (NFKC, as Django
    compares usernames), without surrounding spaces or tabs, lower case. " kabid", "KABID\t"
    and "ｋａｂｉｄ" are one account with one counter."""
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def allow_all(
    checks: Iterable[tuple[str, str, int, int]], *, fallback: Callable[[], bool] | None = None
) -> bool:
    """Count one hit for each (scope, identity, limit, window); False if any is over its limit.

    Without Redis: ``fallback()`` decides when given (fail closed), else the request passes.
    """
    checks = list(checks)
    if settings.REDIS_URL and redis_health.is_down("ratelimit"):
        return fallback() if fallback is not None else True
    try:
        if settings.REDIS_URL:
            pipe = _redis().pipeline(transaction=False)
            for scope, identity, _limit, window in checks:
                key = _key(scope, identity)
                pipe.incr(key)
                pipe.expire(key, window, nx=True)
            counts = pipe.execute()[0::2]
        else:
            counts = []
            for scope, identity, _limit, window in checks:
                key = _key(scope, identity)
                cache.add(key, 0, timeout=window)
                counts.append(cache.incr(key))
    except Exception:
        redis_health.mark_down("ratelimit")
        if fallback is not None:
            logger.warning("rate limiter unavailable; counting from the database instead")
            return fallback()
        logger.warning("rate limiter unavailable; letting the request through", exc_info=True)
        return True
    return all(count <= limit for count, (_s, _i, limit, _w) in zip(counts, checks, strict=True))


def allow(
    scope: str,
    identity: str,
    *,
    limit: int,
    window: int,
    fallback: Callable[[], bool] | None = None,
) -> bool:
    """Count one hit for ``identity`` in ``scope``; False once ``limit`` hits in ``window`` s."""
    return allow_all([(scope, identity, limit, window)], fallback=fallback)


def reset(scope: str, identity: str) -> None:
    if settings.REDIS_URL and redis_health.is_down("ratelimit"):
        return
    try:
        if settings.REDIS_URL:
            _redis().delete(_key(scope, identity))
        else:
            cache.delete(_key(scope, identity))
    except Exception:
        redis_health.mark_down("ratelimit")
        logger.warning("rate limiter unavailable; could not reset %s", scope)
