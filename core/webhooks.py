"""Events partner systems subscribe to, signed by the Standard Webhooks scheme.

An API client's administrator subscribes it to event types at a URL; each change that makes an
event (a referral sent or cancelled, an application's step, a complaint forwarded to an OPD, an
enrollment) stores one ``EventDelivery`` per matching subscription in the transaction of the
change, and the outbox sends it (``core.outbox``: claim → send outside any lock → record).

Events are *thin*: the object's type, id, code, status and region, never a name or a NIK. A
partner that needs more reads the object through the API with its own key's scopes, so an
event never tells a client more than its key may read. A subscription receives only events of
its client's area (a provider's client: the referrals sent to its provider), and only while the
client holds a live key with the event type's scope.

See docs/api.md, "Webhooks".
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import outbox
from .choices import AuditAction, Role
from .models import ApiKey, EventDelivery, User, WebhookSubscription
from .outbox import SendFailed

#: Each event type: what it tells, and the scopes (any one) a key needs to receive it.
EVENT_TYPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "referral.sent": (gettext_lazy("A referral was sent"), ("referrals:read", "provider")),
    "referral.cancelled": (
        gettext_lazy("A referral was cancelled"),
        ("referrals:read", "provider"),
    ),
    "referral.status_changed": (
        gettext_lazy("A referral moved to another step"),
        ("referrals:read", "provider"),
    ),
    "application.status_changed": (
        gettext_lazy("An aid request moved to another step"),
        ("applications:read",),
    ),
    "complaint.forwarded": (
        gettext_lazy("A complaint was forwarded to an OPD"),
        ("complaints:read",),
    ),
    "enrollment.changed": (
        gettext_lazy("A program enrollment started or ended"),
        ("registry:read",),
    ),
}

MAX_ATTEMPTS = 10


# ---------------------------------------------------------------------------- signing
def standard_secret(secret: str) -> str:
    """A secret in the Standard Webhooks form (``whsec_`` + base64), as partners' libraries
    (standardwebhooks for Python, JavaScript, Go, PHP …) take it."""
    return "whsec_" + base64.b64encode(secret.encode()).decode()


def standard_signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature`` of the Standard Webhooks scheme (v1, HMAC-SHA256, base64)."""
    from standardwebhooks.webhooks import Webhook

    return Webhook(standard_secret(secret)).sign(
        msg_id=event_id,
        timestamp=dt.datetime.fromtimestamp(timestamp, tz=dt.UTC),
        data=body.decode("utf-8", errors="replace"),
    )


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>" with the secret, as hex (SILAKSO's older header)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A partner answers at its approved URL: a redirect (which could point inside the
    network) is a failed delivery, never followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, "redirect refused", headers, fp)


_NO_REDIRECTS = urllib.request.build_opener(_RefuseRedirects)


def signed_post(
    *,
    url: str,
    secret: str,
    event: str,
    event_id: str,
    sequence: int,
    payload: Mapping[str, Any],
    timeout: float,
) -> dict:
    """One signed POST (no transaction is open: core.outbox). Raises SendFailed with the
    partner's HTTP answer; returns the fields to record on success."""
    from silakso.validation import partner_url_problem

    body = json.dumps(payload, sort_keys=True).encode()
    timestamp = str(int(timezone.now().timestamp()))
    request = urllib.request.Request(  # noqa: S310 - the admin's approved http(s) URL
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SILAKSO-webhook/1",
            "X-Silakso-Event": event,
            "X-Silakso-Event-Id": event_id,
            "X-Silakso-Sequence": str(sequence),
            "X-Silakso-Timestamp": timestamp,
            "X-Silakso-Signature": "sha256=" + sign(secret, timestamp, body),
            "webhook-id": event_id,
            "webhook-timestamp": timestamp,
            "webhook-signature": standard_signature(secret, event_id, int(timestamp), body),
        },
    )
    if problem := partner_url_problem(url):  # again at sending: a name can be moved
        raise SendFailed(str(problem), fields={"last_status_code": None})
    try:
        with _NO_REDIRECTS.open(request, timeout=timeout) as response:
            code = response.status
    except urllib.error.HTTPError as exc:
        raise SendFailed("HTTP {}".format(exc.code), fields={"last_status_code": exc.code}) from exc
    except Exception as exc:
        raise SendFailed(
            str(exc)[:1000] or exc.__class__.__name__, fields={"last_status_code": None}
        ) from exc
    if not 200 <= code < 300:
        raise SendFailed("HTTP {}".format(code), fields={"last_status_code": code})
    return {"last_status_code": code}


