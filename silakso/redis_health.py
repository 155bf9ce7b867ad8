"""A circuit breaker per use of Redis (the cache, the broker, the rate limiter).

When a call to Redis fails or times out, that use is marked down for a few seconds and the
next calls skip Redis at once instead of each waiting for its own timeout: a hung Redis
(stopped, not closed) costs one short timeout per process every few seconds, not seconds per
request. Per process, no shared state: each web worker finds out for itself.
"""

import time

COOL_OFF_SECONDS = 5.0
_down_until: dict[str, float] = {}


def is_down(name: str) -> bool:
    """Whether ``name`` failed within the last few seconds (skip it, use the fallback)."""
    return time.monotonic() < _down_until.get(name, 0.0)


def mark_down(name: str) -> None:
    _down_until[name] = time.monotonic() + COOL_OFF_SECONDS


def reset() -> None:
    """Forget every failure (tests, and a process that was told Redis is back)."""
    _down_until.clear()
