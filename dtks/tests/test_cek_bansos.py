"""The public status check: masked answers, no enumeration, rate limits, every lookup audited."""

import datetime as dt

import pytest

from core.choices import AuditAction, Role
from core.models import AuditEvent
from dtks import services
from dtks.tests.factories import make_household, make_period, make_program

pytestmark = pytest.mark.django_db

API = "/api/v1/cek-bansos/"


@pytest.fixture
def recipient(village_a, make_user):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    household = make_household(village_a, manager, head_name="Siti Rahayu Lestari")
    program = make_program("pkh")
    today = dt.date.today()
    period = make_period(
        program, starts=today - dt.timedelta(days=10), ends=today + dt.timedelta(days=80)
    )
    services.enrollment_create(program=program, period=period, household=household, actor=manager)
    return household.members.get()


def _post(client, nik, name, ip="10.0.0.1"):
    return client.post(
        API, {"nik": nik, "name": name}, content_type="application/json", REMOTE_ADDR=ip
    )


def test_found_answer_is_masked_and_lists_current_programs(client, recipient):
    response = _post(client, recipient.nik, "siti  rahayu lestari")
    body = response.json()
    assert response.status_code == 200
    assert body["found"] is True
    assert body["name"] == "SI** RA**** LE*****"
    assert recipient.nik not in response.content.decode()
    assert [p["program"] for p in body["programs"]] == ["PKH"]
    assert body["village"] == "Koba"


def test_unknown_nik_and_wrong_name_answer_exactly_the_same(client, recipient):
    wrong_name = _post(client, recipient.nik, "Budi Santoso", ip="10.0.0.2")
    unknown = _post(client, "1904011508800099", "Budi Santoso", ip="10.0.0.3")
    assert wrong_name.status_code == unknown.status_code == 200
    assert wrong_name.content == unknown.content


def test_html_page_gives_identical_answers_too(client, recipient):
    wrong = client.post(
        "/cek-bansos/", {"nik": recipient.nik, "name": "Budi"}, REMOTE_ADDR="10.1.0.1"
    )
    unknown = client.post(
        "/cek-bansos/", {"nik": "1904011508800099", "name": "Budi"}, REMOTE_ADDR="10.1.0.2"
    )

    def result(response):
        html = response.content.decode()
        start = html.index('data-testid="cek-result"')
        return html[start : html.index("</section>", start)]

    assert result(wrong) == result(unknown)
    found = client.post(
        "/cek-bansos/", {"nik": recipient.nik, "name": recipient.name}, REMOTE_ADDR="10.1.0.3"
    )
    assert "PKH" in result(found)


def test_every_lookup_is_audited_with_a_masked_nik(client, recipient):
    _post(client, recipient.nik, recipient.name)
    _post(client, "1904011508800099", "X")
    events = AuditEvent.objects.filter(action=AuditAction.LOOKUP).order_by("id")
    assert [e.reason for e in events] == ["cek bansos: found", "cek bansos: no match"]
    assert events[0].object_repr == "************" + recipient.nik[-4:]
    assert all(recipient.nik not in e.object_repr for e in events)


def test_one_nik_is_limited_to_five_checks_an_hour(client, recipient):
    answers = [
        _post(client, recipient.nik, "tebak {}".format(i), ip="10.2.0.{}".format(i))
        for i in range(6)
    ]
    assert [a.status_code for a in answers] == [200] * 5 + [429]


def test_one_address_is_limited_to_twenty_checks_an_hour(client, recipient):
    answers = [_post(client, "19040115088{:05d}".format(i), "x", ip="10.3.0.1") for i in range(21)]
    assert answers[-1].status_code == 429
    assert all(a.status_code == 200 for a in answers[:20])


def test_invalid_nik_gets_a_field_error(client):
    response = _post(client, "", "x")
    assert response.status_code == 400
    assert "nik" in response.json()["fields"]


@pytest.mark.django_db(transaction=True)
def test_prepared_lookup_answers_like_the_plain_one_and_is_audited_outside_a_transaction(
    client, regions, village_a, make_user
):
    # given a recipient, outside any test transaction (the path production requests take:
    # a prepared statement per connection and an audit row written in one round trip)
    manager = make_user(Role.DATA_MANAGER, "19.04")
    household = make_household(village_a, manager, head_name="Wati Prepared")
    program = make_program("bpnt")
    today = dt.date.today()
    period = make_period(
        program, starts=today - dt.timedelta(days=1), ends=today + dt.timedelta(days=30)
    )
    services.enrollment_create(program=program, period=period, household=household, actor=manager)
    head = household.members.get()
    # when the same person is looked up three times on one connection
    answers = [_post(client, head.nik, "wati prepared").json() for _ in range(3)]
    # then every answer is the same, with the program, and every lookup is in the audit trail
    assert answers[0] == answers[1] == answers[2]
    assert [item["program"] for item in answers[0]["programs"]] == ["BPNT"]
    assert AuditEvent.objects.filter(action=AuditAction.LOOKUP, object_id=str(head.pk)).count() == 3
    assert _post(client, head.nik, "someone else").json()["found"] is False
