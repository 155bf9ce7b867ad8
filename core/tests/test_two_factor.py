"""Two-factor sign-in: staff pass a TOTP code before anything else; residents do not."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.choices import Role
from core.tests.factories import PASSWORD, current_code

pytestmark = pytest.mark.django_db


def _sign_in(client, username):
    return client.post(reverse("core:login"), {"username": username, "password": PASSWORD})


def test_staff_password_alone_does_not_open_any_page(client, make_user, village_a):
    make_user(Role.VILLAGE_OPERATOR, village_a.code, username="op1")
    response = _sign_in(client, "op1")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:two_factor"))
    # every other page (and the API) sends the user back to the second step
    assert client.get(reverse("core:home"))["Location"].startswith(reverse("core:two_factor"))
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"


def test_correct_code_opens_the_dashboard(client, make_user, village_a):
    user = make_user(Role.VILLAGE_OPERATOR, village_a.code, username="op1")
    _sign_in(client, "op1")
    response = client.post(reverse("core:two_factor"), {"token": current_code(user)})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get("/api/v1/me/").json()["username"] == "op1"


def test_wrong_code_is_refused_with_a_clear_message(client, make_user, village_a):
    make_user(Role.VERIFIER, "19.04", username="ver")
    _sign_in(client, "ver")
    response = client.post(reverse("core:two_factor"), {"token": "000000"})
    assert response.status_code == 200
    assert "kode itu tidak benar" in response.content.decode().lower()
    assert client.get(reverse("core:home")).status_code == 302


def test_first_sign_in_sets_up_an_authenticator(client, make_user, village_a):
    # given a staff account that has no authenticator yet
    user = make_user(Role.VILLAGE_HEAD, village_a.code, username="kades")
    TOTPDevice.objects.filter(user=user).delete()
    _sign_in(client, "kades")
    # when it opens the second step, it sees a QR code and a typed key
    page = client.get(reverse("core:two_factor"))
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # and confirms with a first code
    from django_otp.oath import totp

    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("core:two_factor"), {"token": code})
    # then the device is confirmed and the session verified
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed is True
    assert client.get(reverse("core:home")).status_code == 200


def test_resident_signs_in_without_second_factor(client, make_user):
    make_user(Role.RESIDENT, username="warga1")
    response = _sign_in(client, "warga1")
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
