"""Every staff credential carries the second factor: the superuser made by createsuperuser and
any staff account; API tokens only for partner systems."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.choices import Role
from core.models import User

pytestmark = pytest.mark.django_db


def test_createsuperuser_makes_a_system_administrator_who_needs_the_second_factor(
    client, monkeypatch, regions
):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Kuat-sekali-2026!")
    call_command(
        "createsuperuser",
        interactive=False,
        username="admin.pusat",
        email="admin@dinsos.example.go.id",
        verbosity=0,
    )
    admin = User.objects.get(username="admin.pusat")
    assert (admin.role, admin.region_id, admin.is_staff) == (Role.SYSTEM_ADMIN, None, True)
    assert admin.needs_two_factor
    # a password alone opens nothing: the admin and the registry wait for the authenticator
    assert client.login(username="admin.pusat", password="Kuat-sekali-2026!")
    for url in ("/admin/", reverse("dtks:household_list"), "/api/v1/households/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("core:two_factor")), url


def test_staff_status_needs_the_second_factor_whatever_the_role_says(make_user):
    resident_with_admin_access = make_user(Role.RESIDENT, None)
    assert not resident_with_admin_access.needs_two_factor
    User.objects.filter(pk=resident_with_admin_access.pk).update(is_staff=True)
    resident_with_admin_access.refresh_from_db()
    assert resident_with_admin_access.needs_two_factor


def test_an_officers_key_is_refused_and_a_partner_systems_key_works(client, make_user):
    from django.core.exceptions import ValidationError

    from core.apikeys import SCOPES, api_key_issue, hash_key
    from core.models import ApiKey
    from core.tests.factories import issue_key

    officer = make_user(Role.DATA_MANAGER, "19.04")
    with pytest.raises(ValidationError):
        api_key_issue(client=officer, name="x", scopes=["registry:read"], actor=None)
    # a key row written for an officer by other means still opens nothing
    ApiKey.objects.create(
        client=officer,
        name="x",
        prefix="forged",
        key_hash=hash_key("slk_forged"),
        scopes=list(SCOPES),
    )
    refused = client.get("/api/v1/households/", HTTP_AUTHORIZATION="Bearer slk_forged")
    assert refused.status_code == 401
    assert "API client" in refused.json()["detail"] or "klien API" in refused.json()["detail"]
    partner = issue_key(make_user(Role.API_CLIENT, "19.04"))
    answered = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer " + partner.key)
    assert answered.status_code == 200


def test_the_admin_lists_keys_but_never_makes_one(client, login, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, None)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    login(client, admin)
    assert client.get(reverse("admin:core_apikey_changelist")).status_code == 200
    assert client.get(reverse("admin:core_apikey_add")).status_code == 403
