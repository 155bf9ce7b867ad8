"""/healthz: 200 when database, Redis and a worker answer; 503 naming what is down."""

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_health_fails_without_a_worker(client):
    # no worker consumes the test broker in this test
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is False


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_fails_when_redis_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_health_is_green_with_a_real_worker(client, celery_worker_thread):
    response = client.get("/healthz")
    assert response.json()["checks"]["worker"]["ok"] is True
    assert response.status_code == 200
