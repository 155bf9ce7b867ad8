"""The application API: intake by a partner system, transitions as actions, 409 with the allowed
next steps, scope (404 outside), filters, and the OpenAPI schema."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from applications.tests.factories import applicant_of, deliberate, household, program, submit
from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def bpnt():
    return program("bpnt")


@pytest.fixture
def poor(village_a):
    return household(village_a, desil=2)


def _deliberated(application, make_user):
    return deliberate(application)


def test_a_partner_system_submits_a_request_with_a_retry_key(client, make_user, bpnt, poor):
    api_user = make_user(Role.API_CLIENT, "19.04", username="sistem.mpp")
    token = issue_key(api_user)
    body = {
        "program": "bpnt",
        "village": poor.village_id,
        "channel": "api",
        "submission_key": "mpp-42",
        **{k: v for k, v in applicant_of(poor).items() if k != "email"},
    }
    headers = {"HTTP_AUTHORIZATION": "Token " + token.key}
    first = client.post("/api/v1/applications/", body, content_type="application/json", **headers)
    again = client.post("/api/v1/applications/", body, content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "awaiting_deliberation"
    assert first.json()["applicant_nik"].count("*") >= 8  # masked
    assert [s["to_status"] for s in first.json()["steps"]] == ["submitted", "awaiting_deliberation"]


def test_an_illegal_transition_answers_409_with_the_allowed_next_steps(
    client, login, make_user, bpnt, poor
):
    application = submit(bpnt, poor)
    login(client, make_user(Role.VERIFIER, "19.04"))
    response = client.post(
        f"/api/v1/applications/{application.pk}/verify/", {}, content_type="application/json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert set(body["allowed_transitions"]) == {"deliberated", "rejected", "withdrawn"}


def test_verify_and_reject_actions(client, login, make_user, bpnt, poor, village_a):
    application = _deliberated(submit(bpnt, poor), make_user)
    login(client, make_user(Role.VERIFIER, "19.04"))
    response = client.post(
        f"/api/v1/applications/{application.pk}/verify/",
        {"note": "ok"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "verified"
    other = _deliberated(submit(bpnt, household(village_a, head_name="Dua")), make_user)
    missing_reason = client.post(
        f"/api/v1/applications/{other.pk}/reject/", {}, content_type="application/json"
    )
    assert missing_reason.status_code == 400 and "reason" in missing_reason.json()["fields"]


def test_the_wrong_role_gets_403_and_another_area_gets_404(
    client, login, make_user, bpnt, poor, village_b
):
    application = _deliberated(submit(bpnt, poor), make_user)
    login(client, make_user(Role.VILLAGE_OPERATOR, poor.village_id))
    forbidden = client.post(
        f"/api/v1/applications/{application.pk}/verify/", {}, content_type="application/json"
    )
    assert forbidden.status_code == 403
    login(client, make_user(Role.VILLAGE_OPERATOR, village_b.code))
    assert client.get(f"/api/v1/applications/{application.pk}/").status_code == 404
    assert client.get("/api/v1/applications/").json()["count"] == 0
    login(client, make_user(Role.VERIFIER, "19.01"))
    outside = client.post(
        f"/api/v1/applications/{application.pk}/verify/", {}, content_type="application/json"
    )
    assert outside.status_code == 404
    assert Application.objects.get(pk=application.pk).status == "deliberated"


def test_status_is_read_only_and_filters_work(client, login, make_user, bpnt, poor, village_a):
    first = submit(bpnt, poor)
    submit(program("pkh", documents="KTP"), household(village_a, desil=9, head_name="Mampu"))
    login(client, make_user(Role.VERIFIER, "19.04"))
    waiting = client.get("/api/v1/applications/", {"status": "awaiting_deliberation"}).json()
    assert [row["code"] for row in waiting["results"]] == [first.code]
    by_program = client.get("/api/v1/applications/", {"program": "pkh"}).json()
    assert by_program["count"] == 1 and by_program["results"][0]["status"] == "needs_update"
    assert client.get("/api/v1/applications/", {"q": first.code}).json()["count"] == 1
    patch = client.patch(
        f"/api/v1/applications/{first.pk}/", {"status": "verified"}, content_type="application/json"
    )
    assert patch.status_code == 405


def test_the_list_does_not_grow_queries_with_rows(client, login, make_user, bpnt, village_a):
    for number in range(3):
        submit(bpnt, household(village_a, head_name="Warga {}".format("ABC"[number])))
    login(client, make_user(Role.VERIFIER, "19.04"))
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/applications/")
    for number in range(5):
        submit(bpnt, household(village_a, head_name="Lagi {}".format("ABCDE"[number])))
    with CaptureQueriesContext(connection) as many:
        client.get("/api/v1/applications/")
    assert len(many) == len(few)


def test_update_proposals_and_batches_through_the_api(client, login, make_user, bpnt, village_a):
    application = submit(bpnt, household(village_a, desil=9, head_name="Mampu"))
    proposal = application.update_proposal
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    filled = client.post(
        f"/api/v1/update-proposals/{proposal.pk}/fill/",
        {"variables": {"floor_material": "earth", "toilet": "none"}},
        content_type="application/json",
    )
    assert filled.status_code == 200 and filled.json()["status"] == "variables_filled"
    bad = client.post(
        f"/api/v1/update-proposals/{proposal.pk}/fill/",
        {"variables": {"floor_material": "gold"}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "floor_material" in bad.json()["fields"]
    manager = make_user(Role.DATA_MANAGER, "19.04")
    login(client, manager)
    created = client.post(
        "/api/v1/batches/",
        {"regency": "19.04", "name": "Usulan API", "cutoff": dt.date.today().isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201
    empty = client.post(
        f"/api/v1/batches/{created.json()['id']}/finalise/", content_type="application/json"
    )
    assert empty.status_code == 400


def test_the_schema_documents_the_flow(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/applications/{id}/verify/",
        "/api/v1/applications/{id}/withdraw/",
        "/api/v1/update-proposals/{id}/ground-check/",
        "/api/v1/deliberations/",
        "/api/v1/batches/{id}/ratify/",
        "/api/v1/batches/{id}/results/",
        "/api/v1/objections/{id}/answer/",
    ):
        assert path in schema, path
    assert "allowed_transitions" in schema
