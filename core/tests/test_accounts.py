"""Accounts: roles need a fitting region, operators wait for their village head, SoD is enforced."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.choices import AuditAction, Role
from core.models import AuditEvent, User
from core.services import user_activate, user_create, user_deactivate
from core.tests.factories import PASSWORD
from silakso.exceptions import Forbidden, SeparationOfDutiesError

pytestmark = pytest.mark.django_db


def test_village_operator_account_starts_inactive_and_cannot_sign_in(client, village_a):
    # given
    operator = user_create(
        username="op",
        full_name="Op",
        role=Role.VILLAGE_OPERATOR,
        region=village_a,
        password=PASSWORD,
        actor=None,
    )
    # when
    response = client.post(reverse("core:login"), {"username": "op", "password": PASSWORD})
    # then
    assert operator.is_active is False
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_village_head_activates_operator_of_own_village(make_user, village_a):
    # given
    head = make_user(Role.VILLAGE_HEAD, village_a.code)
    operator = user_create(
        username="op", full_name="Op", role=Role.VILLAGE_OPERATOR, region=village_a, actor=None
    )
    # when
    user_activate(user=operator, actor=head)
    # then
    operator.refresh_from_db()
    assert operator.is_active is True
    assert operator.activated_by == head
    assert AuditEvent.objects.filter(
        action=AuditAction.ACTIVATE, object_id=str(operator.pk), actor=head
    ).exists()


def test_village_head_cannot_activate_operator_of_another_village(make_user, village_a, village_b):
    head = make_user(Role.VILLAGE_HEAD, village_b.code)
    operator = user_create(
        username="op", full_name="Op", role=Role.VILLAGE_OPERATOR, region=village_a, actor=None
    )
    with pytest.raises(Forbidden):
        user_activate(user=operator, actor=head)
    operator.refresh_from_db()
    assert operator.is_active is False


def test_verifier_cannot_activate_operators(make_user, village_a):
    verifier = make_user(Role.VERIFIER, "19.04")
    operator = user_create(
        username="op", full_name="Op", role=Role.VILLAGE_OPERATOR, region=village_a, actor=None
    )
    with pytest.raises(Forbidden):
        user_activate(user=operator, actor=verifier)


def test_deactivating_is_one_click_and_stops_sessions(client, login, make_user, village_a):
    # given an active operator with an open session
    head = make_user(Role.VILLAGE_HEAD, village_a.code)
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    operator_client = login(type(client)(), operator)
    assert operator_client.get(reverse("core:home")).status_code == 200
    # when the village head presses "Deactivate"
    login(client, head)
    response = client.post(reverse("core:operator_deactivate", args=[operator.pk]))
    # then
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.is_active is False
    assert operator_client.get(reverse("core:home")).context["user"].is_authenticated is False


def test_nobody_activates_their_own_account(make_user, village_a):
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    with pytest.raises(SeparationOfDutiesError):
        user_deactivate(user=admin, actor=admin)


@pytest.mark.parametrize(
    ("role", "region_code", "ok"),
    [
        (Role.VILLAGE_OPERATOR, "19.04.01.1001", True),
        (Role.VILLAGE_OPERATOR, "19.04.01", False),
        (Role.SUPERVISOR, "19.04.01", True),
        (Role.SUPERVISOR, "19.04", False),
        (Role.VERIFIER, "19.04", True),
        (Role.VERIFIER, "19.04.01.1001", False),
        (Role.VERIFIER, None, False),
        (Role.RESIDENT, "19.04", False),
    ],
)
def test_role_needs_a_region_of_the_right_level(regions, role, region_code, ok):
    region = regions.get(code=region_code) if region_code else None
    user = User(username="x", full_name="X", role=role, region=region)
    user.set_unusable_password()
    if ok:
        user.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            user.full_clean()
        assert "region" in excinfo.value.message_dict


def test_login_is_rate_limited_per_username_and_ip(client, make_user, village_a):
    make_user(Role.VILLAGE_HEAD, village_a.code, username="kades")
    for _ in range(10):
        client.post(reverse("core:login"), {"username": "kades", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "kades", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failed.exclude(reason="locked out").count() == 10
    assert failed.filter(reason="locked out").count() == 1


def test_a_deactivated_partner_systems_keys_stop_at_once(client, make_user):
    from core.apikeys import api_keys_revoke_all
    from core.tests.factories import issue_key

    partner = make_user(Role.API_CLIENT, "19.04")
    key = issue_key(partner)
    auth = {"HTTP_AUTHORIZATION": "Bearer " + key.key}
    assert client.get("/api/v1/me/", **auth).status_code == 200
    type(partner).objects.filter(pk=partner.pk).update(is_active=False)
    assert client.get("/api/v1/me/", **auth).status_code == 401
    assert api_keys_revoke_all(client=partner, actor=None) == 1
    key.row.refresh_from_db()
    assert key.row.revoked_at is not None
