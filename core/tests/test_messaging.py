"""Messages to residents: texts from the administrator's templates (placeholders checked when
saved), opt-outs and quiet hours in the outbox, the HTTP gateway's request shape, its signed
delivery receipts and residents' own messages (ADUAN, STOP) through the signed inbound hook."""

import datetime as dt
import json
import urllib.parse
import zoneinfo

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from applications.tests.factories import household
from complaints.models import Complaint
from core.choices import NotificationChannel, NotificationStatus, Role
from core.messaging import EVENTS, render, sms_length, template_problems
from core.models import InboundMessage, MessageOptOut, Notification
from core.services import (
    message_queue,
    message_template_save,
    notification_queue,
    notification_send,
    notifications_send_due,
)
from core.webhooks import sign
from silakso.testing import HttpReceiver

pytestmark = pytest.mark.django_db
SECRET = "gateway-secret-for-tests"
JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


@pytest.fixture
def gateway():
    receiver = HttpReceiver(answers=(200,), reply=b'{"messages": [{"id": "wa-77"}]}')
    with override_settings(
        SILAKSO_SMS_SENDER="core.notifications.HttpGatewaySender",
        SILAKSO_SMS_GATEWAY_URL=receiver.url,
        SILAKSO_SMS_GATEWAY_TOKEN="k3y",
        SILAKSO_SMS_GATEWAY_ID_FIELD="messages.0.id",
        SILAKSO_GATEWAY_SECRET=SECRET,
    ):
        yield receiver
    receiver.stop()


def _signed(client, name, payload, *, secret=SECRET, age=0):
    body = json.dumps(payload).encode()
    stamp = str(int(timezone.now().timestamp()) - age)
    return client.post(
        reverse(name),
        data=body,
        content_type="application/json",
        HTTP_X_SILAKSO_TIMESTAMP=stamp,
        HTTP_X_SILAKSO_SIGNATURE="sha256=" + sign(secret, stamp, body),
    )


def _sent_to(gateway, phone):
    notifications_send_due()
    return [
        json.loads(r["body"])["message"]
        for r in gateway.requests
        if json.loads(r["body"])["to"] == phone
    ]


# ---------------------------------------------------------------------------- templates
def test_every_event_renders_its_default_text_with_its_placeholders():
    for key, event in EVENTS.items():
        context = {name: "<{}>".format(name) for name in event.placeholders}
        subject, body = render(key, NotificationChannel.SMS, context)
        assert body, key
        for name in event.placeholders:
            assert "<{}>".format(name) in subject + body, (key, name)


def test_a_saved_template_replaces_the_default_and_empty_lines_vanish(make_user):
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    message_template_save(
        actor=admin,
        event="complaint.step",
        channel=NotificationChannel.SMS,
        subject="",
        body="Aduan {code}: {step}\n{note}\nCek: {url}",
    )
    _subject, body = render(
        "complaint.step", "sms", {"code": "P-1", "step": "Diterima", "url": "u"}
    )
    assert body == "Aduan P-1: Diterima\nCek: u"
    # email still uses the default text
    assert "Aduan P-1" not in render("complaint.step", "email", {"code": "P-1"})[1]


