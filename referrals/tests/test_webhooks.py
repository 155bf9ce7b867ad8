"""Webhooks against a real local HTTP receiver: signed outbound deliveries stored first and
retried with back-off from the database; signed inbound events, forged or replayed ones
refused and nothing applied."""

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Referral, WebhookDelivery
from silakso.testing import HttpReceiver, closed_port_url

from .factories import case, provider, provider_admin, referral, service

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    endpoint = HttpReceiver(answers=(503, 500, 200))
    yield endpoint
    endpoint.stop()


def _delivery(village, url):
    health = service(provider("Dinas Kesehatan", webhook_url=url))
    sent = referral(case(village), health)
    return sent, WebhookDelivery.objects.get(referral=sent)


def test_a_sent_referral_is_delivered_signed_after_retries_with_back_off(receiver, village_a):
    sent, delivery = _delivery(village_a, receiver.url)
    assert delivery.status == "pending" and delivery.event == "referral.sent"

    first = services.webhook_deliver(delivery_id=delivery.pk)
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 503)
    assert (
        dt.timedelta(seconds=50) < first.next_attempt_at - timezone.now() < dt.timedelta(minutes=2)
    )
    # the sweep leaves it alone until it is due, then tries again with a longer wait
    assert services.webhooks_deliver_due() == 0
    assert len(receiver.requests) == 1
    services.webhooks_deliver_due(now=first.next_attempt_at)
    second = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (second.attempts, second.last_status_code) == (2, 500)
    assert second.next_attempt_at - timezone.now() > dt.timedelta(minutes=1, seconds=50)
    assert services.webhooks_deliver_due(now=second.next_attempt_at) == 1
    done = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (done.status, done.attempts, done.last_error) == ("delivered", 3, "")
    assert services.webhooks_deliver_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.requests) == 3

    # every attempt is signed with the provider's secret over "<timestamp>.<body>"
    request = receiver.requests[-1]
    headers = {key.lower(): value for key, value in request["headers"].items()}
    expected = hmac.new(
        sent.provider.webhook_secret.encode(),
        headers["x-silakso-timestamp"].encode() + b"." + request["body"],
        hashlib.sha256,
    ).hexdigest()
    assert headers["x-silakso-signature"] == "sha256=" + expected
    assert abs(int(headers["x-silakso-timestamp"]) - time.time()) < 60
    assert headers["x-silakso-event-id"] == delivery.event_id
    payload = json.loads(request["body"])
    assert payload["event"] == "referral.sent" and payload["referral"] == sent.pk
    assert payload["person"]["name"] == "Rudi Santoso"
    assert payload["service"]["name"] == "Aktivasi PBI-JK"


def test_nothing_is_lost_while_the_provider_is_down_and_it_gives_up_after_ten_tries(village_a):
    sent, delivery = _delivery(village_a, closed_port_url())
    now = timezone.now()
    for _attempt in range(services.MAX_DELIVERY_ATTEMPTS):
        services.webhooks_deliver_due(now=now)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at or now
    assert delivery.status == "failed" and delivery.attempts == services.MAX_DELIVERY_ATTEMPTS
    assert delivery.last_error
    # the referral itself was never held back by the outage
    assert Referral.objects.get(pk=sent.pk).status == "sent"


def test_one_sweep_tries_a_down_endpoint_once_and_keeps_the_rest_for_later(village_a):
    down = closed_port_url()
    health = service(provider("Dinas Kesehatan", webhook_url=down))
    for name in ("Satu", "Dua", "Tiga"):
        referral(case(village_a, head_name=name), health)
    assert services.webhooks_deliver_due() == 0
    attempts = sorted(WebhookDelivery.objects.values_list("attempts", flat=True))
    assert attempts == [0, 0, 1]
    assert WebhookDelivery.objects.filter(status="pending").count() == 3


def test_no_webhook_without_a_url(village_a):
    referral(case(village_a), service())
    assert not WebhookDelivery.objects.exists()


# ---------------------------------------------------------------------------- inbound
def _signed(owner, body: dict, *, event_id="evt-1", timestamp=None, secret=None):
    raw = json.dumps(body).encode()
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = hmac.new(
        (secret or owner.webhook_secret).encode(), stamp.encode() + b"." + raw, hashlib.sha256
    ).hexdigest()
    headers = {
        "HTTP_X_SILAKSO_TIMESTAMP": stamp,
        "HTTP_X_SILAKSO_EVENT_ID": event_id,
        "HTTP_X_SILAKSO_SIGNATURE": "sha256=" + signature,
    }
    return raw, headers


