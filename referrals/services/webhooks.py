"""Signed events to and from providers' own systems (the outbox sends them, core.outbox)."""

import datetime as dt
import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from silakso.exceptions import (
    Conflict,
    Forbidden,
    NotFound,
)
from silakso.validation import required_text

from ..choices import DeliveryStatus
from ..choices import ReferralStatus as R
from ..models import (
    Provider,
    Referral,
    ReferralNote,
    WebhookDelivery,
    WebhookReceipt,
)
from ._common import (
    MAX_DELIVERY_ATTEMPTS,
    SIGNATURE_TOLERANCE_SECONDS,
    sign,
    standard_signature,
)
from .referrals import referral_complete, referral_fail, referral_respond, referral_start

# ============================================================================ webhooks


def _post_signed(delivery: WebhookDelivery, *, timeout: float) -> dict:
    """One signed POST of a delivery (no transaction is open: core.outbox)."""
    from core.webhooks import signed_post

    secret = Provider.objects.filter(pk=delivery.provider_id).values_list(
        "webhook_secret", flat=True
    )[0]
    return signed_post(
        url=delivery.url,
        secret=secret,
        event=delivery.event,
        event_id=delivery.event_id,
        sequence=delivery.sequence,
        payload=delivery.payload,
        timeout=timeout,
    )


def webhook_deliver(
    *, delivery_id: int, timeout: float = 10, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """POST one pending delivery, signed (claim → send outside any lock → record); on failure
    it is due again after the outbox's back-off, and given up after MAX_DELIVERY_ATTEMPTS."""
    return outbox.deliver(
        WebhookDelivery,
        delivery_id,
        lambda delivery: _post_signed(delivery, timeout=timeout),
        pending=DeliveryStatus.PENDING,
        sent=DeliveryStatus.DELIVERED,
        failed=DeliveryStatus.FAILED,
        sent_at_field="delivered_at",
        max_attempts=MAX_DELIVERY_ATTEMPTS,
        now=now,
    )


def webhooks_deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """The periodic sweep: deliveries whose next attempt is due (for example after an outage).

    After one failure to an address the sweep leaves that address's other deliveries for the
    next run, so one provider whose endpoint hangs does not hold the worker for all of them."""
    return outbox.sweep(
        WebhookDelivery,
        webhook_deliver,
        pending=DeliveryStatus.PENDING,
        sent=DeliveryStatus.DELIVERED,
        owner_field="url",
        limit=limit,
        now=now,
    )


INBOUND_ACTIONS = ("accepted", "declined", "started", "completed", "failed", "note")


@transaction.atomic
def webhook_receive(*, provider: Provider, headers: Mapping[str, str], body: bytes) -> Referral:
    """An event from a provider's own system, signed with its secret: verified (signature,
    freshness), applied once (a replayed event id is refused), then applied like the portal."""
    if headers.get("webhook-signature"):
        # signed by the Standard Webhooks scheme (a partner's library signs it for them)
        timestamp = headers.get("webhook-timestamp", "")
        event_id = headers.get("webhook-id", "").strip()
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = 0
        expected = standard_signature(provider.webhook_secret, event_id, stamp, body)
        offered = headers.get("webhook-signature", "").split()
        matches = any(hmac.compare_digest(expected, one) for one in offered)
    else:
        timestamp = headers.get("X-Silakso-Timestamp", "")
        signature = headers.get("X-Silakso-Signature", "").removeprefix("sha256=")
        event_id = headers.get("X-Silakso-Event-Id", "").strip()
        matches = hmac.compare_digest(sign(provider.webhook_secret, timestamp, body), signature)
    if not provider.is_active or not matches:
        raise Forbidden(_("The signature does not match."))
    try:
        age = abs(timezone.now().timestamp() - int(timestamp))
    except ValueError:
        age = SIGNATURE_TOLERANCE_SECONDS + 1
    if age > SIGNATURE_TOLERANCE_SECONDS:
        raise Forbidden(_("The event is too old or from the future; send it again."))
    if not event_id:
        raise ValidationError({"event_id": _("Each event needs its own X-Silakso-Event-Id.")})
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(provider=provider, event_id=event_id[:64])
    except IntegrityError as exc:
        raise Conflict(_("This event was already received."), code="replayed") from exc
    try:
        data: dict[str, Any] = json.loads(body)
    except ValueError as exc:
        raise ValidationError({"body": _("The body is not JSON.")}) from exc
    action = data.get("action")
    if action not in INBOUND_ACTIONS:
        raise ValidationError(
            {"action": _("Use one of: {actions}.").format(actions=", ".join(INBOUND_ACTIONS))}
        )
    try:
        referral_id = int(str(data.get("referral")))
    except (TypeError, ValueError) as exc:
        raise ValidationError({"referral": _("Give the referral's id as a number.")}) from exc
    referral = (
        Referral.objects.filter(pk=referral_id, provider=provider).exclude(status=R.DRAFT).first()
    )
    if referral is None:
        raise NotFound(_("No such referral for this provider."))
    if action in ("accepted", "declined"):
        return referral_respond(
            referral=referral,
            actor=None,
            accept=action == "accepted",
            reason=data.get("reason", ""),
        )
    if action == "started":
        return referral_start(referral=referral, actor=None)
    if action == "completed":
        try:
            outcome_date = dt.date.fromisoformat(data["outcome_date"])
        except KeyError:
            outcome_date = None
        except (TypeError, ValueError) as exc:
            raise ValidationError({"outcome_date": _("Write the date as YYYY-MM-DD.")}) from exc
        return referral_complete(
            referral=referral,
            actor=None,
            outcome=data.get("outcome", ""),
            outcome_date=outcome_date,
            value=data.get("value"),
        )
    if action == "failed":
        return referral_fail(referral=referral, actor=None, reason=data.get("reason", ""))
    ReferralNote.objects.create(
        referral=referral,
        author=None,
        text=required_text(
            data.get("text", ""), "text", message=_("Write the note."), minimum=3, maximum=4000
        ),
    )
    return referral
