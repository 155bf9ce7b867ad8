"""One outbox discipline for everything SILAKSO sends out: messages to residents and officers
(``core.Notification``) and signed events to partners' systems (``referrals.WebhookDelivery``).

Every item is a row stored in the same transaction as the change that caused it. Sending is
**claim → commit → send → record**:

1. *claim*: one ``UPDATE … WHERE pending AND due`` moves the item's next attempt a lease ahead
   and counts the attempt. Only one worker wins; no row lock is held afterwards.
2. *send*: the network call happens outside any transaction, so a slow partner or gateway
   never holds a lock that a user's request waits for.
3. *record*: sent (with the time) or, on failure, due again after the back-off — or failed for
   good after the last attempt.

A worker that dies between claim and record leaves the item pending: once the lease runs out
the periodic sweep claims it again. Partners may therefore receive an event twice; each event
carries a stable id (and, for webhooks, a per-object sequence) so they can drop duplicates.
"""

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import F, Model, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

#: How long a claimed item is left alone before the sweep may try it again.
LEASE = dt.timedelta(minutes=5)
#: The longest wait between two attempts.
BACKOFF_CAP = dt.timedelta(hours=6)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, at most 6 h."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


class SendFailed(Exception):
    """The far side refused or could not be reached; ``fields`` are recorded with the failure
    (the HTTP status a partner answered)."""

    def __init__(self, message: str, *, fields: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.fields = dict(fields or {})


def claim(model: type[Model], pk, *, pending: str, lease: dt.timedelta = LEASE, now=None) -> bool:
    """Take item ``pk`` for one attempt if it is pending and due (one UPDATE, no lock kept).
    ``now`` is the sweep's clock (tests move it forward)."""
    now = now or timezone.now()
    return (
        model._default_manager.filter(pk=pk, status=pending)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .update(next_attempt_at=now + lease, attempts=F("attempts") + 1)
        == 1
    )


def deliver(
    model: type[Model],
    pk,
    send: Callable[[Any], Mapping[str, Any] | None],
    *,
    pending: str,
    sent: str,
    failed: str,
    sent_at_field: str,
    max_attempts: int,
    now=None,
) -> Any | None:
    """Claim item ``pk``, call ``send(item)`` outside any transaction, and record the outcome.

    ``send`` returns the fields to record on success (or None) and raises :class:`SendFailed`
    (or any exception) on failure. Returns the item as recorded, or None when it was not due
    (already sent, or claimed by another worker).
    """
    if not claim(model, pk, pending=pending, now=now):
        return None
    item: Any = model._default_manager.get(pk=pk)
    now = timezone.now()
    try:
        recorded = dict(send(item) or {})
    except Exception as exc:
        recorded = dict(getattr(exc, "fields", {}))
        recorded["last_error"] = (str(exc) or exc.__class__.__name__)[:2000]
        if item.attempts >= max_attempts:
            recorded["status"] = failed
            logger.warning("%s %s given up: %s", model.__name__, pk, recorded["last_error"])
        else:
            recorded["next_attempt_at"] = now + backoff(item.attempts)
            logger.info("%s %s not sent: %s", model.__name__, pk, recorded["last_error"])
    else:
        recorded.update(status=sent, last_error="")
        recorded[sent_at_field] = now
    if "next_attempt_at" not in recorded and getattr(
        model._meta.get_field("next_attempt_at"), "null", False
    ):
        recorded["next_attempt_at"] = None  # nothing more is due
    if hasattr(item, "updated_at"):
        recorded["updated_at"] = now
    # only the claimer records: the row is still pending and carries our attempt number
    model._default_manager.filter(pk=pk, status=pending, attempts=item.attempts).update(**recorded)
    for name, value in recorded.items():
        setattr(item, name, value)
    return item


def due(model: type[Model], *, pending: str, limit: int, now=None) -> list:
    """Primary keys of the items due for an attempt now (the periodic sweep), oldest first."""
    now = now or timezone.now()
    return list(
        model._default_manager.filter(status=pending)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(
    model: type[Model],
    deliver_one: Callable[..., Any],
    *,
    pending: str,
    sent: str,
    owner_field: str,
    limit: int,
    now=None,
) -> int:
    """The periodic sweep: every item due now, each sent with ``deliver_one(delivery_id=…,
    now=…)``. After one failure to an owner (an address, a subscription) the owner's other items
    wait for the next run, so one partner whose endpoint hangs does not hold the worker for all
    of them. Returns how many were sent."""
    pks = due(model, pending=pending, limit=limit, now=now)
    owners = dict(model._default_manager.filter(pk__in=pks).values_list("pk", owner_field))
    delivered = 0
    failing: set = set()
    for pk in pks:
        owner = owners.get(pk)
        if owner is None or owner in failing:
            continue
        result = deliver_one(delivery_id=pk, now=now)
        if result is None:
            continue
        if result.status == sent:
            delivered += 1
        else:
            failing.add(owner)
    return delivered
