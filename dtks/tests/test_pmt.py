"""The local PMT: scores equal to a hand-written SQL reference, explainable, versioned weights."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.choices import Role
from dtks import pmt, services
from dtks.models import Household, PmtRun, PmtWeightSet
from dtks.synthetic import generate_district
from silakso.exceptions import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def district(regions):
    generate_district(region_code="19.04", individuals=1500, seed=4)
    generate_district(region_code="19.01.01", individuals=300, seed=5)


def _reference(weight_set) -> dict[int, int]:
    """The decile each household gets from a straightforward SQL query with the same weights."""
    parts = " + ".join(pmt.contribution_sql(weight_set.weights))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH members AS (
                SELECT household_id, count(*) AS n,
                       count(*) FILTER (WHERE birth_date > %(child_cutoff)s) AS children,
                       count(*) FILTER (WHERE birth_date <= %(elderly_cutoff)s) AS elderly
                FROM dtks_individual WHERE status = 'alive' GROUP BY household_id)
            SELECT id, 1 + 10 * (rank() OVER w - 1) / count(*) OVER (PARTITION BY regency)
            FROM (SELECT h.id, substr(h.village_code, 1, 5) AS regency,
                         round((%(intercept)s + {parts})::numeric, 6) AS score
                  FROM dtks_household h LEFT JOIN members m ON m.household_id = h.id
                  WHERE h.status = 'active') s
            WINDOW w AS (PARTITION BY regency ORDER BY score)
            """.format(parts=parts),
            {**pmt.member_cutoffs(), "intercept": weight_set.intercept},
        )
        return dict(cursor.fetchall())


def test_ranking_matches_the_sql_reference_exactly(district):
    weight_set = PmtWeightSet.objects.get(is_active=True)
    run = pmt.run_ranking(weight_set=weight_set)
    ranked = dict(Household.objects.values_list("id", "pmt_desil"))
    assert ranked == _reference(weight_set)
    assert run.households == len(ranked)
    assert run.regencies == 2


def test_equal_scores_get_the_same_desil_whatever_their_ids(district, manager):
    # a registry with few distinct scores: one two-valued variable decides everything
    weight_set = PmtWeightSet.objects.get(is_active=True)
    weights = weight_set.weights
    variable = sorted(weights["categorical"])[0]
    codes = weights["categorical"][variable]
    plain = {
        "categorical": {variable: {code: (1.0 if i == 0 else 0.0) for i, code in enumerate(codes)}}
    }
    tied = PmtWeightSet.objects.create(
        version=weight_set.version + 1, intercept=0, weights=plain, is_active=False
    )
    pmt.run_ranking(weight_set=tied)
    by_score: dict = {}
    for score, desil in Household.objects.filter(village__code__startswith="19.04.").values_list(
        "pmt_score", "pmt_desil"
    ):
        by_score.setdefault(score, set()).add(desil)
    assert len(by_score) <= len(codes)
    assert all(len(desils) == 1 for desils in by_score.values()), by_score
    # a poorer score never gets a higher desil
    ordered = [next(iter(by_score[score])) for score in sorted(by_score)]
    assert ordered == sorted(ordered)
    # the poorest group starts at desil 1
    assert ordered[0] == 1


def test_every_score_is_explained_by_its_contributions(district):
    weight_set = PmtWeightSet.objects.get(is_active=True)
    pmt.run_ranking(weight_set=weight_set)
    for household in Household.objects.select_related("pmt_run__weight_set")[:50]:
        explanation = pmt.explain(household)
        assert len(explanation) == len(pmt.variables(weight_set.weights))
        # the stored score is rounded to 6 decimals (the ranking's tie rule)
        assert sum(row["value"] for row in explanation) + weight_set.intercept == pytest.approx(
            household.pmt_score, abs=1e-6
        )
        assert 1 <= household.pmt_desil <= 10


def test_deciles_are_per_regency_and_poorer_households_rank_lower(district):
    pmt.run_ranking(weight_set=PmtWeightSet.objects.get(is_active=True))
    for regency in ("19.04", "19.01"):
        households = Household.objects.filter(village__code__startswith=regency + ".")
        assert set(households.values_list("pmt_desil", flat=True)) == set(range(1, 11))
    first = Household.objects.filter(pmt_desil=1).values_list("pmt_score", flat=True)
    tenth = Household.objects.filter(pmt_desil=10).values_list("pmt_score", flat=True)
    assert max(first) < min(tenth)


