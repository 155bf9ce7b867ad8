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


def test_recipient_list_import_runs_in_the_worker_and_reports_rejected_rows(
    client, login, make_user, village_a, celery_worker_thread, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtks.models import Enrollment
    from dtks.tests.factories import make_household, make_period, make_program

    settings.MEDIA_ROOT = str(tmp_path)
    # given a data manager, a household in the registry and a program period
    manager = make_user(Role.DATA_MANAGER, "19.04")
    household = make_household(village_a, manager)
    program = make_program("bpnt", aid="food")
    period = make_period(program)
    csv = "nik;nama\n{};Ahmad\n3201011508950001;Tidak Ada\n".format(household.members.get().nik)
    login(client, manager)
    # when the official list is uploaded on the period page
    response = client.post(
        reverse("dtks:period_detail", args=[period.pk]),
        {"file": SimpleUploadedFile("penerima.csv", csv.encode("utf-8-sig"))},
    )
    # then the worker enrolls the known household and reports the unknown NIK
    job = Job.objects.get(started_by=manager)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job = _wait_until_finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["accepted"] == 1
    assert job.result["rejected"] == 1
    assert Enrollment.objects.filter(period=period, household=household).exists()
    report = client.get(reverse("core:job_report", args=[job.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "3201011508950001" in body
    assert "line" in body.splitlines()[0]


def test_registry_import_runs_in_the_worker_with_a_rejected_rows_report(
    client, login, make_user, regions, celery_worker_thread, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtks.models import Individual
    from dtks.synthetic import write_import_file

    settings.MEDIA_ROOT = str(tmp_path)
    manager = make_user(Role.DATA_MANAGER, "19.04")
    buffer = io.StringIO()
    write_import_file(handle=buffer, region_code="19.04.01", individuals=40, seed=9)
    lines = buffer.getvalue().splitlines()
    lines.append(lines[1])  # the same person twice: one row must be rejected
    login(client, manager)
    response = client.post(
        reverse("dtks:registry_import"),
        {
            "file": SimpleUploadedFile("dtks.csv", "\n".join(lines).encode()),
            "extract_date": "2026-11-01",
        },
    )
    job = Job.objects.get(started_by=manager)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    job = _wait_until_finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["individuals_created"] == 40
    assert job.result["rejected"] == 1
    assert job.progress_current == job.progress_total == 100
    assert Individual.objects.count() == 40
    report = b"".join(client.get(reverse("core:job_report", args=[job.pk])).streaming_content)
    assert str(len(lines)).encode() in report  # the line number of the duplicate


def test_a_period_list_export_queued_while_redis_was_down_runs_when_the_sweep_resends_it(
    regions, make_user, village_a, celery_worker_thread
):
    import datetime as dt

    from applications import services
    from applications.models import Batch
    from applications.tests.factories import program, verified
    from core.services import jobs_sweep
    from silakso.testing import broker_unreachable

    # given a ratified period list with one verified request
    verified(program("bpnt"), village_a)
    manager = make_user(Role.DATA_MANAGER, "19.04")
    batch = services.batch_create(
        regency=village_a.parent.parent, name="Usulan", cutoff=dt.date.today(), actor=manager
    )
    services.batch_finalise(batch=batch, actor=manager)
    services.batch_ratify(
        batch=batch,
        actor=make_user(Role.REGENT_OFFICE, "19.04"),
        number="1/2026",
        date=dt.date.today(),
    )
    # when the export is started while Redis cannot be reached
    with broker_unreachable():
        job = services.batch_export_start(batch=batch, actor=manager)
    time.sleep(1)
    # then the request is saved and the job waits in the database, not lost
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    assert Batch.objects.get(pk=batch.pk).status == "ratified"
    # and once Redis is back, the periodic sweep sends it again and the worker runs it
    assert jobs_sweep()["sent"] >= 1
    job = _wait_until_finished(job.pk)
    assert job.status == JobStatus.SUCCEEDED
    assert Batch.objects.get(pk=batch.pk).status == "exported"
    assert job.result["rows"] == 1


def test_a_referral_sent_in_the_ui_reaches_the_provider_system_through_the_worker(
    client, login, make_user, regions, village_a, celery_worker_thread
):
    from referrals.models import WebhookDelivery
    from referrals.tests.factories import case, provider, referral, service
    from silakso.testing import HttpReceiver, broker_unreachable

    partner = HttpReceiver(answers=(200,))
    try:
        health = service(provider("Dinas Kesehatan", webhook_url=partner.url))
        opened = case(village_a)
        officer = make_user(Role.FRONT_OFFICE, "19.04")
        # while Redis is down the referral is still sent and its delivery kept in the database
        draft = referral(opened, health, worker=officer, send=False)
        login(client, officer)
        with broker_unreachable():
            response = client.post(
                reverse("referrals:referral_action", args=[draft.pk, "kirim"]),
                {"duplicate_reason": ""},
            )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == "sent"
        delivery = WebhookDelivery.objects.get(referral=draft)
        assert delivery.status == "pending" and partner.requests == []
        # a second referral, sent with Redis up, is delivered by the worker right away
        second = referral(
            opened, service(health.provider, "Jaminan persalinan"), worker=officer, send=False
        )
        client.post(
            reverse("referrals:referral_action", args=[second.pk, "kirim"]),
            {"duplicate_reason": "Layanan berbeda untuk anggota lain."},
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not partner.requests:
            time.sleep(0.2)
        assert WebhookDelivery.objects.get(referral=second).status == "delivered"
        # and the periodic sweep delivers what waited during the outage
        from referrals.tasks import deliver_due_webhooks_task

        deliver_due_webhooks_task.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(partner.requests) < 2:
            time.sleep(0.2)
        assert WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered"
        assert len(partner.requests) == 2
    finally:
        partner.stop()


def test_a_registry_round_is_compared_and_applied_by_the_worker_through_the_pages(
    client, login, make_user, regions, celery_worker_thread, settings, tmp_path
):
    import datetime as dt
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dtks import bulk
    from dtks.models import Household, RegistryRound
    from dtks.synthetic import write_import_file

    settings.MEDIA_ROOT = str(tmp_path)
    manager = make_user(Role.DATA_MANAGER, "19.04")
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    buffer = io.StringIO()
    write_import_file(handle=buffer, region_code="19.04.01", individuals=40, seed=9)
    lines = buffer.getvalue().splitlines()
    data = "\n".join(lines).encode()
    bulk.registry_import(handle=io.BytesIO(data), filename="lama.csv", actor=manager)
    gone = lines[1].split(",")[0]  # the first household leaves the national data
    kept = [line for line in lines[1:] if line.split(",")[0] != gone]
    extract = "\n".join([lines[0], *kept, kept[-1]])  # one person twice: a rejected row
    # the data manager uploads the next extract
    login(client, manager)
    form = client.get(reverse("dtks:round_create")).context["form"]
    response = client.post(
        reverse("dtks:round_create"),
        {
            "name": "DTSEN Q4",
            "extract_date": (dt.date.today() - dt.timedelta(days=2)).isoformat(),
            "file": SimpleUploadedFile("dtsen.csv", extract.encode()),
            "submission_key": form["submission_key"].value(),
        },
    )
    registry_round = RegistryRound.objects.get()
    assert response["Location"] == reverse("dtks:round_detail", args=[registry_round.pk])
    job = _wait_until_finished(registry_round.compare_job_id)
    assert job.status == JobStatus.SUCCEEDED, job.message
    page = client.get(response["Location"]).content.decode()
    assert "usulkan" in page  # the data manager's next step
    registry_round.refresh_from_db()
    assert registry_round.counts["rejected"] >= 1
    report = b"".join(client.get(reverse("core:job_report", args=[job.pk])).streaming_content)
    assert str(len(kept) + 2).encode() in report  # its line (the header is line 1)
    # nothing changed yet
    assert Household.objects.get(dtks_id=gone).status == "active"
    client.post(reverse("dtks:round_step", args=[registry_round.pk, "usulkan"]), {"note": ""})
    # the head of division approves; the worker applies it
    login(client, kabid)
    home = client.get(reverse("core:home")).content.decode()
    assert "DTSEN Q4" in home  # the round waits on the head of division's landing page
    client.post(reverse("dtks:round_step", args=[registry_round.pk, "setujui"]), {"note": "OK"})
    registry_round.refresh_from_db()
    job = _wait_until_finished(registry_round.apply_job_id, seconds=120)
    assert job.status == JobStatus.SUCCEEDED, job.message
    registry_round.refresh_from_db()
    assert registry_round.status == "applied"
    assert Household.objects.get(dtks_id=gone).status == "retired"
    assert registry_round.counts["households_retired"] == 1
    report = client.get(reverse("dtks:round_detail", args=[registry_round.pk])).content.decode()
    assert "Sebelum" in report and "Sesudah" in report  # before / after per district
