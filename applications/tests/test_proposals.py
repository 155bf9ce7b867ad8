"""Update proposals (usulan pembaruan): fill in → ground check → deliberation → verification,
applied to the registry as a new household version, and the aid request continuing from there."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from applications import services
from applications.choices import ApplicationStatus, ProposalStatus
from applications.tests.factories import household, pdf, photo, program, submit
from core.choices import Role
from dtks.choices import ChangeSource
from dtks.models import Household, HouseholdEvent
from dtks.tests.factories import kk_for, nik_for
from silakso.exceptions import Forbidden, InvalidTransition, StaleObjectError

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user, village_a):
    return {
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code),
        "head": make_user(Role.VILLAGE_HEAD, village_a.code),
        "verifier": make_user(Role.VERIFIER, "19.04"),
    }


@pytest.fixture
def bpnt():
    return program("bpnt")


def _new_household_request(bpnt, village):
    born = dt.date(1991, 4, 9)
    return submit(
        bpnt,
        village=village,
        nik=nik_for(village.code, born, female=True),
        name="Warga Baru",
        phone="081200000002",
        address="Jl. Baru No. 2",
    ), born


def _through_ground_check(proposal, people, *, head=None, kk=None, variables=None):
    services.proposal_fill(
        proposal=proposal,
        variables=variables or {"address": "Jl. Baru No. 2", "floor_material": "earth"},
        head=head,
        kk_number=kk or "",
        actor=people["operator"],
    )
    services.proposal_ground_check(
        proposal=proposal,
        actor=people["operator"],
        notes="Rumah papan, lantai tanah",
        photo=photo("rumah.jpg"),
        latitude="-2.4012",
        longitude="106.2120",
    )
    proposal.refresh_from_db()
    return proposal


def _deliberate(proposal, people, decision):
    services.deliberation_record(
        village=proposal.village,
        kind="meeting",
        held_on=dt.date.today(),
        attendees=9,
        document=pdf(),
        proposal_decisions={proposal.pk: decision},
        actor=people["head"],
    )
    proposal.refresh_from_db()
    return proposal


def test_a_new_household_is_registered_and_the_request_goes_on_to_verification(
    bpnt, village_a, people
):
    application, born = _new_household_request(bpnt, village_a)
    proposal = application.update_proposal
    head = {
        "nik": application.applicant_nik,
        "name": "Warga Baru",
        "birth_date": born,
        "sex": "female",
        "birth_place": "Koba",
    }
    proposal = _through_ground_check(proposal, people, head=head, kk=kk_for(village_a.code))
    assert proposal.status == ProposalStatus.GROUND_CHECKED
    assert proposal.field_checks.get().latitude is not None
    proposal = _deliberate(proposal, people, "poor")
    services.proposal_verify(proposal=proposal, actor=people["verifier"])
    proposal.refresh_from_db()
    # then the household is in the registry, created by the proposal, with its history
    assert proposal.status == ProposalStatus.APPLIED
    created = Household.objects.get(pk=proposal.household_id)
    assert created.floor_material == "earth"
    event = HouseholdEvent.objects.get(household=created)
    assert event.source == ChangeSource.UPDATE_PROPOSAL
    assert proposal.code in event.reason
    # and the aid request continues: judged poor by the deliberation, on to Dinsos verification
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DELIBERATED
    assert application.household == created
    assert application.deliberation == proposal.deliberation


def test_a_household_judged_not_poor_is_updated_and_the_request_ends_with_that_reason(
    bpnt, village_a, people
):
    richer = household(village_a, desil=8, head_name="Budi Santoso")
    application = submit(bpnt, richer)
    proposal = application.update_proposal
    version = richer.version
    proposal = _through_ground_check(
        proposal, people, variables={"floor_material": "ceramic", "has_car": True}
    )
    proposal = _deliberate(proposal, people, "not_poor")
    services.proposal_verify(proposal=proposal, actor=people["verifier"])
    richer.refresh_from_db()
    assert richer.has_car is True and richer.version == version + 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert "tidak miskin" in application.decision_reason


def test_a_change_made_meanwhile_is_not_overwritten(bpnt, village_a, people, make_user):
    richer = household(village_a, desil=8, head_name="Budi Santoso")
    proposal = submit(bpnt, richer).update_proposal
    proposal = _through_ground_check(proposal, people, variables={"floor_material": "ceramic"})
    proposal = _deliberate(proposal, people, "poor")
    # another officer edits the household after the proposal was filled in
    from dtks import services as registry

    registry.household_update(
        household=richer,
        data={"toilet": "none"},
        version=richer.version,
        reason="kunjungan lain",
        actor=make_user(Role.DATA_MANAGER, "19.04"),
    )
    with pytest.raises(StaleObjectError):
        services.proposal_verify(proposal=proposal, actor=people["verifier"])
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DELIBERATED


def test_new_household_head_and_kk_are_validated_when_filled_in(bpnt, village_a, people):
    application, born = _new_household_request(bpnt, village_a)
    with pytest.raises(ValidationError) as refused:
        services.proposal_fill(
            proposal=application.update_proposal,
            variables={"address": "Jl. Baru"},
            head={"nik": "123", "name": "X", "birth_date": born, "sex": "female"},
            kk_number="999",
            actor=people["operator"],
        )
    assert {"head_nik", "kk_number"} <= set(refused.value.message_dict)


def test_ground_check_needs_a_photo_and_comes_after_the_data(bpnt, village_a, people):
    richer = household(village_a, desil=8)
    proposal = submit(bpnt, richer).update_proposal
    with pytest.raises(InvalidTransition):
        services.proposal_ground_check(
            proposal=proposal, actor=people["operator"], notes="Rumah bagus", photo=photo()
        )
    services.proposal_fill(
        proposal=proposal, variables={"toilet": "shared"}, actor=people["operator"]
    )
    with pytest.raises(ValidationError):
        services.proposal_ground_check(
            proposal=proposal, actor=people["operator"], notes="Rumah bagus", photo=None
        )


def test_the_operator_who_filled_it_in_cannot_verify_it(bpnt, village_a, people):
    richer = household(village_a, desil=8)
    proposal = submit(bpnt, richer).update_proposal
    # a Dinsos verifier filled it in during a home visit
    proposal = _through_ground_check(proposal, {**people, "operator": people["verifier"]})
    proposal = _deliberate(proposal, people, "poor")
    from silakso.exceptions import SeparationOfDutiesError

    with pytest.raises(SeparationOfDutiesError):
        services.proposal_verify(proposal=proposal, actor=people["verifier"])


def test_stopping_a_proposal_ends_its_request_with_the_reason(bpnt, village_a, people):
    application, _born = _new_household_request(bpnt, village_a)
    services.proposal_reject(
        proposal=application.update_proposal,
        actor=people["operator"],
        reason="Tidak ada yang tinggal di alamat ini",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.decision_reason == "Tidak ada yang tinggal di alamat ini"


def test_operators_of_another_village_cannot_touch_the_proposal(
    bpnt, village_a, village_b, make_user
):
    richer = household(village_a, desil=8)
    proposal = submit(bpnt, richer).update_proposal
    stranger = make_user(Role.VILLAGE_OPERATOR, village_b.code)
    with pytest.raises(Forbidden):
        services.proposal_fill(proposal=proposal, variables={"toilet": "none"}, actor=stranger)
