"""A small fixed-window rate limiter on Redis (the local cache in the Redis-less demo).

Used for sign-in attempts and public lookups. With Redis every check of a request is one
pipelined round trip (INCR + EXPIRE per key). If Redis is unreachable the request is let through
and a warning logged: residents must not be locked out because Redis restarted.
"""

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

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
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
    return _client


def allow_all(checks: Iterable[tuple[str, str, int, int]]) -> bool:
    """Count one hit for each (scope, identity, limit, window); False if any is over its limit."""
    checks = list(checks)
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
        logger.warning("rate limiter unavailable; letting the request through", exc_info=True)
        return True
    return all(count <= limit for count, (_s, _i, limit, _w) in zip(counts, checks, strict=True))


def allow(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``identity`` in ``scope``; False once ``limit`` hits in ``window`` s."""
    return allow_all([(scope, identity, limit, window)])


def reset(scope: str, identity: str) -> None:
    try:
        if settings.REDIS_URL:
            _redis().delete(_key(scope, identity))
        else:
            cache.delete(_key(scope, identity))
    except Exception:
        logger.warning("rate limiter unavailable; could not reset %s", scope)