def test_official_desil_is_left_alone(district):
    before = dict(Household.objects.values_list("id", "desil"))
    pmt.run_ranking(weight_set=PmtWeightSet.objects.get(is_active=True))
    assert dict(Household.objects.values_list("id", "desil")) == before


def test_data_manager_ranks_their_own_regency_only(district, manager):
    run = services.pmt_rank(actor=manager)
    assert run.scope == "19.04"
    assert not Household.objects.filter(
        village__code__startswith="19.01.", pmt_desil__isnull=False
    ).exists()
    assert PmtRun.objects.get().started_by == manager


def test_village_operator_cannot_run_the_pmt(make_user, village_a):
    with pytest.raises(Forbidden):
        services.pmt_rank(actor=make_user(Role.VILLAGE_OPERATOR, village_a.code))


def test_weights_with_unknown_variables_or_codes_are_refused(manager):
    weights = {"categorical": {"floor_material": {"gold": 1.0}}, "boolean": {"has_rocket": 1}}
    with pytest.raises(ValidationError) as excinfo:
        services.pmt_weight_set_save(
            weight_set=PmtWeightSet(name="x", weights=weights), actor=manager
        )
    text = " ".join(excinfo.value.message_dict["weights"])
    assert "gold" in text
    assert "has_rocket" in text


def test_changing_used_weights_creates_a_new_version(district, manager):
    weight_set = PmtWeightSet.objects.get(is_active=True)
    run = pmt.run_ranking(weight_set=weight_set)
    weight_set.weights = {**weight_set.weights, "boolean": {"has_car": 1.0}}
    saved = services.pmt_weight_set_save(weight_set=weight_set, actor=manager)
    assert saved.version == 2
    assert not saved.is_active  # a draft until a second person approves it
    run.refresh_from_db()
    assert run.weight_set.version == 1
    assert "has_air_conditioner" in run.weight_set.weights["boolean"]
    assert PmtWeightSet.objects.filter(is_active=True).count() == 1


def test_new_weights_are_a_draft_until_a_second_person_approves_them(
    district, manager, make_user, client, login
):
    import json

    from django.urls import reverse

    from silakso.exceptions import SeparationOfDutiesError

    in_use = PmtWeightSet.objects.get(is_active=True)
    login(client, manager)
    weights = {**in_use.weights, "boolean": {**in_use.weights["boolean"], "has_car": -0.9}}
    bad = client.post(
        reverse("dtks:pmt_weight_create"),
        {"name": "v2", "notes": "mobil", "intercept": "1", "weights": "{not json"},
    )
    assert "JSON" in bad.content.decode()
    answer = client.post(
        reverse("dtks:pmt_weight_create"),
        {"name": "v2", "notes": "mobil", "intercept": "1", "weights": json.dumps(weights)},
    )
    draft = PmtWeightSet.objects.get(name="v2")
    assert answer.status_code == 302 and draft.is_draft and not draft.is_active
    # ranking still uses the approved weights
    assert PmtWeightSet.objects.get(is_active=True) == in_use
    # the drafter cannot approve it
    with pytest.raises(SeparationOfDutiesError):
        services.pmt_weight_set_approve(weight_set=draft, actor=manager)
    # the changed weight is listed by what it means (the field's name), marked as changed
    detail = client.get(reverse("dtks:pmt_weight_detail", args=[draft.pk])).content.decode()
    assert "has_car" not in detail
    assert '<th scope="row">Mobil <span class="badge">berubah</span>' in detail
    second = make_user(Role.DATA_MANAGER, "19.04")
    login(client, second)
    assert client.post(reverse("dtks:pmt_weight_detail", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.is_active and draft.approved_by == second
    assert PmtWeightSet.objects.filter(is_active=True).count() == 1
    run = pmt.run_ranking(weight_set=PmtWeightSet.objects.get(is_active=True))
    assert run.weight_set == draft
