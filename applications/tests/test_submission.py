"""Submitting an application: screening against the registry, update proposals instead of dead
ends, and every kind of bad input refused with a clear message and nothing half-written."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.choices import ApplicationStatus, ProposalKind, ScreeningResult
from applications.models import Application, ApplicationDocument, UpdateProposal
from applications.tests.factories import applicant_of, household, photo, program, submit
from core.choices import Role
from core.models import Notification
from dtks import services as registry
from dtks.tests.factories import make_period
from silakso.exceptions import DomainError, Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def bpnt():
    return program("bpnt", max_desil=4)


@pytest.fixture
def poor(village_a):
    return household(village_a, desil=3, head_name="Siti Aminah")


def test_resident_request_that_fits_the_registry_waits_for_the_deliberation(bpnt, poor):
    # when the head of a desil-3 household applies online with a photo of the KTP
    application = submit(bpnt, poor)
    # then it is screened as passed and waits for the village deliberation
    assert application.status == ApplicationStatus.AWAITING_DELIBERATION
    assert application.screening_result == ScreeningResult.PASSED
    assert application.household == poor
    assert [c["code"] for c in application.screening if not c["ok"]] == []
    assert application.code.startswith("U-") and len(application.code) == 11
    # the photo is kept, re-encoded as JPEG
    document = ApplicationDocument.objects.get(application=application)
    assert document.content_type == "image/jpeg"
    # both steps are in the history, and the resident is told by email and SMS
    steps = list(application.status_changes.values_list("to_status", flat=True))
    assert steps == ["submitted", "awaiting_deliberation"]
    bodies = Notification.objects.filter(object_id=str(application.pk))
    assert {n.channel for n in bodies} == {"email", "sms"}
    assert any(application.code in n.body for n in bodies)


def test_household_above_the_desil_limit_continues_as_a_reassessment(bpnt, village_a):
    richer = household(village_a, desil=7, head_name="Budi Santoso")
    application = submit(bpnt, richer)
    assert application.status == ApplicationStatus.NEEDS_UPDATE
    proposal = UpdateProposal.objects.get(application=application)
    assert proposal.kind == ProposalKind.REASSESSMENT
    assert proposal.household == richer
    assert proposal.village == village_a


def test_nik_not_in_the_registry_becomes_a_new_household_proposal(bpnt, village_a):
    from dtks.tests.factories import nik_for

    application = submit(
        bpnt,
        village=village_a,
        nik=nik_for(village_a.code, dt.date(1990, 5, 4), female=True),
        name="Warga Baru",
        phone="081200000001",
        address="Jl. Baru No. 1",
    )
    assert application.status == ApplicationStatus.NEEDS_UPDATE
    assert application.household is None
    assert application.update_proposal.kind == ProposalKind.NEW_HOUSEHOLD


def test_name_that_does_not_match_becomes_a_correction(bpnt, poor):
    application = submit(bpnt, poor, name="Nama Lain Sekali")
    assert application.update_proposal.kind == ProposalKind.CORRECTION


def test_a_second_request_for_the_same_program_is_refused_and_nothing_is_written(
    bpnt, poor, make_user
):
    submit(bpnt, poor)
    # the officer at the counter is told why
    front = make_user(Role.FRONT_OFFICE, "19.04")
    with pytest.raises(DomainError) as refused:
        submit(bpnt, poor, actor=front, channel="mpp_counter")
    assert refused.value.code == "duplicate_application"
    # the public form gives its one answer for every refusal
    with pytest.raises(DomainError) as public:
        submit(bpnt, poor)
    assert public.value.code == "not_accepted_online"
    assert Application.objects.count() == 1


def test_another_member_of_the_household_cannot_apply_for_the_same_household_program(
    bpnt, poor, make_user
):
    from dtks.tests.factories import person

    manager = make_user(Role.DATA_MANAGER, "19.04")
    spouse = registry.member_move_in(
        household=poor,
        person=person(poor.village_id, name="Suami Siti", birth=dt.date(1979, 2, 3), female=False),
        relation="spouse",
        actor=manager,
        reason="married in",
    )
    submit(bpnt, poor)
    with pytest.raises(DomainError):
        submit(bpnt, poor, nik=spouse.nik, name=spouse.name)


def test_a_household_already_receiving_the_program_is_refused(bpnt, poor, make_user):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    today = dt.date.today()
    period = make_period(
        bpnt, starts=today - dt.timedelta(days=5), ends=today + dt.timedelta(days=5)
    )
    registry.enrollment_create(program=bpnt, period=period, household=poor, actor=manager)
    front = make_user(Role.FRONT_OFFICE, "19.04")
    with pytest.raises(DomainError) as refused:
        submit(bpnt, poor, actor=front, channel="mpp_counter")
    assert refused.value.code == "already_enrolled"
    with pytest.raises(DomainError) as public:
        submit(bpnt, poor)
    assert public.value.code == "not_accepted_online"


def test_the_same_form_sent_twice_gives_the_same_request(bpnt, poor):
    data = applicant_of(poor)
    first = services.application_submit(
        program=bpnt,
        applicant=data,
        village=poor.village,
        channel="online",
        actor=None,
        submission_key="form-123",
    )
    again = services.application_submit(
        program=bpnt,
        applicant=data,
        village=poor.village,
        channel="online",
        actor=None,
        submission_key="form-123",
    )
    assert first.pk == again.pk
    assert Application.objects.count() == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024)), "terlalu besar"),
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00not a picture"), "JPG"),
    ],
)
def test_oversize_or_wrong_type_upload_is_refused_naming_the_document(bpnt, poor, upload, message):
    with pytest.raises(ValidationError) as refused:
        services.application_submit(
            program=bpnt,
            applicant=applicant_of(poor),
            village=poor.village,
            channel="online",
            actor=None,
            documents=[("ktp", "KTP", upload)],
        )
    assert message in " ".join(refused.value.message_dict["document_0"])
    assert Application.objects.count() == 0


def test_an_invalid_nik_is_refused_on_the_nik_field(bpnt, poor):
    with pytest.raises(ValidationError) as refused:
        submit(bpnt, poor, nik="12345")
    assert "nik" in refused.value.message_dict
    assert Application.objects.count() == 0


def test_without_phone_or_email_the_resident_cannot_be_told(bpnt, poor):
    from applications.forms import ApplicationForm
    from dtks.models import Region

    form = ApplicationForm(
        data={"nik": "x", "name": "y", "village": poor.village_id, "address": "z"},
        program=bpnt,
        villages=Region.objects.filter(code=poor.village_id),
    )
    assert not form.is_valid()
    assert "phone" in form.errors


def test_officer_intake_records_the_channel_and_stays_in_scope(bpnt, poor, village_b, make_user):
    operator = make_user(Role.VILLAGE_OPERATOR, poor.village_id)
    application = submit(bpnt, poor, actor=operator, channel="village_office")
    assert application.channel == "village_office"
    assert application.entered_by == operator
    other = household(village_b, head_name="Di Desa Lain")
    with pytest.raises(Forbidden):
        submit(bpnt, other, actor=operator, channel="village_office")


def test_roles_and_channels_must_agree(bpnt, poor, make_user):
    operator = make_user(Role.VILLAGE_OPERATOR, poor.village_id)
    with pytest.raises(Forbidden):
        submit(bpnt, poor, actor=operator, channel="online")
    with pytest.raises(Forbidden):
        submit(bpnt, poor, actor=None, channel="mpp_counter")
    verifier = make_user(Role.VERIFIER, "19.04")
    with pytest.raises(Forbidden):
        submit(bpnt, poor, actor=verifier, channel="mpp_counter")


def test_documents_are_required_online_and_images_are_shrunk(bpnt, poor):
    big = photo(size=(3000, 2000))
    application = services.application_submit(
        program=bpnt,
        applicant=applicant_of(poor),
        village=poor.village,
        channel="online",
        actor=None,
        documents=[("ktp", "KTP", big)],
    )
    document = application.documents.get()
    from PIL import Image

    with document.file.open("rb") as handle:
        assert max(Image.open(handle).size) <= 1600


def test_a_request_sent_while_redis_is_down_is_kept_and_the_resident_is_told_later(
    bpnt, poor, django_capture_on_commit_callbacks, mailoutbox
):
    from core.services import notifications_send_due
    from silakso.testing import broker_unreachable

    # when the resident applies while the broker cannot be reached
    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        application = submit(bpnt, poor)
    # then the request is saved and its messages wait in the outbox
    assert Application.objects.filter(pk=application.pk).exists()
    waiting = Notification.objects.filter(object_id=str(application.pk), status="pending")
    assert waiting.count() >= 2
    # and the periodic sweep sends them from the database
    notifications_send_due()
    assert any(application.code in message.body for message in mailoutbox)


def test_screening_uses_the_desil_valid_on_the_day_of_the_request(make_user, village_a):
    from dtks import services as registry

    home = household(village_a, desil=3)
    manager = make_user(Role.DATA_MANAGER, "19.04")
    # a ranking dated next month is already imported (desil 7, over the limit of 4)
    registry.desil_record(
        household=home,
        desil=7,
        as_of=dt.date.today() + dt.timedelta(days=30),
        source="DTSEN baru",
        actor=manager,
    )
    application = submit(program("bpnt", max_desil=4), home)
    check = next(c for c in application.screening if c["code"] == "desil")
    assert (check["ok"], check["desil"], check["as_of"]) == (True, 3, "2026-07-01")