# ---------------------------------------------------------------------------- subscriptions
def _live_scopes(client: User) -> set[str]:
    scopes: set[str] = set()
    for key_scopes in ApiKey.objects.live().filter(client=client).values_list("scopes", flat=True):
        scopes.update(key_scopes or [])
    return scopes


def _clean_events(client: User, events: Iterable[str]) -> list[str]:
    events = sorted(set(events))
    if not events:
        raise ValidationError({"events": _("Choose at least one event type.")})
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise ValidationError(
            {"events": _("Unknown event types: {names}.").format(names=", ".join(unknown))}
        )
    held = _live_scopes(client)
    missing = [e for e in events if not held.intersection(EVENT_TYPES[e][1])]
    if missing:
        raise ValidationError(
            {
                "events": [
                    _(
                        "{event} needs a live key with the scope {scopes}: issue the client such "
                        "a key first."
                    ).format(event=event, scopes=" / ".join(EVENT_TYPES[event][1]))
                    for event in missing
                ]
            }
        )
    return events


@transaction.atomic
def subscription_create(
    *, actor: User, client: User, url: str, events: Iterable[str]
) -> tuple[WebhookSubscription, str]:
    """Subscribe ``client`` to ``events`` at ``url``. Returns the subscription and its signing
    secret in the Standard Webhooks form, shown once."""
    from silakso.validation import partner_url_problem

    from .selectors import api_client_list
    from .services import audit_log

    if not api_client_list(user=actor).filter(pk=client.pk).exists():
        raise ValidationError({"client": _("This partner system is not in your area.")})
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Write the address of the partner's system.")})
    if problem := partner_url_problem(url):
        raise ValidationError({"url": problem})
    events = _clean_events(client, events)
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        client=client, url=url, events=events, secret=secret, created_by=actor
    )
    audit_log(
        actor=actor,
        action=AuditAction.CREATE,
        obj=subscription,
        region_code=client.region_id,
        changes={"url": [None, url], "events": [None, events]},
    )
    return subscription, standard_secret(secret)


