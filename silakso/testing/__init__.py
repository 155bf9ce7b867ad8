"""Shared helpers for the test suite."""

from contextlib import contextmanager


@contextmanager
def broker_unreachable():
    """Point the Celery producer at a closed port for the duration (Redis "down" for publishing).

    The producer pools are dropped on the way in and out, so publishing really uses the dead
    address and, afterwards, the real broker again; a running test worker is not touched.
    """
    from silakso.celery import app

    real = app.conf.broker_url

    def reset(url):
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    reset("redis://127.0.0.1:1/0")
    try:
        yield
    finally:
        reset(real)
