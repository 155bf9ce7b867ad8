"""Every list page of the site and every list endpoint of the API answers in a number of
queries that does not grow with the rows on the page (no query per row), under a ceiling.

The endpoints are found from the URLconf (every name ending in ``_list`` or ``-list``), so a new
list cannot be forgotten; each is read twice, with a few rows and with more, by an account that
sees them all.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from applications.tests.factories import deliberate, household, program, submit
from complaints.tests.factories import complaint
from core.choices import Role
from core.tests.factories import issue_key, make_user
from referrals.tests.factories import case, provider, provider_admin, referral, service

pytestmark = pytest.mark.django_db

CEILING = 30
# Lists read by another account than the head of division (who sees everything else).
READER = {
    "core:operator_list": Role.VILLAGE_HEAD,
    "referrals:provider_list": Role.BACK_OFFICE,
    "referrals:letter_list": Role.FRONT_OFFICE,
    "core:api_client_list": Role.SYSTEM_ADMIN,
    "core:user_admin_list": Role.SYSTEM_ADMIN,
    "core:message_template_list": Role.SYSTEM_ADMIN,
}
# Lists that are not pages of data (the Django admin's own index).
NOT_DATA = {"admin:app_list"}


def _list_names():
    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                yield from walk(pattern, ":".join(p for p in (namespace, inner) if p))
            elif (
                isinstance(pattern, URLPattern)
                and (pattern.name or "").endswith(("_list", "-list"))
                and not pattern.pattern.regex.groups
            ):
                yield "{}:{}".format(namespace, pattern.name) if namespace else pattern.name

    return sorted(set(walk(get_resolver())) - NOT_DATA)


def _world(village, people, count: int, offset: int) -> None:
    """``count`` more rows of every kind the lists show, in ``village``."""
    from dtks.models import Program

    bpnt = Program.objects.filter(code="bpnt").first() or program("bpnt")
    health = service(provider("Dinas Kesehatan {}".format(offset)))
    for number in range(offset, offset + count):
        home = household(village, head_name="Warga Nomor {}".format(number))
        application = submit(bpnt, home)
        deliberate(application, people["head"])
        complaint(village, home=home)
        opened = case(village, home=household(village, head_name="Kasus {}".format(number)))
        referral(opened, health)
        issue_key(make_user(Role.API_CLIENT, "19.04"), scopes=["registry:read"])


@pytest.fixture
def people(make_user, village_a):
    return {
        "head": make_user(Role.VILLAGE_HEAD, village_a.code),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04"),
    }


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("name", _list_names())
def test_a_list_does_not_query_per_row(client, login, make_user, village_a, people, name):
    role = READER.get(name, Role.HEAD_OF_DIVISION)
    user = (
        people["kabid"]
        if role == Role.HEAD_OF_DIVISION
        else make_user(role, village_a.code if role == Role.VILLAGE_HEAD else "19.04")
    )
    login(client, user)
    url = reverse(name)
    _world(village_a, people, 2, 0)
    few = _count(client, url)
    _world(village_a, people, 4, 10)
    many = _count(client, url)
    assert many <= few, "{}: {} queries with more rows, {} with fewer".format(url, many, few)
    assert many <= CEILING, "{}: {} queries".format(url, many)


def test_the_provider_portal_does_not_query_per_row(client, login, village_a, people):
    owner = provider("Dinas Sosial Provinsi")
    login(client, provider_admin(owner))
    health = service(owner)
    for number in range(2):
        referral(case(village_a, head_name="Portal {}".format(number)), health)
    few = _count(client, reverse("referrals:portal"))
    for number in range(2, 6):
        referral(case(village_a, head_name="Portal {}".format(number)), health)
    many = _count(client, reverse("referrals:portal"))
    assert many <= few <= CEILING
