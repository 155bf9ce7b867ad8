"""Pluggable senders for the notification outbox: email now, SMS/WhatsApp through a gateway.

Set SILAKSO_SMS_SENDER to a dotted path of a class with ``send(notification)`` (returning the
fields to record, or None). The default logs the message (no gateway configured);
``HttpGatewaySender`` POSTs to SILAKSO_SMS_GATEWAY_URL in the body format, auth header and
answer shape the settings describe, which covers the common Indonesian SMS/WhatsApp gateway
APIs without code (docs/messaging.md).
"""

import json
import logging
import string
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .choices import NotificationChannel

logger = logging.getLogger(__name__)


class EmailSender:
    """Send through Django's email backend (EMAIL_URL)."""

    def send(self, notification) -> None:
        send_mail(
            subject=notification.subject,
            message=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notification.recipient],
            fail_silently=False,
        )


class LogSender:
    """No gateway configured: write the SMS to the log so nothing is silently dropped. One-time
    codes and other digit runs are masked unless ``SILAKSO_LOG_MESSAGE_TEXT`` (the demo, which
    has no gateway and shows the resident's sign-up code in its terminal)."""

    def send(self, notification) -> None:
        import re

        text = notification.body[:300]
        if not settings.SILAKSO_LOG_MESSAGE_TEXT:
            text = re.sub(r"\d{4,}", lambda m: "•" * len(m.group()), text)
        logger.info("SMS/WhatsApp to %s (no gateway configured): %s", notification.recipient, text)


class HttpGatewaySender:
    """POST the message to the configured HTTP gateway; non-2xx raises (the outbox retries).

    The body is the ``SILAKSO_SMS_GATEWAY_BODY`` template (JSON or form, per
    ``SILAKSO_SMS_GATEWAY_FORMAT``) with ``$to``, ``$message``, ``$reference`` (our id, which a
    delivery receipt may name) and ``$channel`` filled in and escaped for the format. The
    gateway's own message id is read from its answer (``SILAKSO_SMS_GATEWAY_ID_FIELD``) and
    kept, so its delivery receipt finds the message. See docs/messaging.md."""

    timeout = 10

    @staticmethod
    def _config(channel: str) -> tuple[str, str]:
        if channel == NotificationChannel.WHATSAPP and settings.SILAKSO_WHATSAPP_GATEWAY_URL:
            return settings.SILAKSO_WHATSAPP_GATEWAY_URL, settings.SILAKSO_WHATSAPP_GATEWAY_TOKEN
        return settings.SILAKSO_SMS_GATEWAY_URL, settings.SILAKSO_SMS_GATEWAY_TOKEN

    @staticmethod
    def body(notification) -> tuple[bytes, str]:
        """The request body and its content type."""
        values = {
            "to": notification.recipient,
            "message": notification.body,
            "reference": str(notification.pk),
            "channel": notification.channel,
        }
        template = string.Template(settings.SILAKSO_SMS_GATEWAY_BODY)
        if settings.SILAKSO_SMS_GATEWAY_FORMAT == "form":
            filled = template.substitute({k: urllib.parse.quote_plus(v) for k, v in values.items()})
            return filled.encode(), "application/x-www-form-urlencoded"
        # json.dumps(...)[1:-1]: the value escaped as the inside of a JSON string
        filled = template.substitute({k: json.dumps(v)[1:-1] for k, v in values.items()})
        json.loads(filled)  # a broken template fails here, not at the gateway
        return filled.encode(), "application/json"

    @staticmethod
    def message_id(answer: bytes) -> str:
        """The gateway's id of the message in its JSON answer, or "" when it has none."""
        try:
            found: Any = json.loads(answer or b"null")
        except ValueError:
            return ""
        for part in settings.SILAKSO_SMS_GATEWAY_ID_FIELD.split("."):
            if isinstance(found, list) and part.isdigit() and int(part) < len(found):
                found = found[int(part)]
            elif isinstance(found, dict):
                found = found.get(part)
            else:
                return ""
        return str(found)[:100] if isinstance(found, str | int) else ""

    def send(self, notification) -> dict:
        url, token = self._config(notification.channel)
        if not url.startswith(("https://", "http://")):
            raise RuntimeError("SILAKSO_SMS_GATEWAY_URL is not set to an http(s) URL")
        payload, content_type = self.body(notification)
        headers = {"Content-Type": content_type, "User-Agent": "SILAKSO-gateway/1"}
        if token:
            scheme = settings.SILAKSO_SMS_GATEWAY_AUTH_SCHEME
            headers[settings.SILAKSO_SMS_GATEWAY_AUTH_HEADER] = (
                "{} {}".format(scheme, token) if scheme else token
            )
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=payload, method="POST", headers=headers
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"gateway answered {response.status}")
            answer = response.read(65536)
        return {"provider_id": self.message_id(answer)}


def get_sender(channel: str):
    if channel == NotificationChannel.EMAIL:
        return EmailSender()
    return import_string(settings.SILAKSO_SMS_SENDER)()
