"""A partner system keeps its copy in step: "what changed since", page by page over a list that
changes while it pages (nothing skipped, nothing twice in a pass, the changes in the next pass),
and a bulk check of its own list of NIKs."""

import datetime as dt

import pytest

from core.choices import Role
from core.models import AuditEvent
from core.tests.factories import issue_key
from dtks import services
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/households/"


@pytest.fixture
def registry(village_a, make_user):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    homes = [make_household(village_a, manager, head_name="Warga {}".format(n)) for n in range(25)]
    return manager, homes


def _auth(make_user, scopes=("registry:read",)):
    return {
        "HTTP_AUTHORIZATION": "Bearer "
        + issue_key(make_user(Role.API_CLIENT, "19.04"), scopes=list(scopes)).key
    }


def test_a_sync_pass_misses_nothing_and_repeats_nothing_while_the_list_changes(
    client, registry, village_a, make_user
):
    manager, homes = registry
    auth = _auth(make_user)
    seen: list[int] = []
    page = client.get(URL, {"updated_since": "2000-01-01", "page_size": 10}, **auth).json()
    assert "count" not in page and page["sync_from"]
    seen += [row["id"] for row in page["results"]]
    # while the partner pages: a household already given changes, one ahead changes, one is new
    behind, ahead = homes[0], homes[-1]
    services.household_update(
        household=behind,
        data={"address": "Jl. Baru 1"},
        version=None,
        actor=manager,
        reason="pindah",
    )
    services.household_update(
        household=ahead,
        data={"address": "Jl. Baru 2"},
        version=None,
        actor=manager,
        reason="pindah",
    )
    newcomer = make_household(village_a, manager, head_name="Warga Baru")
    while page["next"]:
        page = client.get(page["next"], **auth).json()
        seen += [row["id"] for row in page["results"]]
    assert len(seen) == len(set(seen))  # nothing twice
    assert {h.pk for h in homes} | {newcomer.pk} <= set(seen)  # nothing skipped
    # the next pass brings what changed after this one began, the change behind included
    again = client.get(URL, {"updated_since": page["sync_from"]}, **auth).json()
    changed = {row["id"] for row in again["results"]}
    assert {behind.pk, ahead.pk, newcomer.pk} <= changed
    assert homes[5].pk not in changed


def test_sync_from_waits_for_a_transaction_still_open(client, registry, make_user):
    """A row written by a transaction that commits later carries an earlier time: sync_from
    is the start of the oldest open transaction, not "now"."""
    import psycopg2
    from django.db import connection

    auth = _auth(make_user)
    settings = connection.settings_dict
    other = psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=settings["USER"] or "postgres",
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT now()")
            opened = cursor.fetchone()[0]  # a transaction is now open in that session
        page = client.get(URL, {"updated_since": "2000-01-01"}, **auth).json()
        assert dt.datetime.fromisoformat(page["sync_from"]) <= opened
    finally:
        other.rollback()
        other.close()


def test_bad_sync_parameters_are_refused_with_the_parameter_named(client, registry, make_user):
    auth = _auth(make_user)
    bad_time = client.get(URL, {"updated_since": "kemarin"}, **auth)
    assert bad_time.status_code == 400 and "updated_since" in bad_time.json()["fields"]
    bad_cursor = client.get(URL, {"cursor": "bukan-kursor"}, **auth)
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["fields"]


def test_an_opd_checks_its_list_of_niks_in_one_call(client, registry, make_user, regions):
    _manager, homes = registry
    elsewhere = make_household(
        regions.filter(code__startswith="19.01.", level=4).first(),
        make_user(Role.DATA_MANAGER, "19.01"),
        head_name="Warga Bangka",
    )
    mine = homes[0].members.get(relation_to_head="head")
    outside = elsewhere.members.get(relation_to_head="head")
    auth = _auth(make_user)
    answer = client.post(
        "/api/v1/individuals/lookup/",
        {"niks": [mine.nik, outside.nik, "1904019999990001"]},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 200
    results = {row["nik"]: row for row in answer.json()["results"]}
    assert results[mine.nik]["found"] is True and results[mine.nik]["household"] == homes[0].pk
    assert "*" in results[mine.nik]["name"]  # masked
    # another regency's resident answers exactly like someone not registered
    assert results[outside.nik] == {"nik": outside.nik, "found": False}
    assert results["1904019999990001"] == {"nik": "1904019999990001", "found": False}
    assert AuditEvent.objects.filter(object_type="dtks.bulk_lookup").count() == 1
    # more than 1,000 at once is refused, the field named
    too_many = client.post(
        "/api/v1/individuals/lookup/",
        {"niks": [str(1904010000000000 + n) for n in range(1001)]},
        content_type="application/json",
        **auth,
    )
    assert too_many.status_code == 400 and "niks" in too_many.json()["fields"]


def test_any_valid_time_offset_is_accepted(client, registry, make_user):
    auth = _auth(make_user)
    far = client.get(URL, {"updated_since": "1941-05-21T08:43:02+18:02"}, **auth)
    assert far.status_code == 200 and len(far.json()["results"]) == 25
    # a moment before year 1 in UTC cannot be stored: refused, not a crash
    early = client.get(URL, {"updated_since": "0001-01-01T00:00:00+05:00"}, **auth)
    assert early.status_code == 400 and "updated_since" in early.json()["fields"]
