"""Every staff credential carries the second factor: the superuser made by createsuperuser and
any staff account; API tokens only for partner systems."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

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


def test_an_officers_token_is_refused_and_a_partner_systems_token_works(client, make_user):
    officer = Token.objects.create(user=make_user(Role.DATA_MANAGER, "19.04"))
    refused = client.get("/api/v1/households/", HTTP_AUTHORIZATION="Token " + officer.key)
    assert refused.status_code in (401, 403)
    assert "API client" in refused.json()["detail"] or "klien API" in refused.json()["detail"]
    partner = Token.objects.create(user=make_user(Role.API_CLIENT, "19.04"))
    answered = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token " + partner.key)
    assert answered.status_code == 200


def test_the_admin_offers_tokens_for_api_clients_only(client, login, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, None)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    officer = make_user(Role.VERIFIER, "19.04")
    partner = make_user(Role.API_CLIENT, "19.04")
    login(client, admin)
    url = reverse("admin:authtoken_tokenproxy_add")
    refused = client.post(url, {"user": officer.pk})
    assert refused.status_code == 200 and not Token.objects.filter(user=officer).exists()
    made = client.post(url, {"user": partner.pk})
    assert made.status_code == 302 and Token.objects.filter(user=partner).exists()
