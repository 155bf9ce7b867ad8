"""An intake with the NIK of someone registered in another regency keeps the request in the
caller's area and tells only "registered in another area": no household, desil, programs or
requests of the other regency, and the other regency's records do not move."""

import pytest

from applications.models import Application
from applications.tests.factories import applicant_of, household, program, submit
from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def koba_household(village_a):
    """A poor household of Bangka Tengah (19.04), receiving nothing yet."""
    return household(village_a, desil=1, head_name="Sumarni Lestari")


def _other_regency_village(regions):
    return regions.filter(code__startswith="19.01.", level=4).order_by("code").first()


def _intake(client, token, village, person_household, program_code="bpnt", key="x-1"):
    body = {
        "program": program_code,
        "village": village.code,
        "channel": "api",
        "submission_key": key,
        **{k: v for k, v in applicant_of(person_household).items() if k != "email"},
    }
    return client.post(
        "/api/v1/applications/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Token " + token.key,
    )


def test_an_intake_with_another_regencys_nik_stays_here_and_learns_nothing(
    client, make_user, regions, koba_household
):
    program("bpnt")
    bangka = _other_regency_village(regions)
    partner = issue_key(make_user(Role.API_CLIENT, "19.01"))
    response = _intake(client, partner, bangka, koba_household)
    assert response.status_code == 201, response.content
    body = response.json()
    text = response.content.decode()
    # the request stays in the caller's village, unlinked, and waits for a data update here
    assert body["village"] == bangka.code
    assert body["status"] == "needs_update"
    application = Application.objects.get(pk=body["id"])
    assert (application.village_id, application.household_id, application.individual_id) == (
        bangka.code,
        None,
        None,
    )
    assert application.screening == [{"code": "person_found", "ok": False, "elsewhere": True}]
    # nothing of the other regency's household is in the answer
    assert body.get("household") is None and body.get("individual") is None
    assert "desil" not in text.replace("max_desil", "")
    assert koba_household.village_id not in text


def test_an_open_request_in_another_regency_is_refused_without_details(
    client, make_user, regions, koba_household
):
    bpnt = program("bpnt")
    submit(bpnt, koba_household)  # the resident's own request in Bangka Tengah
    bangka = _other_regency_village(regions)
    partner = issue_key(make_user(Role.API_CLIENT, "19.01"))
    response = _intake(client, partner, bangka, koba_household, program_code="bpnt", key="x-2")
    assert response.status_code == 400
    assert response.json()["code"] == "registered_elsewhere"
    assert Application.objects.filter(village=bangka).count() == 0
    # the same partner for its own regency's people still gets the precise refusals
    own = household(bangka, desil=1, head_name="Warga Bangka")
    submit(bpnt, own)
    again = _intake(client, partner, bangka, own, key="x-3")
    assert again.json()["code"] == "duplicate_application"


def test_an_officer_of_the_regency_still_sees_the_registry_match(
    client, login, make_user, village_a, koba_household
):
    program("bpnt")
    partner = issue_key(make_user(Role.API_CLIENT, "19.04"))
    response = _intake(client, partner, village_a, koba_household, key="x-4")
    assert response.json()["status"] == "awaiting_deliberation"
    application = Application.objects.get(pk=response.json()["id"])
    assert application.household_id == koba_household.pk


def test_an_officer_does_not_decide_on_their_own_households_request(village_a, make_user):
    """Separation of duties between persons: the verifier's account carries their NIK, and a
    request from the household they live in goes to another verifier."""
    from applications import services
    from applications.tests.factories import deliberate, household, program, submit
    from silakso.exceptions import SeparationOfDutiesError

    home = household(village_a, head_name="Keluarga Petugas")
    spouse = home.members.exclude(relation_to_head="head").first() or home.members.first()
    request = deliberate(submit(program("bpnt"), home))
    related = make_user(Role.VERIFIER, "19.04", username="verifikator.keluarga", nik=spouse.nik)
    other = make_user(Role.VERIFIER, "19.04", username="verifikator.lain")
    with pytest.raises(SeparationOfDutiesError) as refused:
        services.application_verify(application=request, actor=related)
    from django.utils import translation

    with translation.override("id"):
        assert "rumah tangga Anda sendiri" in str(refused.value.message)
    with pytest.raises(SeparationOfDutiesError):
        services.application_reject(application=request, actor=related, reason="tidak layak")
    request.refresh_from_db()
    assert request.status == "deliberated"
    # another officer, not of that household, verifies it
    assert services.application_verify(application=request, actor=other).status == "verified"
