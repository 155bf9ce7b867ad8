"""The notification outbox: stored first, sent by a task, retried from the database."""

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core.choices import NotificationChannel, NotificationStatus
from core.models import Notification
from core.services import notification_queue, notification_send, notifications_send_due

pytestmark = pytest.mark.django_db


class FailingSender:
    def send(self, notification):
        raise ConnectionError("gateway down")


def test_message_is_stored_before_sending_and_sent_by_the_task():
    notification = notification_queue(
        channel=NotificationChannel.EMAIL, recipient="warga@example.test", subject="Hi", body="B"
    )
    assert notification.status == NotificationStatus.PENDING
    notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert mail.outbox[0].to == ["warga@example.test"]


@override_settings(SILAKSO_SMS_SENDER="core.tests.test_notifications.FailingSender")
def test_failed_sms_is_kept_and_retried_later():
    notification = notification_queue(
        channel=NotificationChannel.SMS, recipient="081234567890", subject="S", body="B"
    )
    notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert "gateway down" in notification.last_error
    assert notification.next_attempt_at > timezone.now()


def test_periodic_sweep_sends_what_is_due():
    notification = notification_queue(
        channel=NotificationChannel.EMAIL, recipient="a@example.test", subject="S", body="B"
    )
    Notification.objects.filter(pk=notification.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert notifications_send_due() == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_message_survives_a_dead_broker(django_capture_on_commit_callbacks):
    from silakso.testing import broker_unreachable

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        notification = notification_queue(
            channel=NotificationChannel.EMAIL, recipient="b@example.test", subject="S", body="B"
        )
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.PENDING
