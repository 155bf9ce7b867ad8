"""A small fixed-window rate limiter on the shared cache (Redis in production).

Used for sign-in attempts and public lookups. If the cache is unreachable the request is let
through and a warning logged: residents must not be locked out because Redis restarted.
"""

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _key(scope: str, identity: str) -> str:
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}"


def allow(scope: str, identity: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``identity`` in ``scope``; False once ``limit`` hits in ``window`` s."""
    key = _key(scope, identity)
    try:
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    except Exception:
        logger.warning("rate limiter unavailable; letting %s through", scope, exc_info=True)
        return True
    return count <= limit


def reset(scope: str, identity: str) -> None:
    try:
        cache.delete(_key(scope, identity))
    except Exception:
        logger.warning("rate limiter unavailable; could not reset %s", scope)
