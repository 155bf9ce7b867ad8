"""The application flow step by step: every transition of the table, who may take it, in which
scope, separation of duties, and every refused transition with the allowed next steps."""

import datetime as dt

import pytest

from applications import services
from applications.choices import ApplicationStatus as A
from applications.choices import BatchStatus
from applications.models import Application
from applications.tests.factories import deliberate, household, pdf, program, submit, verified
from applications.workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW
from core.choices import Role
from silakso.exceptions import Forbidden, InvalidTransition, SeparationOfDutiesError

pytestmark = pytest.mark.django_db

# The whole table, as literals, is checked in tests/test_flows.py.


def test_final_states_lead_nowhere():
    for final in (A.REJECTED, A.WITHDRAWN, A.ACCEPTED, A.NOT_ACCEPTED):
        assert APPLICATION_FLOW.allowed_targets(final) == frozenset()
    assert BATCH_FLOW.allowed_targets(BatchStatus.EXPORTED) == frozenset()
    assert PROPOSAL_FLOW.allowed_targets("applied") == frozenset()


def test_withdrawal_is_possible_until_finalisation_only():
    from applications.workflow import WITHDRAWABLE

    expected = {A.SUBMITTED, A.NEEDS_UPDATE, A.AWAITING_DELIBERATION, A.DELIBERATED, A.VERIFIED}
    assert expected == WITHDRAWABLE


# ---------------------------------------------------------------------------- the real steps
@pytest.fixture
def people(make_user, village_a):
    return {
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code),
        "head": make_user(Role.VILLAGE_HEAD, village_a.code),
        "verifier": make_user(Role.VERIFIER, "19.04"),
        "verifier_elsewhere": make_user(Role.VERIFIER, "19.01"),
        "front": make_user(Role.FRONT_OFFICE, "19.04"),
        "manager": make_user(Role.DATA_MANAGER, "19.04"),
        "regent": make_user(Role.REGENT_OFFICE, "19.04"),
    }


@pytest.fixture
def bpnt():
    return program("bpnt")


def _deliberate(application, head, *, approve=True, reason=""):
    return deliberate(application, head, approve=approve, reason=reason, kind="meeting")


def _verified(bpnt, village, people, name="Siti Aminah"):
    return verified(bpnt, village, name=name, head=people["head"], verifier=people["verifier"])


def test_village_deliberation_then_verification(bpnt, village_a, people):
    application = submit(bpnt, household(village_a))
    application = _deliberate(application, people["head"])
    assert application.status == A.DELIBERATED
    assert application.deliberation.attendees == 12
    application = services.application_verify(
        application=application, actor=people["verifier"], note="dokumen lengkap"
    )
    assert application.status == A.VERIFIED
    assert application.verified_by == people["verifier"]


def test_village_rejection_needs_a_reason_the_resident_reads(bpnt, village_a, people):
    from django.core.exceptions import ValidationError

    application = submit(bpnt, household(village_a))
    with pytest.raises(ValidationError):
        _deliberate(application, people["head"], approve=False, reason="")
    application = _deliberate(
        application, people["head"], approve=False, reason="Sudah menerima bantuan desa"
    )
    assert application.status == A.REJECTED
    assert application.decision_reason == "Sudah menerima bantuan desa"


@pytest.mark.parametrize("role", ["operator", "head", "front", "manager", "regent"])
def test_only_verifiers_verify(bpnt, village_a, people, role):
    application = submit(bpnt, household(village_a))
    _deliberate(application, people["head"])
    with pytest.raises(Forbidden):
        services.application_verify(application=application, actor=people[role])
    assert Application.objects.get(pk=application.pk).status == A.DELIBERATED


def test_a_verifier_of_another_regency_cannot_verify(bpnt, village_a, people):
    application = submit(bpnt, household(village_a))
    _deliberate(application, people["head"])
    with pytest.raises(Forbidden):
        services.application_verify(application=application, actor=people["verifier_elsewhere"])