def test_unknown_placeholders_and_broken_braces_are_refused_when_saved(client, login, make_user):
    assert "{nama}" in template_problems("complaint.step", "", "Halo {nama}")["body"]
    assert template_problems("complaint.step", "", "Halo {code.__class__}")
    assert template_problems("complaint.step", "", "Halo {code")
    assert template_problems("complaint.step", "", "Aduan {code} {url}") == {}
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    login(client, admin)
    url = reverse("core:message_template_edit", args=["complaint.step", "sms"])
    page = client.post(url, {"subject": "", "body": "Halo {nama}"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Unknown placeholder {nama}" in page.content.decode()
    saved = client.post(url, {"subject": "", "body": "Aduan {code}: {step}"})
    assert saved.status_code == 302
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 SMS" in page or "characters" in page
    assert client.get(reverse("core:message_template_list")).status_code == 200
    # a verifier may not change what residents are told
    login(client, make_user(Role.VERIFIER, "19.04"))
    assert client.get(url).status_code == 403


def test_sms_length_counts_parts_and_unicode():
    assert sms_length("a" * 160).parts == 1
    assert sms_length("a" * 161).parts == 2
    assert sms_length("[" * 80).characters == 160
    assert sms_length("Terima kasih 🙏").unicode
    assert sms_length("x" * 71 + "’").parts == 2


# ---------------------------------------------------------------------------- the outbox rules
def test_an_opted_out_number_gets_no_step_messages_but_still_its_codes():
    MessageOptOut.objects.create(channel="sms", recipient="081234567890", source="t")
    step = message_queue(
        event="complaint.step", channel="whatsapp", recipient="+62 812 3456 7890", context={}
    )
    code = message_queue(
        event="account.code", channel="sms", recipient="081234567890", context={"code": "1"}
    )
    assert step.status == NotificationStatus.SKIPPED
    assert code.status == NotificationStatus.PENDING


@override_settings(SILAKSO_QUIET_HOURS=True)
def test_quiet_hours_hold_sms_until_the_morning_not_email_nor_codes(monkeypatch):
    night = dt.datetime(2026, 12, 3, 22, 30, tzinfo=JAKARTA)
    monkeypatch.setattr(timezone, "now", lambda: night)
    sms = notification_queue(channel="sms", recipient="081234567890", subject="s", body="b")
    mail = notification_queue(channel="email", recipient="a@example.test", subject="s", body="b")
    code = message_queue(
        event="account.code", channel="sms", recipient="081234567890", context={"code": "1"}
    )
    assert timezone.localtime(sms.next_attempt_at, JAKARTA) == dt.datetime(
        2026, 12, 4, 7, 0, tzinfo=JAKARTA
    )
    assert mail.next_attempt_at == night and code.next_attempt_at == night
    assert notification_send(notification_id=sms.pk) is None  # not due yet


def test_gateway_down_keeps_the_message_and_the_retry_delivers_it(gateway):
    gateway.answers[:] = [503, 200]
    note = notification_queue(channel="sms", recipient="081234567890", subject="s", body="Halo")
    notification_send(notification_id=note.pk)
    note.refresh_from_db()
    assert note.status == NotificationStatus.PENDING and note.attempts == 1
    Notification.objects.filter(pk=note.pk).update(next_attempt_at=timezone.now())
    notification_send(notification_id=note.pk)
    note.refresh_from_db()
    assert note.status == NotificationStatus.SENT and note.provider_id == "wa-77"
    request = gateway.requests[-1]
    assert request["headers"]["Authorization"] == "Bearer k3y"
    assert json.loads(request["body"]) == {
        "channel": "sms",
        "to": "081234567890",
        "message": "Halo",
        "reference": str(note.pk),
    }


def test_a_form_gateway_gets_the_body_it_asks_for(gateway):
    with override_settings(
        SILAKSO_SMS_GATEWAY_FORMAT="form",
        SILAKSO_SMS_GATEWAY_BODY="target=$to&message=$message",
        SILAKSO_SMS_GATEWAY_AUTH_SCHEME="",
    ):
        note = notification_queue(
            channel="sms", recipient="081234567890", subject="s", body='Kode "1" & 2'
        )
        notification_send(notification_id=note.pk)
    request = gateway.requests[-1]
    assert urllib.parse.parse_qs(request["body"].decode()) == {
        "target": ["081234567890"],
        "message": ['Kode "1" & 2'],
    }
    assert request["headers"]["Authorization"] == "k3y"


# ---------------------------------------------------------------------------- receipts
def test_a_signed_delivery_receipt_is_kept_on_the_message(client, gateway):
    note = notification_queue(channel="sms", recipient="081234567890", subject="s", body="b")
    notification_send(notification_id=note.pk)
    answer = _signed(client, "core-api:message-receipt", {"id": "wa-77", "status": "delivered"})
    assert answer.status_code == 200
    note.refresh_from_db()
    assert note.delivery_status == "delivered" and note.delivered_at is not None
    forged = _signed(
        client, "core-api:message-receipt", {"id": "wa-77", "status": "failed"}, secret="x"
    )
    stale = _signed(client, "core-api:message-receipt", {"id": "wa-77", "status": "x"}, age=900)
    assert forged.status_code == 403 and stale.status_code == 403
    note.refresh_from_db()
    assert note.delivery_status == "delivered"


# ---------------------------------------------------------------------------- inbound
def test_a_complaint_by_sms_is_received_once_and_answered_with_its_code(client, gateway, village_a):
    home = household(village_a, head_name="Siti Aminah")
    head = home.members.get(relation_to_head="head")
    payload = {
        "id": "in-1",
        "from": "+6281234567890",
        "text": "aduan {} bantuan BPNT belum diterima sejak Mei".format(head.nik),
    }
    first = _signed(client, "core-api:message-inbound", payload)
    again = _signed(client, "core-api:message-inbound", payload)
    assert first.status_code == 200 and first.json()["outcome"] == "complaint"
    assert again.json() == first.json()
    complaint = Complaint.objects.get()
    assert complaint.code == first.json()["code"]
    assert complaint.village == village_a and complaint.household == home
    assert complaint.channel == "message" and complaint.phone == "081234567890"
    assert "belum diterima sejak Mei" in complaint.description
    [reply] = _sent_to(gateway, "081234567890")
    assert complaint.code in reply


def test_stop_and_start_by_reply_and_unknown_text_gets_help(client, gateway):
    _signed(
        client, "core-api:message-inbound", {"id": "in-2", "from": "081299990000", "text": "STOP"}
    )
    assert MessageOptOut.objects.filter(recipient="081299990000").exists()
    step = message_queue(
        event="complaint.step", channel="sms", recipient="081299990000", context={}
    )
    assert step.status == NotificationStatus.SKIPPED
    _signed(
        client, "core-api:message-inbound", {"id": "in-3", "from": "081299990000", "text": "mulai"}
    )
    assert not MessageOptOut.objects.exists()
    help_ = _signed(
        client, "core-api:message-inbound", {"id": "in-4", "from": "081299990000", "text": "halo?"}
    )
    assert help_.json()["outcome"] == "help"
    assert InboundMessage.objects.count() == 3
    assert len(_sent_to(gateway, "081299990000")) == 3  # stopped, started, help


def test_a_complaint_without_a_known_nik_asks_for_it_and_a_forged_one_is_refused(client, gateway):
    answer = _signed(
        client,
        "core-api:message-inbound",
        {"id": "in-5", "from": "081211110000", "text": "ADUAN bantuan belum cair sama sekali"},
    )
    assert answer.json()["outcome"] == "help" and not Complaint.objects.exists()
    forged = _signed(
        client,
        "core-api:message-inbound",
        {"id": "in-6", "from": "081211110000", "text": "STOP"},
        secret="guess",
    )
    assert forged.status_code == 403 and not InboundMessage.objects.filter(gateway_id="in-6")
