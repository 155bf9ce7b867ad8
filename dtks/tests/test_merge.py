"""Merging two records of one person: the kept record takes the chosen values and everything
of the other; the other's NIK still finds it; the merge is audited and can be undone."""

import datetime as dt

import pytest

from core.choices import Role
from core.models import AuditEvent
from dtks import selectors, services
from dtks.models import Enrollment, Flag, Individual, PersonMerge
from dtks.tests.factories import make_household, make_period, make_program, nik_for
from silakso.exceptions import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def twins(village_a, manager):
    """One woman registered twice: once well, once with a typo in her name and another NIK."""
    first = make_household(village_a, manager, head_name="Siti Rahayu").members.get()
    second = make_household(village_a, manager, head_name="Siti Rahayoe").members.get()
    Individual.objects.filter(pk=first.pk).update(birth_place="")
    first.refresh_from_db()
    Individual.objects.filter(pk=second.pk).update(
        nik=nik_for(village_a.code, first.birth_date), birth_place="Koba"
    )
    second.refresh_from_db()
    program = make_program("pkh")
    period = make_period(program)
    enrollment = services.enrollment_create(
        program=program, period=period, household=second.household, actor=manager
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(individual=second)
    flag = Flag.objects.create(
        household=first.household,
        individual=first,
        kind="fuzzy_duplicate",
        reason="mirip",
        evidence={"other": second.pk},
    )
    return {"first": first, "second": second, "enrollment": enrollment, "flag": flag}


def test_merging_from_the_worklist_moves_everything_and_the_old_nik_finds_the_kept_record(
    client, login, manager, twins
):
    first, second = twins["first"], twins["second"]
    login(client, manager)
    # the worklist offers the merge for the likely duplicate
    worklist = client.get("/registri/masalah-data/").content.decode()
    url = "/registri/gabung/{}/{}/".format(first.pk, second.pk)
    assert url in worklist
    page = client.get(url).content.decode()
    assert "Siti Rahayu" in page and "Siti Rahayoe" in page and "Koba" in page
    # keep the first record, but take the birth place only the second one has
    response = client.post(
        url,
        {
            "keep": "a",
            "value_name": "a",
            "value_nik": "a",
            "value_birth_place": "b",
            "reason": "KTP yang sama ditunjukkan",
        },
    )
    merge = PersonMerge.objects.get()
    assert response["Location"] == "/registri/penggabungan/{}/".format(merge.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.name, first.birth_place) == ("Siti Rahayu", "Koba")
    assert second.status == "merged"
    # the program of the second record is now the first's
    twins["enrollment"].refresh_from_db()
    assert twins["enrollment"].individual_id == first.pk
    # the duplicate problem is closed; the second household has no living member left
    twins["flag"].refresh_from_db()
    assert twins["flag"].status == "resolved"
    second.household.refresh_from_db()
    assert second.household.member_count == 0
    # the old NIK finds the kept record, in the lookups and in the registry search
    assert selectors.registry_person(second.nik).pk == first.pk
    found = client.get("/registri/", {"q": second.nik}).context["page"]
    assert first.household_id in [household.pk for household in found]
    # both households' history and the audit trail tell
    assert first.household.events.latest("version").changes["birth_place"] == ["", "Koba"]
    assert AuditEvent.objects.filter(object_type="dtks.personmerge").exists()


def test_a_merge_is_undone_from_its_page(client, login, manager, twins):
    first, second = twins["first"], twins["second"]
    merge = services.person_merge(
        survivor=first,
        merged=second,
        choices={"birth_place": "merged"},
        reason="sama",
        actor=manager,
    )
    login(client, manager)
    page = client.get("/registri/penggabungan/{}/".format(merge.pk)).content.decode()
    assert "Siti Rahayoe" in page
    client.post("/registri/penggabungan/{}/".format(merge.pk), {"reason": "Ternyata kembar"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == "alive" and first.birth_place == ""
    twins["enrollment"].refresh_from_db()
    assert twins["enrollment"].individual_id == second.pk
    assert selectors.registry_person(second.nik).pk == second.pk
    merge.refresh_from_db()
    assert merge.reversed_at is not None and merge.reverse_reason == "Ternyata kembar"
    with pytest.raises(DomainError):
        services.person_merge_reverse(merge=merge, reason="lagi", actor=manager)


def test_a_merge_that_would_hold_one_program_twice_is_refused_whole(manager, twins):
    # the same person twice in one household, each record enrolled in the same period
    first, second = twins["first"], twins["second"]
    Individual.objects.filter(pk=second.pk).update(household=first.household)
    Enrollment.objects.filter(pk=twins["enrollment"].pk).update(household=first.household)
    Enrollment.objects.create(
        program=twins["enrollment"].program,
        period=twins["enrollment"].period,
        household=first.household,
        individual=first,
        status="active",
        source="import",
        started_on=dt.date(2026, 10, 1),
    )
    second.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.person_merge(
            survivor=first, merged=second, choices={}, reason="sama", actor=manager
        )
    assert "End one of them first" in str(refused.value.message) or "Akhiri" in str(
        refused.value.message
    )
    # nothing half-done: the caller's transaction is rolled back by the refusal
    second.refresh_from_db()
    assert second.status == "alive" and not PersonMerge.objects.exists()
    twins["enrollment"].refresh_from_db()
    assert twins["enrollment"].individual_id == second.pk


def test_only_dinsos_merges_and_only_in_its_area(client, login, make_user, village_a, twins):
    first, second = twins["first"], twins["second"]
    url = "/registri/gabung/{}/{}/".format(first.pk, second.pk)
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    assert client.get(url).status_code == 403
    assert "/registri/gabung/" not in client.get("/registri/masalah-data/").content.decode()
    login(client, make_user(Role.DATA_MANAGER, "19.01"))
    assert client.get(url).status_code == 404
    assert client.post(url, {"keep": "a", "reason": "x"}).status_code == 404
    second.refresh_from_db()
    assert second.status == "alive"
    # a merge of the regency is invisible, and cannot be undone, from another regency
    merge = services.person_merge(
        survivor=first,
        merged=second,
        choices={},
        reason="sama",
        actor=make_user(Role.DATA_MANAGER, "19.04"),
    )
    detail = "/registri/penggabungan/{}/".format(merge.pk)
    assert client.get(detail).status_code == 404
    assert client.post(detail, {"reason": "x"}).status_code == 404
    merge.refresh_from_db()
    assert merge.reversed_at is None


def test_one_household_registered_twice_is_merged_and_undone(
    client, login, manager, village_a, make_user
):
    kept = make_household(village_a, manager, head_name="Kepala Asli")
    twin = make_household(village_a, manager, head_name="Kepala Kedua")
    program = make_program("bpnt")
    period = make_period(program)
    enrollment = services.enrollment_create(
        program=program, period=period, household=twin, actor=manager
    )
    other_card = twin.families.get().kk_number
    login(client, manager)
    assert "/gabung/" in client.get("/registri/rumah-tangga/{}/".format(kept.pk)).content.decode()
    # the data manager types the other record's KK number
    url = "/registri/rumah-tangga/{}/gabung/".format(kept.pk)
    refused = client.post(url, {"other": "1904019999999999", "reason": "sama"})
    assert refused.status_code == 200 and "KK" in refused.content.decode()
    response = client.post(url, {"other": other_card, "reason": "Satu rumah didata dua kali"})
    assert response.status_code == 302
    kept.refresh_from_db()
    twin.refresh_from_db()
    # its people, family card and program are the kept household's; one head
    assert kept.member_count == 2 and twin.member_count == 0 and twin.status == "inactive"
    assert kept.families.filter(kk_number=other_card).exists()
    enrollment.refresh_from_db()
    assert enrollment.household_id == kept.pk
    heads = kept.members.filter(relation_to_head="head")
    assert [person.name for person in heads] == ["Kepala Asli"]
    # undone from the merge's page
    detail = response["Location"]
    client.post(detail, {"reason": "Ternyata dua rumah"})
    kept.refresh_from_db()
    twin.refresh_from_db()
    assert kept.member_count == 1 and twin.member_count == 1 and twin.status == "active"
    assert twin.members.get().relation_to_head == "head"
    enrollment.refresh_from_db()
    assert enrollment.household_id == twin.pk
    # a village operator cannot merge; another regency cannot see the merge
    login(client, make_user(Role.VILLAGE_OPERATOR, village_a.code))
    assert client.get(url).status_code == 403
    login(client, make_user(Role.DATA_MANAGER, "19.01"))
    assert client.get(detail).status_code == 404
