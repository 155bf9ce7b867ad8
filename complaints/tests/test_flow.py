"""The SLRT complaint flow: village → supervisor → Dinsos front office → back office →
resolved → closed; every transition by the right role in the right area, and one rating."""

import pytest
from django.core.exceptions import ValidationError

from complaints import services
from complaints.choices import ComplaintStatus as C
from complaints.models import Complaint
from complaints.tests.factories import complaint
from core.choices import Role
from core.models import Notification
from silakso.exceptions import DomainError, Forbidden, InvalidTransition

pytestmark = pytest.mark.django_db


# The whole table, as literals, is checked in tests/test_flows.py.


@pytest.fixture
def people(make_user, village_a):
    district = village_a.code[:8]
    return {
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code),
        "head": make_user(Role.VILLAGE_HEAD, village_a.code),
        "supervisor": make_user(Role.SUPERVISOR, district),
        "supervisor_elsewhere": make_user(Role.SUPERVISOR, "19.04.02"),
        "front": make_user(Role.FRONT_OFFICE, "19.04"),
        "back": make_user(Role.BACK_OFFICE, "19.04"),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04"),
    }


def test_a_complaint_finds_the_household_and_gets_a_deadline(village_a):
    created = complaint(village_a)
    assert created.status == C.RECEIVED
    assert created.household is not None and created.village == created.household.village
    assert created.code.startswith("P-")
    assert created.due_at is not None
    assert Notification.objects.filter(object_id=str(created.pk), channel="sms").exists()


def test_the_village_solves_what_it_can_and_closes_after_telling_the_resident(village_a, people):
    created = complaint(village_a)
    services.complaint_resolve(
        complaint=created,
        actor=people["operator"],
        resolution="Dibantu beras dari lumbung desa",
        resolved_by_kind="village",
    )
    closed = services.complaint_close(complaint=created, actor=people["head"], told_via="in_person")
    assert closed.status == C.CLOSED and closed.due_at is None
    assert Notification.objects.filter(
        object_id=str(created.pk), body__contains="1 sampai 4"
    ).exists()


def test_the_full_slrt_route(village_a, people):
    from dtks.tests.factories import make_program

    created = complaint(village_a)
    services.complaint_forward(complaint=created, actor=people["operator"], note="Perlu Dinsos")
    services.complaint_supervise(complaint=created, actor=people["supervisor"], approve=True)
    services.complaint_review(
        complaint=created, actor=people["front"], analysis="Terdaftar di DTSEN, desil 2, belum BPNT"
    )
    created.refresh_from_db()
    assert created.in_registry is True and created.status == C.IN_FOLLOW_UP
    program = make_program("bpnt")
    services.complaint_link_program(complaint=created, actor=people["back"], program=program)
    services.complaint_resolve(
        complaint=created,
        actor=people["back"],
        resolution="Diusulkan BPNT periode berikut",
        resolved_by_kind="program",
    )
    services.complaint_close(complaint=created, actor=people["front"], told_via="sms")
    created.refresh_from_db()
    assert created.status == C.CLOSED and created.program == program
    assert list(created.status_changes.values_list("to_status", flat=True)) == [
        "received",
        "forwarded",
        "in_review",
        "in_follow_up",
        "resolved",
        "closed",
    ]


def test_the_supervisor_returns_it_with_a_reason(village_a, people):
    created = complaint(village_a)
    services.complaint_forward(complaint=created, actor=people["operator"])
    with pytest.raises(ValidationError):
        services.complaint_supervise(
            complaint=created, actor=people["supervisor"], approve=False, note=""
        )
    services.complaint_supervise(
        complaint=created, actor=people["supervisor"], approve=False, note="Bisa diselesaikan desa"
    )
    assert Complaint.objects.get(pk=created.pk).status == C.RECEIVED


@pytest.mark.parametrize(
    ("step", "wrong"),
    [("forward", "front"), ("supervise", "operator"), ("review", "back"), ("link", "front")],
)
def test_each_step_is_refused_to_the_wrong_role(village_a, people, step, wrong):
    from dtks.tests.factories import make_program

    created = complaint(village_a)
    calls = {
        "forward": lambda actor: services.complaint_forward(complaint=created, actor=actor),
        "supervise": lambda actor: services.complaint_supervise(
            complaint=created, actor=actor, approve=True
        ),
        "review": lambda actor: services.complaint_review(
            complaint=created, actor=actor, analysis="analisis"
        ),
        "link": lambda actor: services.complaint_link_program(
            complaint=created, actor=actor, program=make_program("pkh")
        ),
    }
    with pytest.raises(Forbidden):
        calls[step](people[wrong])


