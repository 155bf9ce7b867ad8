"""A regency's system administrator runs its partner systems in the app: registers one, issues
a key with only what it needs (shown once), replaces it without downtime, revokes it; nobody
else, and no administrator of another regency, can."""

import re

import pytest
from django.urls import reverse

from core.choices import Role
from core.models import ApiKey, User

pytestmark = pytest.mark.django_db


def _key_on(page) -> str:
    found = re.search(r"slk_[0-9a-f]{8}_[A-Za-z0-9_\-]+", page.content.decode())
    assert found, "no key on the page"
    return found.group(0)


def test_an_administrator_issues_a_scoped_key_and_revokes_it(client, login, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    login(client, admin)
    # registers Dinas Kesehatan's system for the regency
    made = client.post(
        reverse("core:api_client_create"),
        {"username": "sistem.dinkes.bateng", "full_name": "Sistem Dinkes", "region": "19.04"},
    )
    partner = User.objects.get(username="sistem.dinkes.bateng")
    assert partner.role == Role.API_CLIENT and not partner.has_usable_password()
    assert made.url == reverse("core:api_key_create", args=[partner.pk])
    # a key with no scope ticked is refused, the field named
    refused = client.post(made.url, {"name": "server", "scopes": []})
    assert refused.status_code == 200 and "scopes" in refused.context["form"].errors
    bad_ip = client.post(
        made.url, {"name": "server", "scopes": ["registry:read"], "allowed_ips": "kantor"}
    )
    assert "allowed_ips" in bad_ip.context["form"].errors
    # the key is shown once
    shown = client.post(made.url, {"name": "server dinkes", "scopes": ["registry:read"]})
    raw = _key_on(shown)
    assert "no-store" in shown["Cache-Control"]
    listing = client.get(reverse("core:api_client_list"))
    assert raw not in listing.content.decode() and raw[:12] in listing.content.decode()
    # it opens the registry read-only
    api = type(client)()
    assert api.get("/api/v1/households/", HTTP_AUTHORIZATION="Bearer " + raw).status_code == 200
    # replacing it: both work, the new one is shown once
    key = ApiKey.objects.get(client=partner)
    replaced = client.post(reverse("core:api_key_rotate", args=[key.pk]))
    new_raw = _key_on(replaced)
    assert new_raw != raw
    for k in (raw, new_raw):
        assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer " + k).status_code == 200
    # revoking stops it at once
    client.post(reverse("core:api_key_revoke", args=[key.pk]), {"reason": "diganti"})
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer " + raw).status_code == 401


def test_partner_systems_are_managed_only_by_administrators_of_their_area(client, login, make_user):
    from core.tests.factories import issue_key

    partner = make_user(Role.API_CLIENT, "19.04")
    key = issue_key(partner, scopes=["registry:read"])
    other_admin = make_user(Role.SYSTEM_ADMIN, "19.01")
    login(client, other_admin)
    assert partner.full_name not in client.get(reverse("core:api_client_list")).content.decode()
    assert client.get(reverse("core:api_key_create", args=[partner.pk])).status_code == 404
    assert client.post(reverse("core:api_key_revoke", args=[key.row.pk])).status_code == 404
    assert client.post(reverse("core:api_key_rotate", args=[key.row.pk])).status_code == 404
    key.row.refresh_from_db()
    assert key.row.revoked_at is None and ApiKey.objects.count() == 1
    manager = make_user(Role.DATA_MANAGER, "19.04")
    login(type(client)(), manager)
    other = type(client)()
    login(other, manager)
    assert other.get(reverse("core:api_client_list")).status_code == 403
