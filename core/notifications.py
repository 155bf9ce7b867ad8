"""Pluggable senders for the notification outbox: email now, SMS/WhatsApp through a gateway.

Set SILAKSO_SMS_SENDER to a dotted path of a class with ``send(notification)``. The default
logs the message (no gateway configured); ``HttpGatewaySender`` POSTs JSON to
SILAKSO_SMS_GATEWAY_URL with a bearer token, which fits most Indonesian SMS/WhatsApp gateways
behind a small adapter.
"""

import json
import logging
import urllib.request

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
    """No gateway configured: write the SMS to the log so nothing is silently dropped."""

    def send(self, notification) -> None:
        logger.info(
            "SMS/WhatsApp to %s (no gateway configured): %s",
            notification.recipient,
            notification.body[:300],
        )


class HttpGatewaySender:
    """POST {channel, to, message} as JSON to the configured gateway; non-2xx raises."""

    timeout = 10

    def send(self, notification) -> None:
        url = settings.SILAKSO_SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise RuntimeError("SILAKSO_SMS_GATEWAY_URL is not set to an http(s) URL")
        payload = json.dumps(
            {
                "channel": notification.channel,
                "to": notification.recipient,
                "message": notification.body,
                "reference": str(notification.pk),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SILAKSO_SMS_GATEWAY_TOKEN}",
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"gateway answered {response.status}")


def get_sender(channel: str):
    if channel == NotificationChannel.EMAIL:
        return EmailSender()
    return import_string(settings.SILAKSO_SMS_SENDER)()