def test_a_supervisor_of_another_district_cannot_approve(village_a, people):
    created = complaint(village_a)
    services.complaint_forward(complaint=created, actor=people["operator"])
    with pytest.raises(Forbidden):
        services.complaint_supervise(
            complaint=created, actor=people["supervisor_elsewhere"], approve=True
        )


def test_an_illegal_step_names_the_allowed_ones(village_a, people):
    created = complaint(village_a)
    with pytest.raises(InvalidTransition) as refused:
        services.complaint_close(complaint=created, actor=people["front"], told_via="sms")
    assert set(refused.value.allowed) == {C.RESOLVED, C.FORWARDED, C.IN_REVIEW}


def test_resolution_needs_what_was_done(village_a, people):
    created = complaint(village_a)
    with pytest.raises(ValidationError):
        services.complaint_resolve(
            complaint=created, actor=people["operator"], resolution="", resolved_by_kind="village"
        )
    assert Complaint.objects.get(pk=created.pk).status == C.RECEIVED


def test_a_closed_complaint_is_rated_once(village_a, people):
    created = complaint(village_a)
    with pytest.raises(DomainError):
        services.complaint_rate(complaint=created, rating=4)
    services.complaint_resolve(
        complaint=created,
        actor=people["operator"],
        resolution="Sudah dibantu",
        resolved_by_kind="village",
    )
    services.complaint_close(complaint=created, actor=people["operator"], told_via="phone_call")
    with pytest.raises(ValidationError):
        services.complaint_rate(complaint=created, rating=7)
    services.complaint_rate(complaint=created, rating=3, comment="Cukup cepat")
    with pytest.raises(DomainError) as again:
        services.complaint_rate(complaint=created, rating=1)
    assert again.value.code == "already_rated"
    assert Complaint.objects.get(pk=created.pk).rating == 3


def test_front_office_opens_an_update_proposal_in_one_action(village_a, people):
    import datetime as dt

    from dtks.tests.factories import nik_for

    created, _secret = services.complaint_submit(
        category="data_correction",
        description="Saya belum terdaftar di DTSEN padahal miskin.",
        village=village_a,
        channel="online",
        actor=None,
        complainant={
            "nik": nik_for(village_a.code, dt.date(1988, 1, 2)),
            "name": "Belum Terdaftar",
            "phone": "081211112222",
        },
    )
    assert created.household is None
    services.complaint_forward(complaint=created, actor=people["operator"])
    services.complaint_supervise(complaint=created, actor=people["supervisor"], approve=True)
    proposal = services.complaint_open_update_proposal(complaint=created, actor=people["front"])
    assert proposal.kind == "new_household" and proposal.village == village_a
    created.refresh_from_db()
    assert created.update_proposal == proposal and created.in_registry is False
    with pytest.raises(DomainError):
        services.complaint_open_update_proposal(complaint=created, actor=people["front"])


def test_officers_intake_records_the_channel_within_their_area(village_a, village_b, people):
    created = complaint(village_a, actor=people["operator"], channel="home_visit")
    assert created.channel == "home_visit" and created.entered_by == people["operator"]
    with pytest.raises(Forbidden):
        complaint(village_b, actor=people["operator"], channel="puskesos")


def test_a_complaint_sent_while_redis_is_down_is_kept_and_its_message_sent_later(
    village_a, django_capture_on_commit_callbacks, mailoutbox
):
    from core.services import notifications_send_due
    from silakso.testing import broker_unreachable

    with broker_unreachable(), django_capture_on_commit_callbacks(execute=True):
        created = complaint(village_a, email="warga@example.test")
    assert Complaint.objects.filter(pk=created.pk).exists()
    assert Notification.objects.filter(object_id=str(created.pk), status="pending").count() == 2
    notifications_send_due()
    assert any(created.code in message.body for message in mailoutbox)