def _post(client, owner, raw, headers):
    return client.post(
        reverse("referrals-api:provider-events", args=[owner.pk]),
        raw,
        content_type="application/json",
        **headers,
    )


def test_a_signed_event_from_the_provider_system_moves_the_referral_once(client, village_a):
    health = service()
    sent = referral(case(village_a), health)
    owner = health.provider
    raw, headers = _signed(owner, {"referral": sent.pk, "action": "accepted"})
    response = _post(client, owner, raw, headers)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    # the same event again: refused, applied once
    replay = _post(client, owner, raw, headers)
    assert replay.status_code == 409
    assert sent.status_changes.filter(to_status="accepted").count() == 1

    raw, headers = _signed(owner, {"referral": sent.pk, "action": "started"}, event_id="evt-2")
    assert _post(client, owner, raw, headers).status_code == 200
    raw, headers = _signed(
        owner,
        {
            "referral": sent.pk,
            "action": "completed",
            "outcome": "KIS aktif",
            "outcome_date": timezone.localdate().isoformat(),
            "value": 0,
        },
        event_id="evt-3",
    )
    assert _post(client, owner, raw, headers).json()["status"] == "completed"
    sent.refresh_from_db()
    assert sent.outcome == "KIS aktif"


def test_forged_old_and_foreign_events_are_refused_and_nothing_changes(client, village_a):
    health = service()
    sent = referral(case(village_a), health)
    owner = health.provider
    other = service(provider("BAZNAS", kind="baznas"), "Santunan", domain="economy").provider

    forged, headers = _signed(owner, {"referral": sent.pk, "action": "accepted"}, secret="x" * 40)
    assert _post(client, owner, forged, headers).status_code == 403
    old, headers = _signed(
        owner, {"referral": sent.pk, "action": "accepted"}, timestamp=time.time() - 3600
    )
    assert _post(client, owner, old, headers).status_code == 403
    # signed by another provider, about a referral that is not its own
    raw, headers = _signed(other, {"referral": sent.pk, "action": "accepted"}, event_id="o-1")
    assert _post(client, other, raw, headers).status_code == 404
    # a tampered body under a valid signature
    raw, headers = _signed(owner, {"referral": sent.pk, "action": "note", "text": "halo"})
    tampered = raw.replace(b"note", b"declined")
    assert _post(client, owner, tampered, headers).status_code == 403
    sent.refresh_from_db()
    assert sent.status == "sent" and not sent.notes.exists()


def test_an_event_refused_by_the_flow_can_be_sent_again_after_the_fix(village_a):
    health = service()
    sent = referral(case(village_a), health)
    raw, headers = _signed(health.provider, {"referral": sent.pk, "action": "declined"})
    plain = {key[5:].replace("_", "-").title(): value for key, value in headers.items()}
    with pytest.raises(ValidationError) as refused:
        services.webhook_receive(provider=health.provider, headers=plain, body=raw)
    assert "reason" in refused.value.message_dict
    raw, headers = _signed(
        health.provider,
        {"referral": sent.pk, "action": "declined", "reason": "Kuota habis"},
    )
    plain = {key[5:].replace("_", "-").title(): value for key, value in headers.items()}
    # the first attempt was rolled back, so the same event id is accepted now
    services.webhook_receive(provider=health.provider, headers=plain, body=raw)
    sent.refresh_from_db()
    assert sent.status == "declined" and sent.decline_reason == "Kuota habis"


def test_a_malformed_date_in_an_event_is_named_not_a_crash(client, village_a):
    health = service()
    owner = provider_admin(health.provider)
    sent = referral(case(village_a), health)
    services.referral_respond(referral=sent, actor=owner, accept=True)
    services.referral_start(referral=sent, actor=owner)
    raw, headers = _signed(
        health.provider,
        {
            "referral": sent.pk,
            "action": "completed",
            "outcome": "KIS aktif",
            "outcome_date": "kemarin",
        },
    )
    response = _post(client, health.provider, raw, headers)
    assert response.status_code == 400
    assert "outcome_date" in response.json()["fields"]
    sent.refresh_from_db()
    assert sent.status == "in_service"


