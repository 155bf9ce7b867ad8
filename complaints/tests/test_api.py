"""Complaint API: a partner system submits a complaint and reads its status later; steps are
actions with 409 and the allowed next steps; scope."""

import pytest

from applications.tests.factories import household
from complaints.tests.factories import complaint
from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


def test_a_partner_system_submits_and_later_reads_the_status(client, make_user, village_a):
    home = household(village_a)
    head = home.members.get()
    token = issue_key(make_user(Role.API_CLIENT, "19.04"))
    headers = {"HTTP_AUTHORIZATION": "Token " + token.key}
    created = client.post(
        "/api/v1/complaints/",
        {
            "category": "health",
            "channel": "api",
            "village": village_a.code,
            "description": "Pasien ditolak karena KIS nonaktif.",
            "nik": head.nik,
            "name": head.name,
            "submission_key": "partner-1",
        },
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "received" and body["complainant_nik"].count("*") >= 8
    later = client.get("/api/v1/complaints/{}/".format(body["id"]), **headers).json()
    assert later["code"] == body["code"] and [s["to_status"] for s in later["steps"]] == [
        "received"
    ]


def test_steps_through_the_api_with_409(client, login, make_user, village_a):
    created = complaint(village_a)
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    early = client.post(
        f"/api/v1/complaints/{created.pk}/close/",
        {"told_via": "sms"},
        content_type="application/json",
    )
    assert early.status_code == 409
    assert set(early.json()["allowed_transitions"]) == {"resolved", "forwarded", "in_review"}
    forwarded = client.post(
        f"/api/v1/complaints/{created.pk}/forward/", {}, content_type="application/json"
    )
    assert forwarded.status_code == 200 and forwarded.json()["status"] == "forwarded"


def test_another_village_gets_404(client, login, make_user, village_a, village_b):
    created = complaint(village_a)
    login(client, make_user(Role.VILLAGE_OPERATOR, village_b.code))
    assert client.get(f"/api/v1/complaints/{created.pk}/").status_code == 404
    assert (
        client.post(
            f"/api/v1/complaints/{created.pk}/forward/", {}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/api/v1/complaints/").json()["count"] == 0


def test_the_schema_documents_complaints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/complaints/",
        "/api/v1/complaints/{id}/resolve/",
        "/api/v1/complaints/{id}/update-proposal/",
    ):
        assert path in schema
