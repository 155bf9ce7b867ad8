"""API keys as managed credentials: least power by named scopes, an expiry, an address list,
stored hashed and shown once, rotated without downtime, revoked at once, last use recorded."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from core.apikeys import api_key_revoke, api_key_rotate, hash_key
from core.choices import AuditAction, Role
from core.models import ApiKey, AuditEvent
from core.tests.factories import issue_key
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db


def _auth(key):
    return {"HTTP_AUTHORIZATION": "Bearer " + key.key}


@pytest.fixture
def partner(make_user):
    return make_user(Role.API_CLIENT, "19.04")


def test_a_key_is_stored_only_as_its_hash(partner):
    key = issue_key(partner, scopes=["registry:read"])
    row = ApiKey.objects.get(pk=key.row.pk)
    assert key.key.startswith("slk_" + row.prefix + "_") and len(key.key) > 40
    assert row.key_hash == hash_key(key.key) and key.key not in str(row.__dict__)
    assert AuditEvent.objects.filter(object_type="core.apikey", action=AuditAction.CREATE).exists()


def test_each_key_does_only_what_its_scopes_name(client, partner, village_a, make_user):
    household = make_household(village_a, make_user(Role.DATA_MANAGER, "19.04"))
    person = household.members.first()
    reader = issue_key(partner, scopes=["registry:read"])
    # reads the registry, masked
    listed = client.get("/api/v1/households/", **_auth(reader))
    assert listed.status_code == 200 and listed.json()["count"] == 1
    # but changes nothing, sees no full NIK, and reads no aid requests
    for method, url in (
        ("patch", "/api/v1/households/{}/".format(household.pk)),
        ("post", "/api/v1/individuals/{}/nik/".format(person.pk)),
        ("get", "/api/v1/applications/"),
        ("get", "/api/v1/complaints/"),
        ("get", "/api/v1/audit-events/"),
    ):
        refused = getattr(client, method)(url, {}, content_type="application/json", **_auth(reader))
        assert refused.status_code == 403, url
        assert refused.json()["code"] == "scope_missing", url
    # a key with the NIK scope sees the full NIK, and the reading is audited
    revealer = issue_key(partner, scopes=["registry:read", "registry:nik"])
    shown = client.post("/api/v1/individuals/{}/nik/".format(person.pk), **_auth(revealer))
    assert shown.status_code == 200 and shown.json()["nik"] == person.nik
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE, actor=partner).exists()
    # reference data (regions, programs) every key reads
    intake_only = issue_key(partner, scopes=["complaints:intake"])
    assert client.get("/api/v1/programs/", **_auth(intake_only)).status_code == 200
    assert client.get("/api/v1/households/", **_auth(intake_only)).status_code == 403


def test_a_provider_key_reads_referrals_not_the_registry(client, make_user):
    system = make_user(Role.API_CLIENT, None)
    key = issue_key(system, scopes=["provider"])
    assert client.get("/api/v1/referrals/", **_auth(key)).status_code == 200
    assert client.get("/api/v1/households/", **_auth(key)).status_code == 403


def test_an_expired_or_revoked_key_is_401_and_says_why(client, partner):
    expired = issue_key(partner, scopes=["registry:read"])
    ApiKey.objects.filter(pk=expired.row.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    answer = client.get("/api/v1/me/", **_auth(expired))
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Bearer"
    revoked = issue_key(partner, scopes=["registry:read"])
    api_key_revoke(key=revoked.row, actor=None, reason="bocor")
    assert client.get("/api/v1/me/", **_auth(revoked)).status_code == 401


def test_rotation_keeps_both_keys_working_until_the_overlap_ends(client, partner):
    old = issue_key(partner, scopes=["registry:read"])
    new_row, new_raw = api_key_rotate(key=old.row, actor=None, overlap_hours=24)
    assert new_row.scopes == ["registry:read"]
    new = {"HTTP_AUTHORIZATION": "Bearer " + new_raw}
    assert client.get("/api/v1/households/", **_auth(old)).status_code == 200
    assert client.get("/api/v1/households/", **new).status_code == 200
    old.row.refresh_from_db()
    assert old.row.expires_at <= timezone.now() + dt.timedelta(hours=24, seconds=5)
    # once the overlap has passed, only the new key works
    ApiKey.objects.filter(pk=old.row.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert client.get("/api/v1/households/", **_auth(old)).status_code == 401
    assert client.get("/api/v1/households/", **new).status_code == 200


def test_a_key_works_only_from_its_addresses_and_records_its_last_use(client, partner):
    key = issue_key(partner, scopes=["registry:read"], allowed_ips=["203.0.113.0/24"])
    elsewhere = client.get("/api/v1/me/", REMOTE_ADDR="198.51.100.4", **_auth(key))
    assert elsewhere.status_code == 403
    inside = client.get("/api/v1/me/", REMOTE_ADDR="203.0.113.9", **_auth(key))
    assert inside.status_code == 200
    key.row.refresh_from_db()
    assert key.row.last_used_ip == "203.0.113.9" and key.row.last_used_at is not None


def test_a_bad_scope_or_address_is_refused_with_the_field_named(partner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as bad:
        issue_key(partner, scopes=["registry:everything"])
    assert "scopes" in bad.value.message_dict
    with pytest.raises(ValidationError) as bad:
        issue_key(partner, scopes=["registry:read"], allowed_ips=["kantor dinkes"])
    assert "allowed_ips" in bad.value.message_dict


def test_every_api_view_decides_what_a_key_needs():
    """A new endpoint must declare its scopes; until it does, no key may use it."""
    undecided = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                view = getattr(pattern.callback, "cls", None)
                if not route.startswith("api/v1/") or view is None:
                    continue
                if not view.authentication_classes:
                    continue  # signed by a secret (a provider's, the SMS gateway's), not a key
                if getattr(view, "client_scopes", None) is None:
                    undecided.append(route)

    walk(get_resolver().url_patterns, "")
    assert undecided == []


def test_the_command_prints_a_key_once_with_what_it_may_do(partner, client):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("issue_api_key", partner.username, scopes="registry:read", days=30, stdout=out)
    raw = out.getvalue().split()[0]
    assert client.get("/api/v1/households/", HTTP_AUTHORIZATION="Bearer " + raw).status_code == 200
    assert "registry:read" in out.getvalue()


def test_the_schema_opens_with_a_key_too(client, partner):
    key = issue_key(partner, scopes=["complaints:intake"])
    assert client.get("/api/schema/", **_auth(key)).status_code == 200
