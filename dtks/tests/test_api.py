"""Registry API: filters, writes through services, 409 on stale edits, masking, query ceilings."""

import datetime as dt

import pytest
from django.urls import reverse

from core.choices import AuditAction, Role
from core.models import AuditEvent
from dtks import services
from dtks.models import Household
from dtks.tests.factories import kk_for, make_household, make_period, make_program, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def api(client, login, manager):
    return login(client, manager)


@pytest.fixture
def households(village_a, village_b, manager):
    poor = make_household(village_a, manager, head_name="Siti Rahayu", has_car=False)
    rich = make_household(village_b, manager, head_name="Budi Santoso", has_car=True)
    services.desil_record(
        household=poor, desil=2, as_of=dt.date(2026, 7, 1), source="t", actor=manager
    )
    services.desil_record(
        household=rich, desil=9, as_of=dt.date(2026, 7, 1), source="t", actor=manager
    )
    program = make_program("pkh")
    services.enrollment_create(
        program=program, period=make_period(program), household=poor, actor=manager
    )
    head = rich.members.get()
    services.member_move_in(
        household=rich,
        actor=manager,
        relation="spouse",
        reason="x",
        person=person(village_b.code, name="Istri Budi"),
    )
    services.member_death(individual=head, date=dt.date(2026, 2, 1), actor=manager, reason="x")
    return {"poor": poor, "rich": rich}


def _ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "siti rahyu"}, {"poor"}),  # a typo in the name
        ({"q": "SITI RÁHAYU"}, {"poor"}),  # accents and case
        ({"region": "19.04.01.1001"}, {"poor"}),
        ({"region": "19.04.02"}, {"rich"}),
        ({"desil_min": 5}, {"rich"}),
        ({"desil_max": 4}, {"poor"}),
        ({"program": "pkh"}, {"poor"}),
        ({"flag": "no_head"}, {"rich"}),
        ({"status": "active"}, {"poor", "rich"}),
        ({"status": "inactive"}, set()),
    ],
)
def test_each_household_filter(api, households, params, expected):
    response = api.get("/api/v1/households/", params)
    assert response.status_code == 200
    assert _ids(response) == {households[name].pk for name in expected}


def test_search_by_nik_and_kk(api, households):
    poor = households["poor"]
    nik = poor.members.get().nik
    kk = poor.families.get().kk_number
    assert _ids(api.get("/api/v1/households/", {"q": nik})) == {poor.pk}
    assert _ids(api.get("/api/v1/households/", {"q": kk})) == {poor.pk}
    found = api.get("/api/v1/individuals/", {"nik": nik}).json()["results"]
    assert [p["nik"] for p in found] == ["*" * 12 + nik[-4:]]


def test_list_hides_nik_and_reveal_is_audited(api, households, manager):
    body = api.get("/api/v1/households/{}/".format(households["poor"].pk)).json()
    head = body["members"][0]
    assert "*" in head["nik"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(body["id"])).exists()
    revealed = api.post("/api/v1/individuals/{}/nik/".format(head["id"])).json()["nik"]
    assert len(revealed) == 16 and "*" not in revealed
    assert AuditEvent.objects.filter(action=AuditAction.VIEW_SENSITIVE, actor=manager).count() == 1


def test_create_household_with_bad_nik_answers_field_errors(api, village_a):
    head = person(village_a.code, name="X", female=False)
    head["nik"] = "12345"
    payload = {
        "village": village_a.code,
        "address": "Jl. API",
        "kk_number": kk_for(village_a.code),
        "head": {**head, "birth_date": head["birth_date"].isoformat()},
    }
    response = api.post("/api/v1/households/", payload, content_type="application/json")
    assert response.status_code == 400
    assert "head_nik" in response.json()["fields"]
    assert not Household.objects.filter(address="Jl. API").exists()


