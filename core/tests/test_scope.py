"""The scope rule itself: prefix on canonical codes; no-region rows only for regency-wide roles."""

import pytest

from core.choices import AuditAction, Role
from core.models import AuditEvent
from core.scope import region_in_scope, region_q
from core.services import audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(regions):
    return {
        code: audit_log(
            actor=None, action=AuditAction.UPDATE, object_repr=str(code), region_code=code
        )
        for code in ("19.04.01.1001", "19.04.01.1002", "19.04.02.2001", "19.01.01.2001", None)
    }


def _visible(user):
    return set(
        AuditEvent.objects.filter(region_q(user, "region_code"), object_type="").values_list(
            "object_repr", flat=True
        )
    )


def test_village_user_sees_only_own_village(make_user, events):
    user = make_user(Role.VILLAGE_OPERATOR, "19.04.01.1001")
    assert _visible(user) == {"19.04.01.1001"}


def test_district_user_sees_villages_of_the_district_but_not_unregioned_rows(make_user, events):
    user = make_user(Role.SUPERVISOR, "19.04.01")
    assert _visible(user) == {"19.04.01.1001", "19.04.01.1002"}


def test_regency_user_sees_the_regency_and_rows_without_region(make_user, events):
    user = make_user(Role.VERIFIER, "19.04")
    assert _visible(user) == {"19.04.01.1001", "19.04.01.1002", "19.04.02.2001", "None"}


def test_residents_and_providers_see_no_regional_rows(make_user, events):
    assert _visible(make_user(Role.RESIDENT)) == set()
    assert _visible(make_user(Role.PROVIDER_ADMIN)) == set()


def test_inactive_user_sees_nothing(make_user, events):
    user = make_user(Role.VERIFIER, "19.04")
    user.is_active = False
    assert _visible(user) == set()


def test_code_prefix_does_not_leak_into_a_longer_sibling_code(make_user, regions):
    user = make_user(Role.SUPERVISOR, "19.04.01")
    assert region_in_scope(user, "19.04.01.1001")
    assert not region_in_scope(user, "19.04.010")
    assert not region_in_scope(user, "19.04.02.2001")
    assert not region_in_scope(user, None)
