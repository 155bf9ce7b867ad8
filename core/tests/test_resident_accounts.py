"""Residents sign up, sign in and choose a new password with a one-time code sent by SMS, read
here from what a local SMS gateway received. The pages answer alike for known and unknown
NIKs and numbers; only the phone's SMS differs."""

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from applications.tests.factories import household
from core.choices import AuditAction, Role
from core.models import AuditEvent, OneTimeCode, User
from core.services import notifications_send_due
from silakso.testing import HttpReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway():
    receiver = HttpReceiver(answers=(200,), reply=b'{"data": {"id": "gw-1"}}')
    with override_settings(
        SILAKSO_SMS_SENDER="core.notifications.HttpGatewaySender",
        SILAKSO_SMS_GATEWAY_URL=receiver.url,
        SILAKSO_SMS_GATEWAY_TOKEN="t0ken",
        SILAKSO_SMS_GATEWAY_ID_FIELD="data.id",
    ):
        yield receiver
    receiver.stop()


def _sms(gateway, phone):
    """The texts the gateway was asked to send to ``phone``, oldest first."""
    notifications_send_due()
    found = []
    for request in gateway.requests:
        body = json.loads(request["body"])
        if body["to"] == phone:
            found.append(body["message"])
    return found


def _code(text):
    return re.search(r"\b(\d{6})\b", text).group(1)


def _registry_person(village):
    home = household(village, head_name="Siti Aminah")
    head = home.members.get(relation_to_head="head")
    return head, head.family.kk_number


def test_a_resident_signs_up_with_nik_kk_and_a_code_then_sees_their_services(
    client, gateway, village_a
):
    head, kk = _registry_person(village_a)
    page = client.post(
        reverse("core:sign_up"), {"nik": head.nik, "kk_number": kk, "phone": "+62 812-3456-7890"}
    )
    assert page.status_code == 302 and page.url == reverse("core:code_enter")
    [text] = _sms(gateway, "081234567890")
    assert re.search(r"\b\d{6}\b", text) and "10" in text
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer t0ken"
    # a wrong code first: refused, counted
    wrong = client.post(reverse("core:code_enter"), {"code": "000000"})
    assert wrong.status_code == 200 and "salah" in wrong.content.decode()
    done = client.post(reverse("core:code_enter"), {"code": _code(text)})
    assert done.status_code == 302 and done.url == reverse("core:resident_password")
    user = User.objects.get(nik=head.nik)
    assert user.role == Role.RESIDENT and user.phone == "081234567890"
    assert user.full_name == head.name and not user.has_usable_password()
    home = client.get(reverse("core:home")).content.decode()
    assert "Layanan saya" in home
    # the code is used up
    client.logout()
    session = client.session
    again = client.post(reverse("core:code_enter"), {"code": _code(text)})
    assert again.status_code == 302  # no pending request in this session any more
    assert session.get("silakso_resident_code") is None
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.LOGIN_FAILED, reason="wrong one-time code"
        ).count()
        == 1
    )
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(user.pk)).exists()


def test_an_unknown_nik_gets_the_same_page_and_an_sms_that_guides_to_registration(
    client, gateway, village_a
):
    head, kk = _registry_person(village_a)
    known = client.post(
        reverse("core:sign_up"), {"nik": head.nik, "kk_number": kk, "phone": "081200000001"}
    )
    stranger = client.post(
        reverse("core:sign_up"),
        {"nik": "3204010101900009", "kk_number": kk, "phone": "081200000002"},
    )
    # the same answer: to the code page
    assert (known.status_code, known.url) == (stranger.status_code, stranger.url)
    code_page = client.get(reverse("core:code_enter")).content.decode()
    assert "0812" in code_page
    [text] = _sms(gateway, "081200000002")
    assert not re.search(r"\b\d{6}\b", text)
    assert reverse("applications:apply_start") in text
    # no code opens a request that matched nothing
    for guess in ("000000", "123456"):
        assert client.post(reverse("core:code_enter"), {"code": guess}).status_code == 200
    assert not User.objects.filter(phone="081200000002").exists()


def test_a_number_or_nik_with_an_account_is_not_given_a_second_one(
    client, gateway, village_a, make_user
):
    head, kk = _registry_person(village_a)
    make_user(Role.RESIDENT, phone="081233334444")
    client.post(
        reverse("core:sign_up"), {"nik": head.nik, "kk_number": kk, "phone": "081233334444"}
    )
    [text] = _sms(gateway, "081233334444")
    assert reverse("core:login") in text and not re.search(r"\b\d{6}\b", text)
    assert User.objects.filter(phone="081233334444").count() == 1


