"""Every read of personal data is in the audit trail, lists included; a NIK is shown only by
its last four digits, never beside a birth date, and cannot be confirmed by search."""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import services as core_services
from core.choices import AuditAction, Role
from core.models import AuditEvent
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db

#: API lists of reference data, not of people (regions, the program catalogue, providers'
#: services) and the caller's own jobs. Every other list must be audited.
NOT_PERSONAL = {
    "region-list",
    "program-list",
    "program-period-list",
    "provider-list",
    "service-list",
    "job-list",
}


def _list_routes():
    """Every `…-list` route under /api/v1/, read from the URLconf (not a hand-kept list)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (pattern.name or "").endswith("-list"):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/v1/") and "<" not in route and "(?P" not in route:
                    found.append((pattern.name, "/" + route.replace("^", "").replace("$", "")))

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_probe_finds_the_api_lists():
    names = {name for name, _route in _list_routes()}
    assert {"household-list", "individual-list", "application-list", "complaint-list"} <= names


@pytest.mark.parametrize(("name", "route"), _list_routes())
def test_each_api_list_of_personal_data_leaves_an_audit_row(client, login, make_user, name, route):
    admin = make_user(Role.SYSTEM_ADMIN, None)
    login(client, admin)
    before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    response = client.get(route)
    assert response.status_code in (200, 403), (route, response.status_code)
    rows = AuditEvent.objects.filter(action=AuditAction.VIEW).count() - before
    if response.status_code == 403 or name in NOT_PERSONAL:
        return
    assert rows == 1, "{} ({}) read without an audit row".format(route, name)
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("pk")
    assert event.actor == admin and event.changes["count"] == response.json()["count"]


def test_a_nik_search_is_audited_masked_and_limited(
    client, login, make_user, village_a, monkeypatch
):
    monkeypatch.setattr(core_services, "NIK_LOOKUPS_PER_HOUR", 3)
    officer = make_user(Role.DATA_MANAGER, "19.04")
    home = make_household(village_a, officer, head_name="Sumarni Lestari")
    nik = home.members.get().nik
    login(client, officer)
    found = client.get(reverse("dtks:household_list"), {"q": nik})
    assert list(found.context["page"]) == [home]
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, reason="NIK lookup").get()
    assert nik not in str(event.changes) and nik[-4:] in str(event.changes)
    # the API counts against the same hourly limit
    assert client.get("/api/v1/individuals/", {"nik": nik}).status_code == 200
    assert client.get("/api/v1/households/", {"q": nik}).status_code == 200
    refused = client.get("/api/v1/households/", {"q": nik})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    page = client.get(reverse("dtks:household_list"), {"q": nik})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    # a name search is not limited
    assert client.get(reverse("dtks:household_list"), {"q": "sumarni"}).status_code == 200


def test_a_nik_prefix_confirms_nothing(client, login, make_user, village_a):
    officer = make_user(Role.DATA_MANAGER, "19.04")
    home = make_household(village_a, officer)
    nik = home.members.get().nik
    login(client, officer)
    for prefix in (nik[:12], nik[:15]):
        page = client.get(reverse("dtks:household_list"), {"q": prefix}).context["page"]
        assert list(page) == [], prefix
        api = client.get("/api/v1/individuals/", {"q": prefix}).json()
        assert api["count"] == 0, prefix


def test_a_masked_nik_cannot_be_rebuilt_from_what_is_shown_beside_it(
    client, login, make_user, village_a
):
    """Everything the API shows of a person, tried as an attacker would: the district and the
    sex give 8 of the 12 hidden digits; the birth date is not shown, only the age, which leaves
    a year of dates — hundreds of candidates, not one."""
    officer = make_user(Role.DATA_MANAGER, "19.04")
    home = make_household(village_a, officer, head_name="Sumarni Lestari")
    person = home.members.get()
    login(client, officer)
    shown = client.get("/api/v1/individuals/", {"household": home.pk}).json()["results"][0]
    text = str(shown)
    assert person.nik not in text and shown["nik"] == "*" * 12 + person.nik[-4:]
    assert "birth_date" not in shown and person.birth_date.isoformat() not in text
    district = village_a.code.replace(".", "")[:6]
    today = dt.date.today()
    candidates = set()
    for days in range(shown["age"] * 365 - 5, (shown["age"] + 1) * 366 + 5):
        born = today - dt.timedelta(days=days)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age != shown["age"]:
            continue
        day = born.day + (40 if shown["sex"] == "female" else 0)
        candidates.add(
            "{}{:02d}{:02d}{:02d}{}".format(
                district, day, born.month, born.year % 100, shown["nik"][-4:]
            )
        )
    assert person.nik in candidates  # the attack is set up right ...
    assert len(candidates) >= 365  # ... and a guess is one in hundreds
    # the full NIK and birth date come only from the audited reveal
    revealed = client.post("/api/v1/individuals/{}/nik/".format(person.pk)).json()
    assert revealed == {"nik": person.nik, "birth_date": person.birth_date.isoformat()}
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_SENSITIVE, object_id=str(person.pk)
    ).exists()


@pytest.mark.parametrize("header", [None, "Token not-a-token", "Bearer abc"])
def test_a_missing_or_unknown_token_is_401_with_how_to_authenticate(client, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = client.get("/api/v1/households/", **extra)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Bearer"
    assert answer.json()["code"] in {"not_authenticated", "authentication_failed"}


def test_an_address_no_route_matches_answers_json_under_the_api(client, make_user):
    from core.tests.factories import issue_key

    key = issue_key(make_user(Role.API_CLIENT, "19.04")).key
    answer = client.get("/api/v1/households/0.5/", HTTP_AUTHORIZATION="Token " + key)
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert answer.json()["code"] == "not_found"