@transaction.atomic
def subscription_stop(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """Stop sending to a subscription (its pending deliveries are dropped as failed)."""
    from .services import audit_log

    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    if not subscription.is_active:
        return subscription
    subscription.is_active = False
    subscription.ended_at = timezone.now()
    subscription.save(update_fields=["is_active", "ended_at"])
    subscription.deliveries.filter(status="pending").update(
        status="failed", last_error=_("The subscription was stopped."), next_attempt_at=None
    )
    audit_log(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=subscription,
        region_code=subscription.client.region_id,
        changes={"is_active": [True, False]},
    )
    return subscription


# ---------------------------------------------------------------------------- publishing
def _reaches(subscription: WebhookSubscription, region_code: str | None, provider_id) -> bool:
    from .scope import region_in_scope

    client = subscription.client
    if not client.is_active or client.role != Role.API_CLIENT:
        return False
    if provider_id is not None:
        membership = getattr(client, "provider_membership", None)
        if membership is not None:
            return membership.provider_id == provider_id
    if client.region_id is None:
        return False  # a provider's client hears of its own referrals only
    return region_in_scope(client, region_code)


def publish(
    event: str,
    obj: Model,
    *,
    region_code: str | None,
    data: Mapping[str, Any],
    provider_id=None,
) -> int:
    """Store ``event`` about ``obj`` for every live subscription that may receive it (in the
    caller's transaction) and send each after commit. Returns how many were stored."""
    from silakso.celery import enqueue_on_commit

    from .tasks import deliver_event_task

    # few subscriptions per installation: the event types are matched here, on every database
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True)
        .select_related("client", "client__provider_membership")
        .order_by("pk")
        if event in subscription.events
    ]
    if not subscriptions:
        return 0
    scopes_needed = set(EVENT_TYPES[event][1])
    object_type, object_id = obj._meta.label_lower, str(obj.pk)
    stored = 0
    for subscription in subscriptions:
        if not _reaches(subscription, region_code, provider_id):
            continue
        if not _live_scopes(subscription.client).intersection(scopes_needed):
            continue
        sequence = (
            EventDelivery.objects.filter(
                subscription=subscription, object_type=object_type, object_id=object_id
            ).count()
            + 1
        )
        event_id = "evt_" + secrets.token_urlsafe(18)
        delivery = EventDelivery.objects.create(
            subscription=subscription,
            event=event,
            event_id=event_id,
            object_type=object_type,
            object_id=object_id,
            sequence=sequence,
            payload={
                "type": event,
                "timestamp": timezone.now().isoformat(),
                "data": {**data, "sequence": sequence, "region": region_code},
            },
            next_attempt_at=timezone.now(),
        )
        enqueue_on_commit(deliver_event_task, delivery.pk)
        stored += 1
    return stored


#: Which status change of which model is which event (None: not announced).
TRANSITION_EVENTS = {
    "referrals.referral": lambda target: {
        "sent": "referral.sent",
        "cancelled": "referral.cancelled",
    }.get(target, "referral.status_changed"),
    "applications.application": lambda target: "application.status_changed",
    "complaints.complaint": lambda target: "complaint.forwarded" if target == "forwarded" else None,
}


def publish_transition(obj: Model, source: str, target: str, region_code: str | None) -> None:
    """The event of a status change (``core.services.status_transition`` calls this)."""
    chooser = TRANSITION_EVENTS.get(obj._meta.label_lower)
    event = chooser(target) if chooser else None
    if event is None or source == target:
        return
    data = {
        "object": obj._meta.model_name,
        "id": obj.pk,
        "code": getattr(obj, "code", None),
        "status": target,
        "previous_status": source or None,
    }
    provider_id = getattr(obj, "provider_id", None)
    publish(event, obj, region_code=region_code, data=data, provider_id=provider_id)


# ---------------------------------------------------------------------------- sending
def _send(delivery: EventDelivery, *, timeout: float) -> dict:
    subscription = WebhookSubscription.objects.get(pk=delivery.subscription_id)
    if not subscription.is_active:
        raise SendFailed(_("The subscription was stopped."))
    return signed_post(
        url=subscription.url,
        secret=subscription.secret,
        event=delivery.event,
        event_id=delivery.event_id,
        sequence=delivery.sequence,
        payload=delivery.payload,
        timeout=timeout,
    )


def event_deliver(*, delivery_id: int, timeout: float = 10, now=None) -> EventDelivery | None:
    """Send one pending delivery (claim → send outside any lock → record)."""
    return outbox.deliver(
        EventDelivery,
        delivery_id,
        lambda delivery: _send(delivery, timeout=timeout),
        pending="pending",
        sent="delivered",
        failed="failed",
        sent_at_field="delivered_at",
        max_attempts=MAX_ATTEMPTS,
        now=now,
    )


def events_deliver_due(*, now=None, limit: int = 200) -> int:
    """The periodic sweep: deliveries due again (a partner was down); after one failure to a
    subscription its other deliveries wait for the next run (``core.outbox.sweep``)."""
    return outbox.sweep(
        EventDelivery,
        event_deliver,
        pending="pending",
        sent="delivered",
        owner_field="subscription_id",
        limit=limit,
        now=now,
    )