def test_bad_input_names_the_field(client, gateway):
    page = client.post(
        reverse("core:sign_up"), {"nik": "12345", "kk_number": "12", "phone": "telepon"}
    ).content.decode()
    assert "16" in page and "KK" in page and "0812 3456 7890" in page
    assert not OneTimeCode.objects.exists() and not gateway.requests


def test_sign_in_by_code_and_by_phone_and_password(client, gateway, make_user):
    resident = make_user(Role.RESIDENT, phone="081255556666", username="siti")
    client.post(reverse("core:sign_in_code"), {"phone": "0812 5555 6666"})
    [text] = _sms(gateway, "081255556666")
    assert client.post(reverse("core:code_enter"), {"code": _code(text)}).url == reverse(
        "core:home"
    )
    assert client.get(reverse("core:home")).context["user"] == resident
    client.logout()
    resident.set_password("kata-sandi-panjang-9")
    resident.save()
    signed = client.post(
        reverse("core:login"), {"username": "0812-5555-6666", "password": "kata-sandi-panjang-9"}
    )
    assert signed.status_code == 302
    # an unknown number: the same page, an SMS pointing to sign-up, no way in
    client.logout()
    assert client.post(reverse("core:sign_in_code"), {"phone": "081299998888"}).url == reverse(
        "core:code_enter"
    )
    [text] = _sms(gateway, "081299998888")
    assert reverse("core:sign_up") in text


def test_reset_by_code_then_a_new_password(client, gateway, make_user):
    resident = make_user(Role.RESIDENT, phone="081277778888")
    client.post(reverse("core:password_reset"), {"phone": "081277778888"})
    [text] = _sms(gateway, "081277778888")
    assert client.post(reverse("core:code_enter"), {"code": _code(text)}).url == reverse(
        "core:resident_password"
    )
    weak = client.post(
        reverse("core:resident_password"), {"new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 200
    saved = client.post(
        reverse("core:resident_password"),
        {"new_password1": "sandi-baru-yang-panjang", "new_password2": "sandi-baru-yang-panjang"},
    )
    assert saved.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("sandi-baru-yang-panjang")


def test_codes_expire_tries_are_limited_and_requests_are_rate_limited(client, gateway, make_user):
    make_user(Role.RESIDENT, phone="081211112222")
    client.post(reverse("core:sign_in_code"), {"phone": "081211112222"})
    [text] = _sms(gateway, "081211112222")
    for _ in range(5):
        client.post(reverse("core:code_enter"), {"code": "999999"})
    # five wrong tries: even the right code no longer opens it
    assert client.post(reverse("core:code_enter"), {"code": _code(text)}).status_code == 200
    for _ in range(2):
        client.post(reverse("core:sign_in_code"), {"phone": "081211112222"})
    limited = client.post(reverse("core:sign_in_code"), {"phone": "081211112222"})
    assert limited.status_code == 429
    assert OneTimeCode.objects.filter(phone="081211112222").count() == 3


def test_an_officer_cannot_sign_in_by_resident_code(client, gateway, make_user, village_a):
    make_user(Role.VERIFIER, village_a.code[:5], phone="081244445555")
    client.post(reverse("core:sign_in_code"), {"phone": "081244445555"})
    [text] = _sms(gateway, "081244445555")
    assert reverse("core:sign_up") in text  # officers are not resident accounts


def test_an_expired_code_is_refused_like_a_wrong_one(client, gateway, make_user):
    import datetime as dt

    from django.utils import timezone

    make_user(Role.RESIDENT, phone="081266660000")
    client.post(reverse("core:sign_in_code"), {"phone": "081266660000"})
    [text] = _sms(gateway, "081266660000")
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    page = client.post(reverse("core:code_enter"), {"code": _code(text)})
    assert page.status_code == 200 and "salah atau sudah tidak berlaku" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_resident_stops_and_restarts_messages_from_their_page(client, login, make_user):
    from core.models import MessageOptOut

    resident = make_user(Role.RESIDENT, phone="081255550000")
    login(client, resident)
    assert "Hentikan pesan" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("core:resident_messages"), {"stop": "1"})
    assert MessageOptOut.objects.filter(recipient="081255550000").exists()
    assert "Kirim pesan lagi" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("core:resident_messages"), {"stop": ""})
    assert not MessageOptOut.objects.exists()
