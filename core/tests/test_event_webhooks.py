"""Partner systems subscribe to event types; each event is thin, signed by the Standard
Webhooks scheme (verified here with the standardwebhooks library against a local receiver),
numbered per object, sent only within the client's area and only while its key may read it."""

import json

import pytest
from django.urls import reverse

from core.apikeys import api_key_issue, api_key_revoke
from core.choices import Role
from core.models import EventDelivery
from core.webhooks import event_deliver, events_deliver_due, subscription_create
from referrals import services as referral_services
from referrals.tests.factories import case, provider, referral, service
from silakso.testing import HttpReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    endpoint = HttpReceiver(answers=(200,))
    yield endpoint
    endpoint.stop()


@pytest.fixture
def admin(make_user):
    return make_user(Role.SYSTEM_ADMIN, "19.04")


def _client(make_user, admin, region, scopes):
    client = make_user(Role.API_CLIENT, region)
    key, _raw = api_key_issue(client=client, name="k", scopes=scopes, actor=admin)
    return client, key


def test_administrator_subscribes_a_client_and_its_scopes_bound_the_event_types(
    client, login, admin, make_user, receiver
):
    partner, _key = _client(make_user, admin, "19.04", ["referrals:read"])
    login(client, admin)
    url = reverse("core:webhook_subscriptions", args=[partner.pk])
    refused = client.post(url, {"url": receiver.url, "events": ["complaint.forwarded"]})
    assert "complaints:read" in refused.content.decode()
    shown = client.post(
        url, {"url": receiver.url, "events": ["referral.sent", "referral.cancelled"]}
    )
    secret = shown.context["secret"]
    assert secret.startswith("whsec_")
    # the secret is not on the page afterwards
    assert secret not in client.get(url).content.decode()


def test_events_are_thin_signed_numbered_and_verified_with_the_library(
    admin, make_user, receiver, village_a
):
    from standardwebhooks.webhooks import Webhook

    partner, _key = _client(make_user, admin, "19.04", ["referrals:read"])
    _subscription, secret = subscription_create(
        actor=admin,
        client=partner,
        url=receiver.url,
        events=["referral.sent", "referral.cancelled"],
    )
    sent = referral(case(village_a, head_name="Rudi Santoso"), service(provider("Dinas Kesehatan")))
    referral_services.referral_cancel(
        referral=sent, actor=make_user(Role.FRONT_OFFICE, "19.04"), reason="Salah layanan"
    )
    deliveries = list(EventDelivery.objects.order_by("sequence"))
    assert [(d.event, d.sequence) for d in deliveries] == [
        ("referral.sent", 1),
        ("referral.cancelled", 2),
    ]
    for delivery in deliveries:
        assert event_deliver(delivery_id=delivery.pk).status == "delivered"
    partner_side = Webhook(secret)
    bodies = []
    for request in receiver.requests:
        headers = {key.lower(): value for key, value in request["headers"].items()}
        bodies.append(partner_side.verify(request["body"], headers))
    assert [body["type"] for body in bodies] == ["referral.sent", "referral.cancelled"]
    assert bodies[1]["data"]["id"] == sent.pk and bodies[1]["data"]["status"] == "cancelled"
    assert bodies[1]["data"]["previous_status"] == "sent"
    # thin: no name, no NIK of the person referred
    raw = b"".join(request["body"] for request in receiver.requests)
    assert b"Rudi" not in raw and sent.case.household.members.first().nik.encode() not in raw
    assert json.loads(receiver.requests[0]["body"])["data"]["region"].startswith("19.04")


def test_a_client_of_another_regency_or_without_a_live_key_is_told_nothing(
    admin, make_user, receiver, village_a
):
    other_admin = make_user(Role.SYSTEM_ADMIN, "19.01")
    elsewhere, _key = _client(make_user, other_admin, "19.01", ["referrals:read"])
    subscription_create(
        actor=other_admin, client=elsewhere, url=receiver.url, events=["referral.sent"]
    )
    revoked, key = _client(make_user, admin, "19.04", ["referrals:read"])
    subscription_create(actor=admin, client=revoked, url=receiver.url, events=["referral.sent"])
    api_key_revoke(key=key, actor=admin)
    referral(case(village_a), service(provider("Dinas Kesehatan")))
    assert not EventDelivery.objects.exists()


def test_enrollment_events_reach_a_registry_reader_and_the_log_shows_them(
    client, login, admin, make_user, receiver, village_a
):
    from dtks import services as dtks_services
    from dtks.tests.factories import make_household, make_period, make_program

    partner, _key = _client(make_user, admin, "19.04", ["registry:read"])
    subscription_create(
        actor=admin, client=partner, url=receiver.url, events=["enrollment.changed"]
    )
    manager = make_user(Role.DATA_MANAGER, "19.04")
    program = make_program("pkh")
    enrollment = dtks_services.enrollment_create(
        program=program,
        period=make_period(program),
        household=make_household(village_a, manager),
        actor=manager,
    )
    dtks_services.enrollment_end(enrollment=enrollment, actor=manager, reason="Graduasi")
    assert events_deliver_due() == 2
    statuses = [json.loads(r["body"])["data"]["status"] for r in receiver.requests]
    assert statuses == ["active", "ended"]
    login(client, admin)
    log = client.get(reverse("core:webhook_subscriptions", args=[partner.pk])).content.decode()
    # the event in words, its sequence number, and its type as the partner's code reads it
    assert "#2<br><code>enrollment.changed</code>" in log


def test_a_stopped_subscription_sends_nothing_more(admin, make_user, village_a, receiver):
    from core.webhooks import subscription_stop

    partner, _key = _client(make_user, admin, "19.04", ["referrals:read"])
    subscription, _secret = subscription_create(
        actor=admin, client=partner, url=receiver.url, events=["referral.sent"]
    )
    referral(case(village_a), service(provider("Dinas Kesehatan")))
    subscription_stop(actor=admin, subscription=subscription)
    assert events_deliver_due() == 0
    assert EventDelivery.objects.get().status == "failed"
    assert receiver.requests == []
