"""What the SMS/WhatsApp gateway tells SILAKSO: delivery receipts and residents' own messages.

Both arrive as POSTs signed with ``SILAKSO_GATEWAY_SECRET``, in either of the two schemes
SILAKSO's partner webhooks use (``X-Silakso-Timestamp`` + ``X-Silakso-Signature: sha256=<hex
HMAC of "<timestamp>.<body>">``, or Standard Webhooks' ``webhook-id`` / ``webhook-timestamp`` /
``webhook-signature``). A forged or stale request is refused (403) before anything is read.

An incoming message starts with a keyword: ``STOP`` (or ``BERHENTI``) and ``MULAI`` switch
messages to the number off and on; the apps add their own (``<app>.navigation.message_keywords``:
``ADUAN`` starts a complaint). Anything else is answered with a short help text. Each message
is handled once per gateway id: a gateway that retries gets the first answer again.
"""

import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from silakso.exceptions import Forbidden, NotFound
from silakso.links import public_url

from .choices import NotificationChannel
from .models import InboundMessage, Notification
from .webhooks import sign, standard_signature

TOLERANCE_SECONDS = 300
STOP_WORDS = ("STOP", "BERHENTI", "UNREG")
START_WORDS = ("MULAI", "START")


def verify(headers: Mapping[str, str], body: bytes) -> None:
    """Refuse (403) a request not signed with the gateway secret, or older than 5 minutes."""
    secret = settings.SILAKSO_GATEWAY_SECRET
    if not secret:
        raise Forbidden(_("Messages from the gateway are not switched on (no secret is set)."))
    if headers.get("webhook-signature"):
        timestamp = headers.get("webhook-timestamp", "")
        try:
            stamp = int(timestamp)
        except ValueError:
            stamp = 0
        expected = standard_signature(secret, headers.get("webhook-id", ""), stamp, body)
        matches = any(
            hmac.compare_digest(expected, one) for one in headers["webhook-signature"].split()
        )
    else:
        timestamp = headers.get("X-Silakso-Timestamp", "")
        offered = headers.get("X-Silakso-Signature", "").removeprefix("sha256=")
        matches = hmac.compare_digest(sign(secret, timestamp, body), offered)
    if not matches:
        raise Forbidden(_("The signature does not match."))
    try:
        age = abs(timezone.now().timestamp() - int(timestamp))
    except ValueError:
        age = TOLERANCE_SECONDS + 1
    if age > TOLERANCE_SECONDS:
        raise Forbidden(_("The message is too old or from the future; send it again."))


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise ValidationError({"body": _("The body is not JSON.")}) from exc
    if not isinstance(data, dict):
        raise ValidationError({"body": _("The body is a JSON object.")})
    return data


#: A gateway's words for "delivered" and "not delivered" (anything else is kept as sent).
DELIVERED = {"delivered", "deliv", "success", "read", "terkirim", "sent_to_handset"}
UNDELIVERED = {"failed", "undelivered", "rejected", "expired", "gagal", "error"}


def delivery_receipt(*, headers: Mapping[str, str], body: bytes) -> Notification:
    """A gateway's receipt for one message (by its id, or by our ``reference``): delivered or
    not, kept on the outbox row."""
    verify(headers, body)
    data = _json(body)
    provider_id = str(data.get("id") or "").strip()[:100]
    reference = str(data.get("reference") or "").strip()
    status = str(data.get("status") or "").strip().lower()[:40]
    if not status:
        raise ValidationError({"status": _("Say the message's delivery status.")})
    rows = Notification.objects.all()
    if provider_id:
        rows = rows.filter(provider_id=provider_id)
    elif reference.isdigit():
        rows = rows.filter(pk=int(reference))
    else:
        raise ValidationError({"id": _("Name the message by the gateway's id or our reference.")})
    notification = rows.order_by("-pk").first()
    if notification is None:
        raise NotFound(_("No message with this id was sent."))
    fields: dict[str, Any] = {"delivery_status": status}
    if status in DELIVERED:
        fields["delivered_at"] = timezone.now()
    elif status in UNDELIVERED:
        fields["last_error"] = str(data.get("error") or status)[:2000]
    Notification.objects.filter(pk=notification.pk).update(**fields)
    notification.refresh_from_db()
    return notification


def _reply(channel: str, sender: str, event: str, context: Mapping[str, Any]) -> None:
    from .services import message_queue

    message_queue(event=event, channel=channel, recipient=sender, context=context)


def _keywords() -> dict[str, Any]:
    from .extensions import collect

    return {item["keyword"]: item["handle"] for item in collect("message_keywords")}


@transaction.atomic
def inbound_receive(*, headers: Mapping[str, str], body: bytes) -> InboundMessage:
    """One message a resident sent to the agency's number: handled once, answered once."""
    from silakso.validation import phone_number

    from .services import message_opt_out

    verify(headers, body)
    data = _json(body)
    gateway_id = str(data.get("id") or "").strip()[:100]
    if not gateway_id:
        raise ValidationError({"id": _("Each message needs the gateway's own id.")})
    channel = str(data.get("channel") or NotificationChannel.SMS)
    if channel not in (NotificationChannel.SMS, NotificationChannel.WHATSAPP):
        raise ValidationError({"channel": _("Use sms or whatsapp.")})
    sender = phone_number(str(data.get("from") or ""), field="from")
    if not sender:
        raise ValidationError({"from": _("Say who sent the message.")})
    text = " ".join(str(data.get("text") or "").split())[:2000]
    try:  # claimed first: a gateway retrying the same message gets the first answer
        with transaction.atomic():
            message = InboundMessage.objects.create(
                gateway_id=gateway_id, channel=channel, sender=sender, text=text, outcome=""
            )
    except IntegrityError:
        return InboundMessage.objects.get(gateway_id=gateway_id)
    word, _sep, rest = text.partition(" ")
    word = word.rstrip(":.,").upper()
    outcome, code = "help", ""
    if word in STOP_WORDS:
        message_opt_out(channel=channel, recipient=sender, source="reply STOP")
        outcome = "stopped"
        _reply(channel, sender, "inbound.stopped", {})
    elif word in START_WORDS:
        message_opt_out(channel=channel, recipient=sender, source="reply MULAI", stop=False)
        outcome = "started"
        _reply(channel, sender, "inbound.started", {})
    elif word in (handlers := _keywords()):
        outcome, code = handlers[word](sender=sender, text=rest.strip(), channel=channel)
    else:
        _reply(channel, sender, "inbound.help", {"url": public_url("complaints:complaint_create")})
    message.outcome, message.object_code = outcome, code
    message.save(update_fields=["outcome", "object_code"])
    return message
