"""Sign-in lockouts that cannot be dodged: one counter per account whatever the spelling, per
account across addresses, the admin behind the same sign-in, closed without Redis; the client's
address taken from the right-most untrusted proxy hop."""

import re

import pytest
import redis
from django.urls import reverse

from core.choices import AuditAction, Role
from core.middleware import client_ip
from core.models import AuditEvent
from core.tests.factories import PASSWORD
from silakso import ratelimit, redis_health

pytestmark = pytest.mark.django_db


def _fail(client, username, ip="10.1.1.1"):
    return client.post(
        reverse("core:login"), {"username": username, "password": "salah"}, REMOTE_ADDR=ip
    )


def _sign_in(client, username="kabid", ip="10.1.1.1"):
    return client.post(
        reverse("core:login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip
    )


def test_spelling_variants_of_a_username_share_one_counter(client, make_user):
    make_user(Role.HEAD_OF_DIVISION, "19.04", username="kabid")
    for variant in (" kabid", "kabid ", "\tkabid", "KABID", "ｋａｂｉｄ") * 2:
        _fail(client, variant)
    response = _sign_in(client, " kabid")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # every failure is in the trail under the one name
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert set(failed.values_list("object_repr", flat=True)) == {"kabid"}


def test_an_account_is_locked_whatever_addresses_the_attempts_come_from(client, make_user):
    make_user(Role.HEAD_OF_DIVISION, "19.04", username="kabid")
    for number in range(20):
        _fail(client, "kabid", ip="10.2.0.{}".format(number))
    assert _sign_in(client, ip="10.9.9.9").status_code == 429
    # another account from the same addresses is not affected
    make_user(Role.VERIFIER, "19.04", username="verif")
    assert _sign_in(client, "verif", ip="10.2.0.1").status_code == 302


def test_the_admin_login_is_the_sites_sign_in(client, make_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
    # its old form does not sign anyone in, and failures count and are audited on ours
    admin = make_user(Role.SYSTEM_ADMIN, None, username="root.admin")
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    posted = client.post(
        "/admin/login/", {"username": "root.admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert posted.status_code == 302 and "_auth_user_id" not in client.session
    for _ in range(10):
        _fail(client, "root.admin")
    assert _sign_in(client, "root.admin").status_code == 429


@pytest.fixture
def redis_unreachable(monkeypatch):
    """The limiter's Redis is a closed port (the shared Redis keeps running)."""
    monkeypatch.setattr(
        ratelimit,
        "_client",
        redis.Redis.from_url(
            "redis://127.0.0.1:1/0", socket_connect_timeout=0.2, socket_timeout=0.2
        ),
    )
    redis_health.reset()
    yield
    redis_health.reset()


def test_without_redis_the_lockout_counts_the_audit_trail(client, make_user, redis_unreachable):
    make_user(Role.HEAD_OF_DIVISION, "19.04", username="kabid")
    # a right password still signs in while Redis is away ...
    assert _sign_in(client).status_code == 302
    client.logout()
    # ... and ten failures lock the account as they do with Redis
    for _ in range(10):
        assert _fail(client, "kabid").status_code == 200
    assert _sign_in(client).status_code == 429
    assert "_auth_user_id" not in client.session


def test_without_redis_wrong_authenticator_codes_still_lock(client, make_user, redis_unreachable):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    officer = make_user(Role.VERIFIER, "19.04", username="verif")
    device = TOTPDevice.objects.create(user=officer, name="hp", confirmed=True)
    assert _sign_in(client, "verif").status_code == 302
    for _ in range(10):
        client.post(reverse("core:two_factor"), {"token": "000000"})
    right = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    response = client.post(reverse("core:two_factor"), {"token": "{:06d}".format(right)})
    assert response.status_code == 200  # the form again, with the lockout message
    assert "15" in response.content.decode()
    assert client.get(reverse("dtks:household_list")).status_code != 200


@pytest.mark.parametrize(
    ("trust", "proxies", "peer", "header", "expected"),
    [
        (False, [], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # header ignored without trust
        (True, [], "172.18.0.5", "198.51.100.7", "198.51.100.7"),  # one proxy: its entry
        # a client-typed left-most entry is never taken: right-most untrusted wins
        (True, ["172.16.0.0/12"], "172.18.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (True, [], "172.18.0.5", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        # two proxy hops: skip both
        (
            True,
            ["172.16.0.0/12", "10.0.0.2"],
            "172.18.0.5",
            "198.51.100.7, 10.0.0.2",
            "198.51.100.7",
        ),
        # not from our proxy: the header means nothing
        (True, ["172.16.0.0/12"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),
        # garbage stops the walk at the peer
        (True, ["172.16.0.0/12"], "172.18.0.5", "nonsense", "172.18.0.5"),
    ],
)
def test_the_client_address_behind_proxies(settings, trust, proxies, peer, header, expected):
    settings.SILAKSO_TRUST_X_FORWARDED_FOR = trust
    settings.SILAKSO_TRUSTED_PROXIES = proxies
    assert client_ip(peer, header) == expected


def test_behind_the_proxy_each_resident_has_their_own_limit(client, settings, make_user):
    settings.SILAKSO_TRUST_X_FORWARDED_FOR = True
    settings.SILAKSO_TRUSTED_PROXIES = ["127.0.0.1"]
    make_user(Role.HEAD_OF_DIVISION, "19.04", username="kabid")
    for _ in range(10):
        client.post(
            reverse("core:login"),
            {"username": "kabid", "password": "salah"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    other = client.post(
        reverse("core:login"),
        {"username": "kabid", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 302
    ip = AuditEvent.objects.filter(action=AuditAction.LOGIN).values_list("ip", flat=True).get()
    assert ip == "198.51.100.8"


def test_pages_carry_a_strict_policy_and_are_not_cached(client, make_user, login, village_a):
    from core.middleware import CONTENT_SECURITY_POLICY

    login(client, make_user(Role.DATA_MANAGER, "19.04"))
    for url in (reverse("dtks:household_list"), "/api/v1/households/", reverse("core:login")):
        response = client.get(url)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "geolocation=(self)" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"], url


def test_no_page_template_has_an_inline_script():
    """The policy allows no inline script: every template uses static files instead."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if "batch_annex" in path.name:
            continue  # printed to PDF, never served to a browser
        for marker in (
            "<script>",
            '<script type="text/javascript">',
            ' style="',
        ):
            if marker in text:
                offenders.append((path.name, marker))
        # any inline event handler (onchange=, onclick=, onsubmit= ...) is inline code too
        offenders += [(path.name, m) for m in re.findall(r"\son[a-z]+=", text)]
    assert offenders == []


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    big = str(33 * 1024 * 1024)
    form = client.post(reverse("complaints:complaint_create"), {"x": "1"}, CONTENT_LENGTH=big)
    assert form.status_code == 413 and "32 MB" in form.content.decode()
    api = client.post(
        "/api/v1/complaints/", {}, content_type="application/json", CONTENT_LENGTH=big
    )
    assert api.status_code == 413 and api.json()["code"] == "too_large"
