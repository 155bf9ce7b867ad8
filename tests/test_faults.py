"""Faults injected on real services the suite starts itself: a Redis of its own (stopped,
hung, restarted), a Celery worker process (its pool process killed, the whole worker killed)
and the worker's database sessions (terminated, as in a PostgreSQL restart). After every fault
the job ends, nothing stays running, and what was submitted is stored once.

The machine's shared PostgreSQL and Redis are never touched (silakso.testing.processes).
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from core.choices import JobStatus, Role
from core.models import Job
from core.tests.factories import issue_key
from dtks.models import Region
from dtks.services import region_reload_start
from silakso.testing import broker_at, worker_database_url
from silakso.testing.processes import (
    RedisServer,
    WorkerProcess,
    terminate_worker_connections,
    wait_until,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

KOBA = "19.04.01.1001"


@pytest.fixture
def fault_redis():
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(fault_redis, regions):
    """start_worker(beat=False) → a worker process on the fault Redis (stopped afterwards)."""
    started = []

    def start(**options):
        worker = WorkerProcess(fault_redis.url, worker_database_url(), **options).start()
        started.append(worker)
        return worker

    with broker_at(fault_redis.url):
        yield start
        for worker in started:
            worker.stop()


def _reload_job(make_user):
    """A region reload (91,599 rows, a few seconds) that puts back a misspelt village name."""
    Region.objects.filter(code=KOBA).update(name="Nama Salah")
    return region_reload_start(actor=make_user(Role.SYSTEM_ADMIN, "19.04"))


def _running_with_progress(job_id):
    job = Job.objects.get(pk=job_id)
    return job.status == JobStatus.RUNNING and job.progress_current > 0


def _finished(job_id, seconds=120) -> Job:
    return wait_until(
        lambda: (job := Job.objects.get(pk=job_id)).is_finished and job, seconds, 0.2, "job end"
    )


def _nothing_running() -> bool:
    return not Job.objects.filter(status=JobStatus.RUNNING).exists()


def test_a_job_whose_pool_process_is_killed_runs_again_to_the_end(start_worker, make_user):
    worker = start_worker()
    job = _reload_job(make_user)
    wait_until(lambda: _running_with_progress(job.pk), 60, what="progress")
    # when the process running the job is killed (out of memory, say)
    worker.kill_pool_process()
    # then the job is claimed again once its lease runs out and finishes
    job = _finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, worker.tail()
    assert job.attempts == 2
    assert Region.objects.get(code=KOBA).name == "Koba"
    assert _nothing_running() and worker.alive()


def test_a_job_of_a_killed_worker_is_run_by_another_worker_after_the_sweep(start_worker, make_user):
    from core.jobs import jobs_sweep

    first = start_worker()
    job = _reload_job(make_user)
    wait_until(lambda: _running_with_progress(job.pk), 60, what="progress")
    # when the whole worker dies (its message stays unacknowledged in Redis)
    first.kill()
    second = start_worker()
    # then the sweep finds the lease run out, puts the job back and sends it again
    swept = wait_until(lambda: jobs_sweep()["requeued"], 30, 0.5, "lease expiry")
    assert swept == 1
    job = _finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, second.tail()
    assert job.attempts == 2 and Region.objects.get(code=KOBA).name == "Koba"
    assert _nothing_running()


def test_a_job_whose_database_sessions_are_terminated_runs_again(start_worker, make_user):
    worker = start_worker()
    job = _reload_job(make_user)
    wait_until(lambda: _running_with_progress(job.pk), 60, what="progress")
    # when PostgreSQL ends the worker's sessions (a restart, as seen from the worker)
    assert terminate_worker_connections() >= 1
    job = _finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, worker.tail()
    assert job.attempts >= 2
    assert Region.objects.get(code=KOBA).name == "Koba"
    assert _nothing_running()


def test_the_worker_outlives_a_redis_outage_and_takes_work_after_it(
    start_worker, fault_redis, make_user
):
    worker = start_worker()
    job = _reload_job(make_user)
    wait_until(lambda: _running_with_progress(job.pk), 60, what="progress")
    # when Redis goes away while the job runs, and comes back
    fault_redis.stop()
    job = _finished(job.pk)  # the job's work and progress are in the database
    fault_redis.start()
    # then the job has finished, the worker is still there and takes the next job
    assert job.status == JobStatus.SUCCEEDED, worker.tail()
    assert worker.alive(), worker.tail()
    following = _reload_job(make_user)
    assert _finished(following.pk).status == JobStatus.SUCCEEDED, worker.tail()
    assert worker.alive() and _nothing_running()


def test_a_job_queued_while_redis_is_down_runs_soon_after_it_returns(
    start_worker, fault_redis, make_user
):
    worker = start_worker(beat=True)
    # when a job is started while Redis is down: the job is stored, not sent
    fault_redis.stop()
    job = _reload_job(make_user)
    assert Job.objects.get(pk=job.pk).enqueued_at is None
    fault_redis.start()
    # then the sweep (every 2 s in this worker's beat) sends it once Redis is back
    job = _finished(job.pk, 60)
    assert job.status == JobStatus.SUCCEEDED, worker.tail()
    assert job.attempts == 1 and worker.alive()


# ---------------------------------------------------------------------------- the web side
def _cache_at(url):
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "silakso.cache.FailSoftRedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            }
        }
    )


def _partner(make_user):
    token = issue_key(make_user(Role.API_CLIENT, "19.04"))
    return {"HTTP_AUTHORIZATION": "Token " + token.key}


def _submissions(client, headers, village, number):
    from applications.tests.factories import household

    home = household(village, head_name="Warga Gangguan {}".format(number))
    head = home.members.get()
    application = client.post(
        "/api/v1/applications/",
        {
            "program": "bpnt",
            "village": village.code,
            "channel": "api",
            "nik": head.nik,
            "name": head.name,
            "phone": "081234567890",
            "address": home.address,
            "submission_key": "gangguan-a-{}".format(number),
        },
        content_type="application/json",
        **headers,
    )
    complaint = client.post(
        "/api/v1/complaints/",
        {
            "category": "health",
            "channel": "api",
            "village": village.code,
            "description": "Pasien ditolak karena KIS nonaktif.",
            "nik": head.nik,
            "name": head.name,
            "submission_key": "gangguan-c-{}".format(number),
        },
        content_type="application/json",
        **headers,
    )
    return application, complaint


@pytest.mark.parametrize("fault", ["stopped", "hung"])
def test_the_api_and_the_job_page_answer_while_redis_is_down_or_hung(
    client, login, make_user, fault_redis, village_a, fault
):
    from applications.models import Application
    from applications.tests.factories import program
    from complaints.models import Complaint
    from silakso import redis_health

    program("bpnt")
    headers = _partner(make_user)
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    with _cache_at(fault_redis.url), broker_at(fault_redis.url):
        if fault == "stopped":
            fault_redis.stop()
        else:
            fault_redis.pause()
        try:
            for url in ("/api/v1/me/", "/api/v1/households/", "/api/v1/jobs/"):
                assert client.get(url, **headers).status_code == 200, url
            for number in range(3):
                application, complaint = _submissions(client, headers, village_a, number)
                assert application.status_code == 201, application.content[:300]
                assert complaint.status_code == 201, complaint.content[:300]
            # the job a user started while Redis was away: stored, and its page opens
            login(client, admin)
            job = region_reload_start(actor=admin)
            page = client.get(reverse("core:job_detail", args=[job.pk]))
            assert page.status_code == 200
            assert redis_health.is_down("cache") and redis_health.is_down("broker")
        finally:
            if fault == "hung":
                fault_redis.resume()
    # made = stored: every submission is there, once
    assert Application.objects.filter(channel="api").count() == 3
    assert Complaint.objects.filter(channel="api").count() == 3
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_a_waiting_batch_job_never_delays_a_residents_message(start_worker, make_user):
    """Two queues: the interactive pool sends a message while the batch queue is busy or
    has no worker at all; the batch job runs when a batch worker takes it."""
    from django.db import transaction

    from core.choices import NotificationStatus
    from core.models import Notification
    from core.services import notification_queue

    start_worker(queues="interactive")
    # given a heavy job waiting in the batch queue, which no worker of this pool takes
    job = _reload_job(make_user)
    # when a resident's SMS is queued
    with transaction.atomic():
        message = notification_queue(
            channel="sms", recipient="081234567890", subject="", body="Usulan Anda diterima"
        )
    # then it is sent at once, while the job still waits
    wait_until(
        lambda: Notification.objects.get(pk=message.pk).status == NotificationStatus.SENT,
        30,
        0.2,
        "message sent",
    )
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    # and a batch worker runs the job to the end
    batch = start_worker(queues="batch")
    job = _finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, batch.tail()
    assert Region.objects.get(code=KOBA).name == "Koba"
