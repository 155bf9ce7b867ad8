"""Two-factor sign-in: staff pass a TOTP code before anything else; residents do not."""

import re

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


def test_first_sign_in_sets_up_an_authenticator_with_the_administrators_code(
    client, make_user, village_a
):
    # given a staff account that has no authenticator yet, and the code its administrator issued
    from core import services

    admin = make_user(Role.SYSTEM_ADMIN, None, username="admin")
    user = make_user(Role.VILLAGE_HEAD, village_a.code, username="kades")
    code = services.enrolment_code_issue(user=user, actor=admin)
    assert not TOTPDevice.objects.filter(user=user).exists()
    _sign_in(client, "kades")
    # the password alone shows no secret: the page asks for the set-up code
    page = client.get(reverse("core:two_factor"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data:image/svg+xml" not in html and 'data-testid="totp-secret"' not in html
    assert not TOTPDevice.objects.filter(user=user).exists()
    wrong = client.post(reverse("core:two_factor"), {"code": "AAAAA-AAAAA"})
    assert "data:image/svg+xml" not in wrong.content.decode()
    import time

    time.sleep(1.1)  # django-otp refuses any try for a second after a wrong one
    # with the code (typed in lower case, without the dash) it shows a QR code and a typed key
    client.post(reverse("core:two_factor"), {"code": code.replace("-", "").lower()})
    page = client.get(reverse("core:two_factor"))
    assert "data:image/svg+xml" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    # and confirms with a first code
    from django_otp.oath import totp

    code_now = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("core:two_factor"), {"token": code_now})
    # then the device is confirmed, the session verified and the set-up code used up; eight
    # recovery codes are shown, once
    assert response.status_code == 200
    assert len(re.findall(r"[A-Z0-9]{5}-[A-Z0-9]{5}", response.content.decode())) == 8
    assert TOTPDevice.objects.get(user=user).confirmed is True
    assert client.get(reverse("core:home")).status_code == 200
    assert not services.enrolment_code_redeem(user=user, code=code)


def test_a_set_up_code_works_once_expires_and_is_never_a_second_factor(client, make_user):
    import datetime as dt

    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice

    from core import services

    admin = make_user(Role.SYSTEM_ADMIN, None, username="admin")
    user = make_user(Role.VERIFIER, "19.04", username="ver")
    code = services.enrolment_code_issue(user=user, actor=admin)
    # a lost phone: the old authenticator stopped working when the code was issued
    assert not TOTPDevice.objects.filter(user=user).exists()
    # an administrator of another regency, or the person themself, cannot issue one
    from silakso.exceptions import DomainError

    for actor in (
        make_user(Role.SYSTEM_ADMIN, "19.01"),
        user,
        make_user(Role.DATA_MANAGER, "19.04"),
    ):
        with pytest.raises(DomainError):
            services.enrolment_code_issue(user=user, actor=actor)
    # a code three days old is refused
    StaticDevice.objects.filter(user=user).update(
        created_at=timezone.now() - dt.timedelta(hours=73)
    )
    assert not services.enrolment_code_redeem(user=user, code=code)
    # a fresh code is not accepted where the authenticator's 6 digits are asked
    code = services.enrolment_code_issue(user=user, actor=admin)
    TOTPDevice.objects.create(user=user, name="hp", confirmed=True)
    _sign_in(client, "ver")
    refused = client.post(reverse("core:two_factor"), {"token": code.replace("-", "")[:8]})
    assert refused.status_code == 200
    assert client.get(reverse("core:home")).status_code == 302


def test_the_first_administrator_gets_a_code_from_the_shell(make_user, capsys):
    from django.core.management import call_command

    from core import services

    user = make_user(Role.SYSTEM_ADMIN, None, username="root")
    call_command("issue_setup_code", "root")
    printed = capsys.readouterr().out
    code = printed.split(": ")[1].split()[0]
    assert services.enrolment_code_redeem(user=user, code=code)


def test_resident_signs_in_without_second_factor(client, make_user):
    make_user(Role.RESIDENT, username="warga1")
    response = _sign_in(client, "warga1")
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_a_recovery_code_signs_in_once_when_the_phone_is_lost(client, make_user, village_a):
    from core import services

    user = make_user(Role.VERIFIER, "19.04", username="ver")
    codes = services.recovery_codes_issue(user=user)
    assert len(codes) == 8 and len(set(codes)) == 8
    _sign_in(client, "ver")
    # typed in lower case without the dash, it opens the session once
    used = client.post(reverse("core:two_factor"), {"recovery": codes[0].replace("-", "").lower()})
    assert used.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    again = type(client)()
    _sign_in(again, "ver")
    import time

    refused = again.post(reverse("core:two_factor"), {"recovery": codes[0]})
    assert refused.status_code == 200 and "recovery-error" in refused.content.decode()
    assert again.get(reverse("core:home")).status_code == 302
    time.sleep(1.1)  # django-otp refuses any try for a second after a wrong one
    assert again.post(reverse("core:two_factor"), {"recovery": codes[1]}).status_code == 302
    # new codes (a new authenticator) retire the old ones
    fresh = services.recovery_codes_issue(user=user)
    assert services.recovery_code_use(user=user, code=codes[2]) is None
    time.sleep(1.1)
    assert services.recovery_code_use(user=user, code=fresh[0]) is not None


def test_a_set_up_code_is_not_a_recovery_code(client, make_user):
    from core import services

    admin = make_user(Role.SYSTEM_ADMIN, None, username="admin2")
    user = make_user(Role.VERIFIER, "19.04", username="ver2")
    services.recovery_codes_issue(user=user)
    setup = services.enrolment_code_issue(user=user, actor=admin)
    assert services.recovery_code_use(user=user, code=setup) is None
