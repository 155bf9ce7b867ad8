"""A real Celery worker consumes from real Redis: a job started in the UI runs with progress."""

import time

import pytest
from django.urls import reverse

from core.choices import JobStatus, Role
from core.models import Job
from dtks.models import Region

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_until_finished(job_id, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job did not finish in {seconds}s")


def test_region_reload_runs_in_the_worker_with_progress(
    client, login, make_user, regions, celery_worker_thread
):
    # given a system administrator (regions of two regencies are loaded)
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    login(client, admin)
    Region.objects.filter(code="19.04.01.1001").update(name="Nama Salah")
    # when the admin presses "Reload the official region list"
    response = client.post(reverse("dtks:region_reload"))
    # then a job is queued, the worker runs it, and the result is visible to the admin
    assert response.status_code == 302
    job = Job.objects.get(started_by=admin)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job = _wait_until_finished(job.pk, seconds=120)
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["counts"]["villages"] == 83762
    assert job.progress_total == job.progress_current == 91599
    assert Region.objects.get(code="19.04.01.1001").name == "Koba"
    page = client.get(reverse("core:job_detail", args=[job.pk]))
    assert page.context["progress"]["percent"] == 100
    api = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert api["status"] == "succeeded"


def test_another_user_cannot_see_my_job(client, login, make_user, regions, celery_worker_thread):
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    login(client, admin)
    client.post(reverse("dtks:region_reload"))
    job = Job.objects.get(started_by=admin)
    other = make_user(Role.DATA_MANAGER, "19.04")
    other_client = login(type(client)(), other)
    assert other_client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    assert other_client.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    _wait_until_finished(job.pk, seconds=120)
