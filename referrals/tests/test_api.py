"""The referral API as a partner system uses it: a provider's API client lists what was sent to
it, answers and reports the outcome, reads the household summary and nothing more; case
workers refer through the API too; errors name the field; the schema documents it all."""

import pytest
from django.urls import reverse

from core.choices import Role
from core.models import AuditEvent
from core.tests.factories import issue_key
from dtks.models import Household
from referrals.models import Referral

from .factories import (
    case,
    case_worker,
    provider,
    provider_api_client,
    referral,
    service,
)

pytestmark = pytest.mark.django_db


def _token_headers(user):
    return {"HTTP_AUTHORIZATION": "Token " + issue_key(user).key}


@pytest.fixture
def setting(village_a):
    health = service(provider("Dinas Kesehatan"))
    school = service(provider("Dinas Pendidikan"), "PIP", domain="education")
    opened = case(village_a)
    return {
        "health": health,
        "to_health": referral(opened, health),
        "to_school": referral(opened, school),
        "draft": referral(opened, health, send=False),
        "client": _token_headers(provider_api_client(health.provider)),
    }


def test_the_provider_system_lists_only_what_was_sent_to_it(client, setting):
    response = client.get(reverse("referrals-api:referral-list"), **setting["client"])
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [setting["to_health"].pk]
    for other in (setting["to_school"], setting["draft"]):
        assert (
            client.get(
                reverse("referrals-api:referral-detail", args=[other.pk]), **setting["client"]
            ).status_code
            == 404
        )
        answer = client.post(
            reverse("referrals-api:referral-accept", args=[other.pk]), **setting["client"]
        )
        assert answer.status_code == 404
    assert Referral.objects.get(pk=setting["to_school"].pk).status == "sent"


def test_the_provider_system_reads_the_summary_and_nothing_else_of_the_household(client, setting):
    headers = setting["client"]
    detail = client.get(
        reverse("referrals-api:referral-detail", args=[setting["to_health"].pk]), **headers
    ).json()
    assert detail["summary"]["name"] == "Rudi Santoso"
    assert len(detail["summary"]["nik"]) == 16
    assert AuditEvent.objects.filter(action="view_sensitive", reason="referral summary").exists()
    home = setting["to_health"].case.household
    # no registry, no cases, no complaints: the provider's account has no region
    assert client.get(reverse("dtks-api:household-list"), **headers).json()["count"] == 0
    assert (
        client.get(reverse("dtks-api:household-detail", args=[home.pk]), **headers).status_code
        == 404
    )
    assert client.get(reverse("referrals-api:case-list"), **headers).json()["count"] == 0
    assert client.get(reverse("complaints-api:complaint-list"), **headers).json()["count"] == 0
    assert Household.objects.filter(pk=home.pk).exists()


def test_the_provider_system_answers_and_reports_the_outcome(client, setting):
    headers = setting["client"]
    pk = setting["to_health"].pk

    def post(name, data=None):
        return client.post(
            reverse("referrals-api:referral-" + name, args=[pk]),
            data or {},
            content_type="application/json",
            **headers,
        )

    refused = post("decline", {"reason": ""})
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    assert post("accept").json()["status"] == "accepted"
    illegal = post("accept")
    assert illegal.status_code == 409
    assert set(illegal.json()["allowed_transitions"]) == {"in_service", "failed"}
    assert post("start").json()["status"] == "in_service"
    bad_value = post("complete", {"outcome": "KIS aktif", "value": "banyak"})
    assert bad_value.status_code == 400 and "value" in bad_value.json()["fields"]
    done = post("complete", {"outcome": "KIS aktif", "value": "150000"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["value"] == "150000"
    assert [step["to_status"] for step in done.json()["steps"]] == [
        "draft",
        "sent",
        "accepted",
        "in_service",
        "completed",
    ]
    noted = post("notes", {"text": "Peserta sudah kontrol pertama."})
    assert noted.status_code == 200
    # the provider cannot send or cancel: those are the case worker's steps
    assert post("cancel", {"reason": "tidak jadi"}).status_code == 403


def test_a_case_worker_refers_through_the_api_and_the_guard_answers(
    client, login, make_user, village_a
):
    # an officer uses the API through a signed-in session with the second factor (no token)
    worker = make_user(Role.FRONT_OFFICE, "19.04")
    login(client, worker)
    headers: dict = {}
    pbi = service(provider("Dinas Kesehatan"))
    opened = case(village_a, worker=case_worker(village_a))
    created = client.post(
        reverse("referrals-api:referral-list"),
        {"case": opened.pk, "service": pbi.pk, "need": "KIS tidak aktif"},
        content_type="application/json",
        **headers,
    )
    assert created.status_code == 201, created.content
    first = created.json()["id"]
    sent = client.post(
        reverse("referrals-api:referral-send", args=[first]),
        {},
        content_type="application/json",
        **headers,
    )
    assert sent.json()["status"] == "sent"
    second = client.post(
        reverse("referrals-api:referral-list"),
        {"case": opened.pk, "service": pbi.pk, "need": "KIS lagi"},
        content_type="application/json",
        **headers,
    ).json()["id"]
    guarded = client.post(
        reverse("referrals-api:referral-send", args=[second]),
        {},
        content_type="application/json",
        **headers,
    )
    assert guarded.status_code == 400
    assert guarded.json()["code"] == "duplicate_service"
    assert "duplicate_reason" in guarded.json()["fields"]
    assert Referral.objects.get(pk=second).status == "draft"
    closing = client.post(reverse("referrals-api:case-close", args=[opened.pk]), **headers)
    assert closing.status_code == 400 and closing.json()["code"] == "referrals_open"


def test_a_case_worker_of_another_regency_gets_404(client, login, make_user, setting):
    login(client, make_user(Role.FRONT_OFFICE, "19.01"))
    headers: dict = {}
    pk = setting["to_health"].pk
    assert (
        client.get(reverse("referrals-api:referral-detail", args=[pk]), **headers).status_code
        == 404
    )
    assert client.get(reverse("referrals-api:referral-list"), **headers).json()["count"] == 0
    assert client.get(reverse("referrals-api:case-list"), **headers).json()["count"] == 0


def test_the_schema_documents_the_integration(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/referrals/",
        "/api/v1/referrals/{id}/accept/",
        "/api/v1/referrals/{id}/decline/",
        "/api/v1/referrals/{id}/complete/",
        "/api/v1/provider-events/{provider_id}/",
        "/api/v1/letters/",
        "/api/v1/cases/",
    ):
        assert path in paths, path
    detail = paths["/api/v1/referrals/{id}/"]["get"]["responses"]["200"]["content"]
    assert "examples" in detail["application/json"]
    event = paths["/api/v1/provider-events/{provider_id}/"]["post"]
    assert {p["name"] for p in event["parameters"]} >= {
        "X-Silakso-Signature",
        "X-Silakso-Timestamp",
        "X-Silakso-Event-Id",
    }
