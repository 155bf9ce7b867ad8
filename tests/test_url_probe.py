"""Every URL of the URLconf without parameters, probed with hostile parameters as an
installation-wide administrator and as a village operator: never a server error (a NUL byte, a
crafted date, an unknown ordering, a page that is no number), and the API's lists answer a
POST of nothing with a refusal, not a crash. The list is read from the URLconf, so a new page
is probed without anyone adding it here."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.choices import Role

pytestmark = pytest.mark.django_db

SKIP = ("admin/", "i18n/", "api/schema", "api/docs", "api/redoc", "__debug__", "bench/")
HOSTILE = "?q=%00&since=2026-13-45T99:99&until=%00&ordering=-nonexistent&page=abc&format=json"


def _routes():
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if "<" in route or "(?P" in route or route.startswith(SKIP):
                    continue
                route = route.replace("^", "").replace("$", "").replace("\\.", ".")
                if "(" in route or "[" in route:
                    continue
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


ROUTES = _routes()


def test_the_probe_covers_the_site():
    assert len(ROUTES) > 40
    assert "/registri/" in ROUTES and "/api/v1/households/" in ROUTES


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.VILLAGE_OPERATOR])
def test_no_url_answers_a_server_error_to_hostile_parameters(
    client, login, make_user, role, village_a
):
    user = make_user(role, None if role == Role.SYSTEM_ADMIN else village_a.code)
    login(client, user)
    failures = []
    for route in ROUTES:
        response = client.get(route + HOSTILE)
        if response.status_code >= 500:
            failures.append((route, response.status_code))
        if route.startswith("/api/v1/") and route.endswith("/"):
            posted = client.post(route, {}, content_type="application/json")
            if posted.status_code >= 500:
                failures.append(("POST " + route, posted.status_code))
    assert failures == []
