"""The cache backend: Django's Redis cache that fails soft.

The cache only ever holds what can be recomputed (API throttle counters, the worker's
heartbeat); nothing a user submitted lives there. So while Redis is unreachable or hung a read
is a miss and a write is dropped — the page or the API call goes on, never a 500 — with short
socket timeouts and the circuit breaker of ``silakso.redis_health`` so that each request does
not wait for its own timeout.
"""

import logging

from django.core.cache.backends.redis import RedisCache

from . import redis_health

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple:
    import redis

    return (redis.exceptions.RedisError, OSError)


class FailSoftRedisCache(RedisCache):
    """A RedisCache whose reads miss and writes drop while Redis is away."""

    def _soft(self, default, method, *args, **kwargs):
        if redis_health.is_down("cache"):
            return default
        try:
            return method(*args, **kwargs)
        except _redis_errors():
            redis_health.mark_down("cache")
            logger.warning("cache unavailable; going on without it", exc_info=True)
            return default

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def set(self, key, value, timeout=None, version=None, **kwargs):
        return self._soft(None, super().set, key, value, timeout, version, **kwargs)

    def add(self, key, value, timeout=None, version=None, **kwargs):
        return self._soft(False, super().add, key, value, timeout, version, **kwargs)

    def set_many(self, data, timeout=None, version=None, **kwargs):
        return self._soft([], super().set_many, data, timeout, version, **kwargs)

    def touch(self, key, timeout=None, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._soft(None, super().delete_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        if redis_health.is_down("cache"):
            raise ValueError("cache unavailable")
        try:
            return super().incr(key, delta, version)
        except _redis_errors() as exc:
            redis_health.mark_down("cache")
            raise ValueError("cache unavailable") from exc

    def clear(self):
        return self._soft(False, super().clear)