@pytest.mark.django_db(transaction=True)
def test_a_slow_partner_holds_no_lock_while_staff_send_it_more_work(village_a):
    """The POST to a partner that takes seconds to answer runs outside any transaction: the
    provider, the referral and the delivery rows stay free for the officers meanwhile."""
    import threading

    from django.db import DatabaseError, connection, transaction

    from referrals.models import Provider

    village = village_a
    slow = HttpReceiver(answers=(200,), delay=3)
    try:
        sent, delivery = _delivery(village, slow.url)
        outcome = {}

        def deliver():
            try:
                outcome["delivery"] = services.webhook_deliver(delivery_id=delivery.pk)
            finally:
                connection.close()

        worker = threading.Thread(target=deliver)
        worker.start()
        assert slow.arrived.wait(5), "the partner never received the event"
        # while the partner is still thinking: nothing it touches is locked ...
        with transaction.atomic():
            for model, pk in (
                (Provider, sent.provider_id),
                (Referral, sent.pk),
                (WebhookDelivery, delivery.pk),
            ):
                try:
                    model.objects.select_for_update(nowait=True).get(pk=pk)
                except DatabaseError as exc:  # pragma: no cover - the failure this guards
                    pytest.fail("{} {} is locked during the POST: {}".format(model, pk, exc))
        # ... and the next referral to the same provider is sent at once
        another = referral(case(village, head_name="Dewi Lestari"), sent.service)
        assert another.status == "sent"
        worker.join(10)
        assert outcome["delivery"].status == "delivered"
    finally:
        slow.stop()


def test_a_redelivered_event_keeps_its_id_and_each_referral_numbers_its_events(village_a):
    """A worker that dies after the POST but before recording it sends the event again after
    the lease; the partner sees the same id and sequence twice and can drop the copy."""
    from core import outbox

    partner = HttpReceiver(answers=(200,))
    try:
        sent, delivery = _delivery(village_a, partner.url)
        # the first attempt: claimed and POSTed, then the worker is gone before recording it
        assert outbox.claim(WebhookDelivery, delivery.pk, pending="pending")
        services.webhooks._post_signed(WebhookDelivery.objects.get(pk=delivery.pk), timeout=5)
        assert services.webhooks_deliver_due() == 0  # under its lease: left alone
        later = timezone.now() + outbox.LEASE + dt.timedelta(seconds=1)
        assert services.webhooks_deliver_due(now=later) == 1
        first, again = (
            {k.lower(): v for k, v in request["headers"].items()} for request in partner.requests
        )
        assert first["x-silakso-event-id"] == again["x-silakso-event-id"] == delivery.event_id
        assert first["x-silakso-sequence"] == again["x-silakso-sequence"] == "1"
        assert json.loads(partner.requests[0]["body"]) == json.loads(partner.requests[1]["body"])

        # the referral's next events are numbered after it, each with its own id
        admin = provider_admin(sent.provider)
        services.referral_respond(referral=sent, actor=admin, accept=True)
        services.referral_start(referral=Referral.objects.get(pk=sent.pk), actor=admin)
        events = list(
            WebhookDelivery.objects.filter(referral=sent)
            .order_by("sequence")
            .values_list("event", "sequence", "event_id")
        )
        assert [(event, number) for event, number, _id in events] == [
            ("referral.sent", 1),
            ("referral.accepted", 2),
            ("referral.started", 3),
        ]
        assert len({event_id for _e, _n, event_id in events}) == 3
    finally:
        partner.stop()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://8.8.8.8/silakso", True),
        ("http://8.8.8.8/silakso", False),  # plain http
        ("https://127.0.0.1/hook", False),  # loopback
        ("https://[::1]/hook", False),
        ("https://localhost/hook", False),
        ("https://10.1.2.3/hook", False),  # private ranges
        ("https://192.168.1.10/hook", False),
        ("https://172.20.0.5/hook", False),
        ("https://169.254.169.254/latest/meta-data", False),  # cloud metadata
        ("https://0.0.0.0/hook", False),
        ("ftp://8.8.8.8/x", False),
    ],
)
def test_personal_data_go_to_public_https_addresses_only(settings, url, ok):
    from silakso.validation import partner_url_problem

    settings.SILAKSO_WEBHOOK_ALLOW_PRIVATE = False
    assert (partner_url_problem(url) == "") is ok