def test_the_officer_who_entered_a_request_cannot_verify_it(bpnt, village_a, people, make_user):
    # given an officer who entered a request at the counter and was later moved to verification
    entered_by = people["front"]
    application = submit(bpnt, household(village_a), actor=entered_by, channel="mpp_counter")
    _deliberate(application, people["head"])
    entered_by.role = Role.VERIFIER
    entered_by.save(update_fields=["role"])
    with pytest.raises(SeparationOfDutiesError):
        services.application_verify(application=application, actor=entered_by)


def test_verifying_before_the_deliberation_answers_with_the_allowed_steps(bpnt, village_a, people):
    application = submit(bpnt, household(village_a))
    with pytest.raises(InvalidTransition) as refused:
        services.application_verify(application=application, actor=people["verifier"])
    assert set(refused.value.allowed) == {A.DELIBERATED, A.REJECTED, A.WITHDRAWN}


def test_deliberation_is_the_village_heads_own_village_only(bpnt, village_a, village_b, make_user):
    application = submit(bpnt, household(village_a))
    other_head = make_user(Role.VILLAGE_HEAD, village_b.code)
    with pytest.raises(Forbidden):
        services.deliberation_record(
            village=village_a,
            kind="sptjm",
            held_on=dt.date.today(),
            document=pdf(),
            decisions={application.pk: (True, "")},
            actor=other_head,
        )
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the request is not in village B
        services.deliberation_record(
            village=village_b,
            kind="sptjm",
            held_on=dt.date.today(),
            document=pdf(),
            decisions={application.pk: (True, "")},
            actor=other_head,
        )
    assert Application.objects.get(pk=application.pk).status == A.AWAITING_DELIBERATION


def test_deliberation_input_is_checked_field_by_field(bpnt, village_a, people):
    from django.core.exceptions import ValidationError

    application = submit(bpnt, household(village_a))
    with pytest.raises(ValidationError) as refused:
        services.deliberation_record(
            village=village_a,
            kind="meeting",
            held_on=dt.date.today() + dt.timedelta(days=2),
            attendees=1,
            document=None,
            decisions={application.pk: (True, "")},
            actor=people["head"],
        )
    assert set(refused.value.message_dict) >= {"held_on", "attendees", "document"}
    # an SPTJM needs no attendees
    services.deliberation_record(
        village=village_a,
        kind="sptjm",
        held_on=dt.date.today(),
        document=pdf(),
        decisions={application.pk: (True, "")},
        actor=people["head"],
    )


def test_withdrawal_by_the_resident_and_not_after_finalisation(bpnt, village_a, people):
    application = submit(bpnt, household(village_a))
    withdrawn = services.application_withdraw(application=application, reason="sudah bekerja")
    assert withdrawn.status == A.WITHDRAWN
    verified = _verified(bpnt, village_a, people, name="Budi Lain")
    batch = services.batch_create(
        regency=village_a.parent.parent, name="Des", cutoff=dt.date.today(), actor=people["manager"]
    )
    services.batch_finalise(batch=batch, actor=people["manager"])
    with pytest.raises(InvalidTransition):
        services.application_withdraw(application=Application.objects.get(pk=verified.pk))


def test_verifier_rejection_needs_a_reason_and_tells_the_resident(bpnt, village_a, people):
    from django.core.exceptions import ValidationError

    from core.models import Notification

    application = submit(bpnt, household(village_a))
    _deliberate(application, people["head"])
    with pytest.raises(ValidationError):
        services.application_reject(application=application, actor=people["verifier"], reason="")
    services.application_reject(
        application=application, actor=people["verifier"], reason="Rumah layak dan punya mobil"
    )
    assert Notification.objects.filter(
        object_id=str(application.pk), body__contains="Rumah layak dan punya mobil"
    ).exists()


def test_take_puts_it_on_the_verifiers_worklist(bpnt, village_a, people):
    from applications.selectors import application_list

    application = submit(bpnt, household(village_a))
    services.application_take(application=application, actor=people["verifier"])
    mine = application_list(
        user=people["verifier"],
        filters={"mine": "true"},
        request=type("R", (), {"user": people["verifier"]})(),
    )
    assert list(mine) == [Application.objects.get(pk=application.pk)]
