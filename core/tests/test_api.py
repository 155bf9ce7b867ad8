"""API conventions: one error shape, pagination, schema and docs, token authentication."""

import pytest

from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


def test_token_authenticated_partner_system_reads_its_account(client, make_user):
    api_user = make_user(Role.API_CLIENT, "19.04", username="sistem.mitra")
    token = issue_key(api_user)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token " + token.key)
    assert response.status_code == 200
    assert response.json()["role"] == "api_client"
    assert response.json()["region"] == "19.04"


def test_unknown_object_uses_the_common_error_shape(client, login, make_user):
    login(client, make_user(Role.VERIFIER, "19.04"))
    response = client.get("/api/v1/regions/99.99/")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "detail"}
    assert response.json()["code"] == "not_found"


def test_validation_errors_name_the_field(client, login, make_user):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    response = client.get("/api/v1/audit-events/", {"since": "not-a-date"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "since" in response.json()["fields"]


def test_lists_are_paginated_with_a_bounded_page_size(client, login, make_user):
    login(client, make_user(Role.VERIFIER, "19.04"))
    body = client.get("/api/v1/regions/", {"page_size": 2}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert body["count"] > 2


def test_schema_and_docs_are_served_locally(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/regions/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()


def test_messages_follow_accept_language(client):
    indonesian = client.get("/api/v1/me/").json()["detail"]
    english = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert indonesian != english