def test_an_internal_address_is_refused_when_saved_and_when_sent(settings, village_a):
    settings.SILAKSO_WEBHOOK_ALLOW_PRIVATE = False
    health = provider("Dinas Kesehatan")
    admin_user = provider_admin(health)
    with pytest.raises(ValidationError) as refused:
        services.provider_connection_save(
            provider=health, webhook_url="https://10.0.0.7/hook", actor=admin_user
        )
    assert "webhook_url" in refused.value.message_dict
    # a delivery already queued to an address that is now internal is not sent
    _sent, delivery = _delivery(village_a, "https://8.8.8.8/never")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(url="https://127.0.0.1:1/hook")
    attempt = services.webhook_deliver(delivery_id=delivery.pk)
    assert (
        attempt.status == "pending" and "privat" in attempt.last_error.lower()
    )  # id: privat, en: private


def test_a_new_address_waits_for_an_administrators_approval(client, login, village_a):
    partner = HttpReceiver(answers=(200,))
    try:
        health = provider("Dinas Kesehatan")
        admin_user = provider_admin(health)
        services.provider_connection_save(
            provider=health, webhook_url=partner.url, actor=admin_user
        )
        health.refresh_from_db()
        assert not health.webhook_active
        login(client, admin_user)
        page = client.get(reverse("referrals:portal_services")).content.decode()
        assert "Menunggu" in page or "Waiting" in page
        first = referral(case(village_a), service(health))
        assert not WebhookDelivery.objects.filter(referral=first).exists()
        # approved by the Dinsos administrator: from now on referrals are announced
        from referrals.tests.factories import admin as system_admin

        services.provider_webhook_approve(provider=health, actor=system_admin())
        second = referral(case(village_a, head_name="Dewi"), service(health, name="Lain"))
        assert WebhookDelivery.objects.filter(referral=second, url=partner.url).exists()
        # changing the address again stops the announcements until it is approved again
        services.provider_connection_save(
            provider=health, webhook_url=partner.url + "/v2", actor=admin_user
        )
        third = referral(case(village_a, head_name="Rina"), service(health, name="Lagi"))
        assert not WebhookDelivery.objects.filter(referral=third).exists()
    finally:
        partner.stop()


def test_a_redirect_is_a_failed_delivery_never_followed(village_a):
    inside = HttpReceiver(answers=(200,))
    bouncer = HttpReceiver(answers=(302,), location=inside.url)
    try:
        _sent, delivery = _delivery(village_a, bouncer.url)
        attempt = services.webhook_deliver(delivery_id=delivery.pk)
        assert attempt.status == "pending" and attempt.last_status_code == 302
        assert inside.requests == []
    finally:
        inside.stop()
        bouncer.stop()


def test_a_partner_verifies_events_with_the_standard_webhooks_library(village_a):
    """A partner's developer uses the standardwebhooks package with the secret the portal
    shows; every event (sent, cancelled) verifies, and a tampered body does not."""
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    endpoint = HttpReceiver(answers=(200,))
    try:
        sent, delivery = _delivery(village_a, endpoint.url)
        services.webhook_deliver(delivery_id=delivery.pk)
        partner = Webhook(sent.provider.standard_webhook_secret)
        request = endpoint.requests[-1]
        headers = {key.lower(): value for key, value in request["headers"].items()}
        payload = partner.verify(request["body"], headers)
        assert payload["event"] == "referral.sent" and headers["webhook-id"] == delivery.event_id
        with pytest.raises(WebhookVerificationError):
            partner.verify(request["body"].replace(b"sent", b"done"), headers)
    finally:
        endpoint.stop()


def test_a_provider_signs_its_answer_with_the_standard_webhooks_library(client, village_a):
    import datetime as dt_

    from standardwebhooks.webhooks import Webhook

    sent, _delivery_row = _delivery(village_a, "https://8.8.8.8/hook")
    body = json.dumps({"referral": sent.pk, "action": "accepted"})
    now = dt_.datetime.now(tz=dt_.UTC)
    signature = Webhook(sent.provider.standard_webhook_secret).sign("evt-std-1", now, body)
    url = "/api/v1/provider-events/{}/".format(sent.provider_id)
    headers = {
        "HTTP_WEBHOOK_ID": "evt-std-1",
        "HTTP_WEBHOOK_TIMESTAMP": str(int(now.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }
    answer = client.post(url, body, content_type="application/json", **headers)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    # replayed: refused; forged: refused
    assert client.post(url, body, content_type="application/json", **headers).status_code == 409
    forged = {**headers, "HTTP_WEBHOOK_ID": "evt-std-2", "HTTP_WEBHOOK_SIGNATURE": "v1,AAAA"}
    assert client.post(url, body, content_type="application/json", **forged).status_code == 403
