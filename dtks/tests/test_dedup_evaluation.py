"""Duplicate detection on a registry it was never tuned to (``dtks.evaluation``): a dense
village of 20,000 people with realistic names, namesakes and twins, once clean and once with
one person in a hundred registered again with this module's own error model."""

import pytest
from django.db import connection

from dtks import evaluation

pytestmark = pytest.mark.django_db

VILLAGE = "19.04.01.1001"  # one village: everyone shares the blocks, the hardest density


def _pairs(regions, share: float) -> tuple[dict, set]:
    truth = evaluation.build(region_code=VILLAGE, individuals=20_000, seed=3, duplicate_share=share)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dtks_individual")
        cursor.execute("ANALYZE dtks_household")
        found = evaluation.found_pairs(cursor, scope=VILLAGE)
    return truth, found


def _described(pairs) -> list[str]:
    from dtks.models import Individual

    people = Individual.objects.in_bulk({pk for pair in pairs for pk in pair})
    return [
        "{0.name}/{1.name} {0.birth_date}/{1.birth_date} {0.nik}/{1.nik} {0.birth_place}/"
        "{1.birth_place}".format(people[a], people[b])
        for a, b in sorted(pairs)
    ]


def test_a_clean_village_of_namesakes_raises_almost_no_flag(regions):
    # given 20,000 people of one village with no one registered twice: many share a common
    # name (Siti, Muhammad, Sri), some a birth day too, twins live in the same house
    truth, found = _pairs(regions, 0.0)
    assert truth["pairs"] == {}
    # when the fuzzy-duplicate step runs, then at most 20 false flags per 100,000 people
    # (two flags per pair) are left for an operator to clear
    flags_per_100k = 2 * len(found) * 100_000 / truth["people"]
    assert flags_per_100k <= 20, _described(found)


def test_people_registered_again_with_typos_are_found(regions):
    # given the same village where about 1% were registered again in another household with
    # typos in name, date of birth and NIK, or under a new NIK
    truth, found = _pairs(regions, 0.01)
    result = evaluation.score(found, truth["pairs"])
    assert result["true"] > 100
    # then nearly every proposed pair is a real duplicate, and most duplicates are proposed
    assert result["precision"] >= 0.95, result
    assert result["recall"] >= 0.75, result
    # including the NIK kept, mistyped, swapped and issued again
    kinds = result["recall_by_kind"]
    assert kinds["nik:same"] >= 0.9 and kinds["nik:one_digit"] >= 0.7, kinds
