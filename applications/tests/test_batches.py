"""Period lists: finalisation up to the cut-off, the regent's ratification with its PDF annex and
QR verification page, the ministry upload file, and the ministry's results reaching residents."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications import services
from applications.choices import ApplicationStatus as A
from applications.choices import BatchStatus
from applications.exports import COLUMNS
from applications.models import Application, Batch
from applications.tests.factories import program
from applications.tests.factories import verified as verified_request
from core.choices import Role
from core.models import Job, Notification
from silakso.exceptions import DomainError, SeparationOfDutiesError

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, village_a, village_b):
    return {
        "head_a": make_user(Role.VILLAGE_HEAD, village_a.code),
        "head_b": make_user(Role.VILLAGE_HEAD, village_b.code),
        "verifier": make_user(Role.VERIFIER, "19.04"),
        "manager": make_user(Role.DATA_MANAGER, "19.04"),
        "regent": make_user(Role.REGENT_OFFICE, "19.04"),
    }


def _verified(village, head, verifier, name, prog):
    return verified_request(prog, village, name=name, head=head, verifier=verifier)


@pytest.fixture
def verified(people, village_a, village_b):
    bpnt = program("bpnt")
    pkh = program("pkh", documents="KTP")
    return [
        _verified(village_a, people["head_a"], people["verifier"], "Siti Aminah", bpnt),
        _verified(village_a, people["head_a"], people["verifier"], "Rina Wati", pkh),
        _verified(village_b, people["head_b"], people["verifier"], "Joko Susilo", bpnt),
    ]


@pytest.fixture
def regency(village_a):
    return village_a.parent.parent


def _ratified(people, regency):
    batch = services.batch_create(
        regency=regency,
        name="Usulan Desember 2026",
        cutoff=dt.date.today(),
        actor=people["manager"],
    )
    services.batch_finalise(batch=batch, actor=people["manager"])
    services.batch_ratify(
        batch=batch, actor=people["regent"], number="188.45/123/2026", date=dt.date.today()
    )
    services.batch_annex_render(batch_id=batch.pk)
    return Batch.objects.get(pk=batch.pk)


def test_finalisation_takes_the_verified_requests_up_to_the_cut_off(people, verified, regency):
    late = verified[2]
    Application.objects.filter(pk=late.pk).update(verified_at=timezone.now() + dt.timedelta(days=3))
    batch = services.batch_create(
        regency=regency,
        name="Usulan Desember 2026",
        cutoff=dt.date.today(),
        actor=people["manager"],
    )
    batch = services.batch_finalise(batch=batch, actor=people["manager"])
    assert batch.status == BatchStatus.FINALISED
    assert set(batch.applications.values_list("pk", flat=True)) == {verified[0].pk, verified[1].pk}
    assert Application.objects.get(pk=verified[0].pk).status == A.FINALISED
    assert Application.objects.get(pk=late.pk).status == A.VERIFIED
    # every resident in the list is told, in one sweep
    assert Notification.objects.filter(
        object_id=str(verified[0].pk), body__contains="daftar"
    ).exists()


def test_an_empty_list_cannot_be_finalised(people, regency):
    batch = services.batch_create(
        regency=regency, name="Kosong", cutoff=dt.date.today(), actor=people["manager"]
    )
    with pytest.raises(DomainError):
        services.batch_finalise(batch=batch, actor=people["manager"])
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.OPEN


def test_whoever_verified_a_request_cannot_ratify_its_list(people, verified, regency):
    batch = services.batch_create(
        regency=regency, name="Usulan", cutoff=dt.date.today(), actor=people["manager"]
    )
    services.batch_finalise(batch=batch, actor=people["manager"])
    verifier = people["verifier"]
    verifier.role = Role.REGENT_OFFICE  # moved to the regent's office, same account
    verifier.save(update_fields=["role"])
    with pytest.raises(SeparationOfDutiesError):
        services.batch_ratify(batch=batch, actor=verifier, number="1", date=dt.date.today())
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.FINALISED


def test_ratification_produces_an_annex_per_village_with_totals_and_a_qr_code(
    people, verified, regency, village_a, village_b, client
):
    batch = _ratified(people, regency)
    assert all(a.status == A.RATIFIED for a in batch.applications.all())
    text = "\n".join(page.extract_text() for page in PdfReader(batch.annex.open("rb")).pages)
    assert "188.45/123/2026" in text
    assert village_a.name in text and village_b.name in text
    assert "Siti Aminah" in text and "Joko Susilo" in text
    # the NIK is masked in the annex
    assert verified[0].applicant_nik not in text
    assert verified[0].applicant_nik[-4:] in text
    assert batch.verification_token in text.replace("\n", "")
    assert len(batch.annex_sha256) == 64
    # the QR code's page confirms the list with its totals, without names
    page = client.get(reverse("applications:batch_verify", args=[batch.verification_token]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "188.45/123/2026" in body and batch.annex_sha256 in body
    assert "Siti Aminah" not in body
    assert (
        client.get(reverse("applications:batch_verify", args=["forged-token"])).status_code == 404
    )


def test_ratification_queues_the_annex_as_a_job(people, verified, regency):
    batch = services.batch_create(
        regency=regency, name="Usulan", cutoff=dt.date.today(), actor=people["manager"]
    )
    services.batch_finalise(batch=batch, actor=people["manager"])
    services.batch_ratify(batch=batch, actor=people["regent"], number="7", date=dt.date.today())
    job = Job.objects.get(kind="applications.annex")
    assert job.task_kwargs == {"batch_id": batch.pk}
    assert job.started_by == people["regent"]


def test_the_ministry_file_has_one_row_per_request_and_marks_them_sent(people, verified, regency):
    batch = _ratified(people, regency)
    result = services.batch_export_run(batch_id=batch.pk, actor=people["manager"])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    rows = list(csv.DictReader(io.StringIO(batch.export_file.open("rb").read().decode())))
    assert result["rows"] == len(rows) == 3
    assert list(rows[0]) == list(COLUMNS)
    by_nik = {row["NIK"]: row for row in rows}
    first = by_nik[verified[0].applicant_nik]
    assert first["KODE_USULAN"] == verified[0].code
    assert first["NO_SK"] == "188.45/123/2026"
    assert first["KODE_WILAYAH"] == verified[0].village_id.replace(".", "")
    assert first["JENIS_MUSYAWARAH"] == "SPTJM"
    assert all(a.status == A.EXPORTED for a in batch.applications.all())
    # running the job again (a duplicate delivery) changes nothing
    assert services.batch_export_run(batch_id=batch.pk, actor=people["manager"])["rows"] == 3


def test_ministry_results_reach_each_resident_and_bad_lines_are_reported(people, verified, regency):
    batch = _ratified(people, regency)
    services.batch_export_run(batch_id=batch.pk, actor=people["manager"])
    content = (
        "kode_usulan;hasil;keterangan\n"
        "{};diterima;Mulai Januari 2027\n"
        "{};tidak diterima;Kuota habis\n"
        "U-XXXX-YYYY;diterima;\n"
        "{};barangkali;\n".format(verified[0].code, verified[1].code, verified[2].code)
    ).encode()
    result = services.batch_results_import(
        batch=batch, handle=SimpleUploadedFile("hasil.csv", content), actor=people["manager"]
    )
    assert (result["accepted"], result["not_accepted"]) == (1, 1)
    assert [row["line"] for row in result["rejected"]] == [4, 5]
    accepted = Application.objects.get(pk=verified[0].pk)
    assert accepted.status == A.ACCEPTED and accepted.ministry_note == "Mulai Januari 2027"
    assert Application.objects.get(pk=verified[1].pk).status == A.NOT_ACCEPTED
    assert Application.objects.get(pk=verified[2].pk).status == A.EXPORTED
    assert Notification.objects.filter(
        object_id=str(accepted.pk), body__contains="diterima"
    ).exists()


def test_results_without_the_needed_columns_are_refused_as_a_file(people, verified, regency):
    batch = _ratified(people, regency)
    services.batch_export_run(batch_id=batch.pk, actor=people["manager"])
    with pytest.raises(DomainError):
        services.batch_results_import(
            batch=batch,
            handle=SimpleUploadedFile("x.csv", b"nama,status\na,b\n"),
            actor=people["manager"],
        )
    assert not Application.objects.filter(status__in=[A.ACCEPTED, A.NOT_ACCEPTED]).exists()


def test_the_annex_and_the_ministry_file_give_the_desil_valid_on_the_decree_date(
    people, verified, regency
):
    from dtks import services as registry

    # given a new national ranking dated after the decree (desil 6 from next month)
    household = verified[0].household
    later = dt.date.today() + dt.timedelta(days=30)
    registry.desil_record(
        household=household, desil=6, as_of=later, source="DTSEN baru", actor=people["manager"]
    )
    household.refresh_from_db()
    assert household.desil == 6  # the registry shows the newest value
    # when the list is ratified today and its files are written
    batch = _ratified(people, regency)
    services.batch_export_run(batch_id=batch.pk, actor=people["manager"])
    batch.refresh_from_db()
    rows = list(csv.DictReader(io.StringIO(batch.export_file.open("rb").read().decode())))
    # then both give desil 3, the value on the decree's date
    assert {row["NIK"]: row["DESIL"] for row in rows}[verified[0].applicant_nik] == "3"
    text = "\n".join(page.extract_text() for page in PdfReader(batch.annex.open("rb")).pages)
    line = next(line for line in text.splitlines() if verified[0].code in line)
    assert " 3 " in " {} ".format(line) and " 6 " not in " {} ".format(line)


def test_a_ratified_list_invites_each_resident_to_rate_the_service_once(people, verified, regency):
    from core.models import Notification

    batch = _ratified(people, regency)
    invited = Notification.objects.filter(event="survey.invite")
    assert set(invited.values_list("object_id", flat=True)) == {
        str(a.pk) for a in batch.applications.all() if a.phone or a.email
    }
    assert invited.exists() and all("/survei/" in n.body for n in invited)