def test_create_household_through_the_api(api, village_a):
    head = person(village_a.code, name="Baru", female=False)
    payload = {
        "village": village_a.code,
        "address": "Jl. API 2",
        "kk_number": kk_for(village_a.code),
        "head": {**head, "birth_date": head["birth_date"].isoformat()},
        "floor_material": "earth",
        "reason": "pendataan",
    }
    response = api.post("/api/v1/households/", payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["floor_material"] == "earth"
    assert response.json()["members"][0]["name"] == "Baru"


def test_stale_update_answers_409_with_the_changes(api, households):
    url = "/api/v1/households/{}/".format(households["poor"].pk)
    version = api.get(url).json()["version"]
    first = api.patch(
        url, {"version": version, "reason": "a", "toilet": "none"}, content_type="application/json"
    )
    assert first.status_code == 200
    second = api.patch(
        url,
        {"version": version, "reason": "b", "toilet": "private"},
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["code"] == "stale"
    assert second.json()["changes"]["events"][0]["changes"] == {"toilet": ["", "none"]}


def test_member_events_as_actions(api, households, village_a):
    poor = households["poor"]
    url = "/api/v1/households/{}/".format(poor.pk)
    baby = person(village_a.code, name="Bayi API", birth=dt.date.today() - dt.timedelta(days=3))
    response = api.post(
        url + "birth/",
        {**baby, "birth_date": baby["birth_date"].isoformat(), "reason": "lahir"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["member_count"] == 2
    history = api.get(url + "history/").json()["results"]
    assert history[0]["kind"] == "birth"
    # a death date before birth is a field error, not a 500
    child_id = next(m["id"] for m in response.json()["members"] if m["name"] == "Bayi API")
    bad = api.post(
        url + "death/",
        {"individual": child_id, "date": "2000-01-01", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "date" in bad.json()["fields"]


def test_double_dipping_via_api_answers_400_naming_the_reason_field(api, households, manager):
    poor = households["poor"]
    food = make_program("bpnt", aid="food")
    services.enrollment_create(
        program=food,
        period=make_period(food),
        household=poor,
        actor=api.session and households["poor"].created_by,
    )
    regional = make_program("sembako-daerah", funding="apbd_regency", aid="food")
    period = make_period(regional)
    response = api.post(
        "/api/v1/enrollments/",
        {"period": period.pk, "household": poor.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "double_dipping"
    assert "double_dip_reason" in response.json()["fields"]
    allowed = api.post(
        "/api/v1/enrollments/",
        {"period": period.pk, "household": poor.pk, "double_dip_reason": "bencana"},
        content_type="application/json",
    )
    assert allowed.status_code == 201


def test_list_endpoints_have_a_query_ceiling(api, households, django_assert_max_num_queries):
    for url in (
        "/api/v1/households/",
        "/api/v1/individuals/",
        "/api/v1/enrollments/",
        "/api/v1/families/",
        "/api/v1/programs/",
    ):
        with django_assert_max_num_queries(12):
            assert api.get(url).status_code == 200


def test_village_head_reads_but_cannot_write(client, login, make_user, households, village_a):
    login(client, make_user(Role.VILLAGE_HEAD, village_a.code))
    assert client.get("/api/v1/households/").status_code == 200
    url = "/api/v1/households/{}/".format(households["poor"].pk)
    response = client.patch(url, {"version": 1, "reason": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_openapi_schema_documents_registry_endpoints_with_examples(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/households/",
        "/api/v1/households/{id}/birth/",
        "/api/v1/individuals/{id}/nik/",
        "/api/v1/enrollments/",
        "/api/v1/cek-bansos/",
    ):
        assert path in schema["paths"], path
    create = schema["paths"]["/api/v1/households/"]["post"]
    assert "examples" in str(create)
    assert reverse("dtks-api:household-list") == "/api/v1/households/"


def test_the_official_desil_as_of_a_day(api, manager, village_a):
    home = make_household(village_a, manager)
    for desil, day in ((3, dt.date(2025, 6, 30)), (6, dt.date(2026, 6, 30))):
        services.desil_record(household=home, desil=desil, as_of=day, source="t", actor=manager)
    client = api
    url = "/api/v1/households/"
    now = client.get(url, {"village": village_a.code}).json()["results"][0]
    assert (now["desil"], now["desil_as_of"]) == (6, "2026-06-30")
    then = client.get(url, {"village": village_a.code, "as_of": "2025-12-31"}).json()
    assert (then["results"][0]["desil"], then["results"][0]["desil_as_of"]) == (3, "2025-06-30")
    # the desil filters read the same day's value
    poor_then = client.get(url, {"desil_max": 4, "as_of": "2025-12-31"}).json()["results"]
    assert [row["id"] for row in poor_then] == [home.pk]
    assert client.get(url, {"desil_max": 4}).json()["results"] == []
    before = client.get("{}{}/".format(url, home.pk), {"as_of": "2024-01-01"}).json()
    assert (before["desil"], before["desil_as_of"]) == (None, None)
    bad = client.get("{}{}/".format(url, home.pk), {"as_of": "31-31-2025"})
    assert bad.status_code == 400 and "as_of" in bad.json()["fields"]
