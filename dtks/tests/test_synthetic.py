"""The synthetic district: NIKs and KKs that pass the real rules, desil where it belongs."""

import pytest

from dtks.models import Family, Household, Individual
from dtks.nik import check_kk, check_nik
from dtks.synthetic import generate_district

pytestmark = pytest.mark.django_db


def test_generated_people_have_valid_unique_niks_matching_birth_date_and_sex(regions):
    # when
    result = generate_district(region_code="19.04", individuals=2000, seed=7)
    # then
    assert result.method == "COPY"
    assert Individual.objects.count() == result.individuals == 2000
    assert Household.objects.count() == result.households
    assert Family.objects.count() == result.families
    niks = list(Individual.objects.values_list("nik", "birth_date", "sex", "household__village"))
    assert len({n for n, _, _, _ in niks}) == len(niks)
    for nik, birth_date, sex, village in niks:
        check = check_nik(nik, birth_date=birth_date, sex=sex)
        assert check.valid, (nik, check.errors)
        assert nik[:6] == village.replace(".", "")[:6]
    for kk in Family.objects.values_list("kk_number", flat=True):
        assert check_kk(kk).valid


def test_every_household_has_exactly_one_head_and_member_count(regions):
    generate_district(region_code="19.04.01", individuals=500, seed=3)
    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        assert household.member_count == len(members)
        assert sum(m.relation_to_head == "head" for m in members) == 1
        assert household.village_id.startswith("19.04.01.")


def test_generation_is_deterministic(regions):
    generate_district(region_code="19.04.02", individuals=300, seed=11)
    first = list(Individual.objects.order_by("id").values_list("nik", "name"))
    Individual.objects.all().delete()
    Family.objects.all().delete()
    Household.objects.all().delete()
    generate_district(region_code="19.04.02", individuals=300, seed=11)
    assert list(Individual.objects.order_by("id").values_list("nik", "name")) == first
