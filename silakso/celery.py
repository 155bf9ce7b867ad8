"""The Celery application. Worker: `celery -A silakso worker`; beat: `celery -A silakso beat`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "silakso.settings.local")

app = Celery("silakso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Queue a task after the current transaction commits, without ever failing the caller.

    The database row that the task works on is already committed when this runs. If Redis is
    down the publish fails fast (see CELERY_TASK_PUBLISH_RETRY_POLICY); the periodic sweeps that
    work from the database pick the row up later, so nothing a user submitted is lost.
    """
    import logging
    from functools import partial

    from django.db import transaction

    from silakso import redis_health

    def publish() -> None:
        if redis_health.is_down("broker"):  # failed a moment ago: the sweep will send it
            return
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:  # broker down: the database sweep retries later
            redis_health.mark_down("broker")
            logging.getLogger(__name__).warning(
                "could not queue %s; it will be retried from the database", task.name, exc_info=True
            )

    transaction.on_commit(partial(publish))
