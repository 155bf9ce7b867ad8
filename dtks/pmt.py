"""SILAKSO's local proxy-means test: a household score from its variables, ranked into deciles.

The official desil comes from the national ranking (BPS) and is imported; this estimate exists
for households the ministry has not ranked yet and is always labelled as such. The score is a
weighted sum computed in one SQL statement (no Python loop over households); every household
keeps what each variable added, so an officer can explain the result, and the run is recorded
with the weight version it used.

The default weights below are a starting point with sensible signs, not a calibrated model:
the data manager of each district should calibrate them (for example against the official
desil of ranked households) and save them as a new version in the admin site.
"""

import datetime as dt
import time
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import choices

CATEGORICAL_VARIABLES = {
    "floor_material": choices.FloorMaterial,
    "wall_material": choices.WallMaterial,
    "roof_material": choices.RoofMaterial,
    "water_source": choices.WaterSource,
    "toilet": choices.ToiletFacility,
    "lighting": choices.Lighting,
    "cooking_fuel": choices.CookingFuel,
    "house_ownership": choices.HouseOwnership,
    "land_ownership": choices.LandOwnership,
    "head_education": choices.Education,
    "head_occupation": choices.Occupation,
    "income_band": choices.IncomeBand,
}
BOOLEAN_VARIABLES = (
    "has_gas_cylinder",
    "has_refrigerator",
    "has_air_conditioner",
    "has_television",
    "has_computer",
    "has_smartphone",
    "has_gold",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "has_disabled_member",
)
# numeric variable -> SQL over the household (h) and its living members (m)
NUMERIC_VARIABLES = {
    "floor_area_per_person": "coalesce(h.floor_area, 0) / NULLIF(m.n, 0)",
    "livestock_count": "h.livestock_count",
    "member_count": "m.n",
}
COMPOSITION_VARIABLES = {
    "children_share": "m.children::float / NULLIF(m.n, 0)",
    "elderly_share": "m.elderly::float / NULLIF(m.n, 0)",
}


def variable_label(variable: str) -> str:
    """What a PMT variable means, in the reader's language (the household field's own name
    where the variable is one)."""
    from django.core.exceptions import FieldDoesNotExist

    from .models import Household

    own = {
        "head_education": _("education of the head"),
        "head_occupation": _("occupation of the head"),
        "floor_area_per_person": _("floor area per person (m²)"),
        "member_count": _("household members"),
        "children_share": _("share of children"),
        "elderly_share": _("share of elderly members"),
        "has_disabled_member": _("a member with a disability"),
    }
    if variable in own:
        return str(own[variable])
    try:
        return str(Household._meta.get_field(variable).verbose_name)
    except FieldDoesNotExist:
        return variable


def code_label(variable: str, code: str) -> str:
    """The meaning of one code of a categorical PMT variable (``bamboo`` → "bambu")."""
    kind = CATEGORICAL_VARIABLES.get(variable)
    if kind is None or code not in kind.values:
        return code
    return str(kind(code).label)


DEFAULT_WEIGHTS = {
    "categorical": {
        "floor_material": {
            "marble": 0.35,
            "ceramic": 0.25,
            "vinyl": 0.2,
            "tile": 0.15,
            "wood": 0.0,
            "cement": 0.05,
            "bamboo": -0.15,
            "earth": -0.3,
            "other": -0.05,
        },
        "wall_material": {
            "masonry": 0.15,
            "plastered_bamboo": 0.0,
            "wood": -0.05,
            "woven_bamboo": -0.2,
            "log": -0.15,
            "bamboo": -0.2,
            "other": -0.05,
        },
        "roof_material": {
            "concrete": 0.15,
            "clay_tile": 0.05,
            "asbestos": 0.0,
            "zinc": -0.02,
            "wood_shingle": -0.05,
            "bamboo": -0.15,
            "thatch": -0.25,
            "other": -0.05,
        },
        "water_source": {
            "bottled": 0.15,
            "piped_metered": 0.12,
            "piped_retail": 0.05,
            "drilled_well": 0.05,
            "protected_well": 0.0,
            "unprotected_well": -0.15,
            "protected_spring": -0.02,
            "unprotected_spring": -0.15,
            "surface": -0.25,
            "rain": -0.1,
            "other": -0.05,
        },
        "toilet": {"private": 0.1, "shared": -0.05, "public": -0.15, "none": -0.3},
        "lighting": {
            "pln_450": -0.1,
            "pln_900": 0.0,
            "pln_1300": 0.15,
            "pln_2200": 0.3,
            "pln_no_meter": -0.15,
            "non_pln": -0.2,
            "none": -0.35,
        },
        "cooking_fuel": {
            "electricity": 0.3,
            "lpg_large": 0.25,
            "lpg_3kg": 0.0,
            "biogas": 0.0,
            "kerosene": -0.1,
            "briquette": -0.1,
            "charcoal": -0.15,
            "firewood": -0.3,
            "none": -0.05,
            "other": -0.05,
        },
        "house_ownership": {
            "own": 0.05,
            "contract": 0.0,
            "rent": -0.05,
            "rent_free": -0.1,
            "official": 0.05,
            "other": -0.05,
        },
        "land_ownership": {"own": 0.05, "others": -0.05, "state": -0.1, "other": -0.05},
        "head_education": {
            "none": -0.25,
            "primary": -0.1,
            "junior": 0.0,
            "senior": 0.1,
            "diploma": 0.25,
            "bachelor": 0.35,
        },
        "head_occupation": {
            "none": -0.2,
            "school": 0.0,
            "housekeeping": -0.1,
            "farmer": -0.1,
            "fisher": -0.1,
            "labourer": -0.15,
            "trader": 0.05,
            "driver": 0.0,
            "private_employee": 0.15,
            "civil_servant": 0.3,
            "entrepreneur": 0.25,
            "other": 0.0,
        },
        "income_band": {
            "below_1m": -0.4,
            "1m_2m": -0.15,
            "2m_3m": 0.05,
            "3m_5m": 0.25,
            "above_5m": 0.45,
        },
    },
    "boolean": {
        "has_gas_cylinder": 0.1,
        "has_refrigerator": 0.12,
        "has_air_conditioner": 0.3,
        "has_television": 0.05,
        "has_computer": 0.2,
        "has_smartphone": 0.05,
        "has_gold": 0.2,
        "has_motorcycle": 0.1,
        "has_car": 0.4,
        "has_boat": 0.05,
        "has_disabled_member": -0.1,
    },
    "numeric": {
        "floor_area_per_person": {"weight": 0.01, "cap": 50},
        "livestock_count": {"weight": 0.03, "cap": 10},
        "member_count": {"weight": -0.05, "cap": 12},
    },
    "composition": {"children_share": -0.3, "elderly_share": -0.15},
}


def variables(weights: Mapping) -> list[str]:
    """The variables of a weight set in the fixed order of stored contributions."""
    return (
        sorted(weights.get("categorical", {}))
        + sorted(weights.get("boolean", {}))
        + sorted(weights.get("numeric", {}))
        + sorted(weights.get("composition", {}))
    )


def validate_weights(weights) -> None:
    """Refuse unknown variables, unknown codes and non-numbers, naming the problem."""
    if not isinstance(weights, dict):
        raise ValidationError({"weights": _("The weights must be an object.")})
    problems = []
    unknown_groups = set(weights) - {"categorical", "boolean", "numeric", "composition"}
    if unknown_groups:
        problems.append(
            _("Unknown groups: {names}.").format(names=", ".join(sorted(unknown_groups)))
        )

    def number(value) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool)

    for variable, values in weights.get("categorical", {}).items():
        if variable not in CATEGORICAL_VARIABLES:
            problems.append(_("Unknown variable {name}.").format(name=variable))
            continue
        allowed = set(CATEGORICAL_VARIABLES[variable].values)
        for code, weight in values.items():
            if code not in allowed:
                problems.append(_("{name} has no value “{code}”.").format(name=variable, code=code))
            elif not number(weight):
                problems.append(
                    _("The weight of {name}={code} is not a number.").format(
                        name=variable, code=code
                    )
                )
    for variable, weight in weights.get("boolean", {}).items():
        if variable not in BOOLEAN_VARIABLES:
            problems.append(_("Unknown variable {name}.").format(name=variable))
        elif not number(weight):
            problems.append(_("The weight of {name} is not a number.").format(name=variable))
    for variable, spec in weights.get("numeric", {}).items():
        if variable not in NUMERIC_VARIABLES:
            problems.append(_("Unknown variable {name}.").format(name=variable))
        elif not (
            isinstance(spec, dict) and number(spec.get("weight")) and number(spec.get("cap", 0))
        ):
            problems.append(_("{name} needs a numeric weight and cap.").format(name=variable))
    for variable, weight in weights.get("composition", {}).items():
        if variable not in COMPOSITION_VARIABLES:
            problems.append(_("Unknown variable {name}.").format(name=variable))
        elif not number(weight):
            problems.append(_("The weight of {name} is not a number.").format(name=variable))
    if problems:
        raise ValidationError({"weights": problems})


def _literal(value: float) -> str:
    return repr(float(value))


def contribution_sql(weights: Mapping) -> list[str]:
    """One SQL expression per variable, in the order of :func:`variables`."""
    expressions = []
    for variable in sorted(weights.get("categorical", {})):
        cases = " ".join(
            "WHEN '{}' THEN {}".format(code, _literal(weight))
            for code, weight in sorted(weights["categorical"][variable].items())
        )
        expressions.append("CASE h.{} {} ELSE 0 END".format(variable, cases))
    for variable in sorted(weights.get("boolean", {})):
        expressions.append(
            "CASE WHEN h.{} THEN {} ELSE 0 END".format(
                variable, _literal(weights["boolean"][variable])
            )
        )
    for variable in sorted(weights.get("numeric", {})):
        spec = weights["numeric"][variable]
        expressions.append(
            "{} * coalesce(LEAST(({})::float, {}), 0)".format(
                _literal(spec["weight"]), NUMERIC_VARIABLES[variable], _literal(spec["cap"])
            )
        )
    for variable in sorted(weights.get("composition", {})):
        expressions.append(
            "{} * coalesce({}, 0)".format(
                _literal(weights["composition"][variable]), COMPOSITION_VARIABLES[variable]
            )
        )
    return expressions


def member_cutoffs(today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()

    def years_ago(years: int) -> dt.date:
        return today.replace(year=today.year - years, day=min(today.day, 28))

    return {"child_cutoff": years_ago(15), "elderly_cutoff": years_ago(60)}


def rank_sql(weights: Mapping, *, scoped: bool) -> str:
    """Score, rank per regency into deciles and store score, desil and contributions.

    The desil of a household is ``1 + floor(10 × (rank − 1) / n)`` in its regency, where
    ``rank`` is its position by score with ties sharing the lowest position (``rank()``) and
    ``n`` the regency's households: households with the same score (to 6 decimals) always get
    the same desil, the poorer one when a tie straddles a boundary, so a tie never decides
    eligibility by database id. Without ties it is the usual equal-sized deciles."""
    validate_weights(weights)  # only known variables and codes ever reach the SQL text
    parts = contribution_sql(weights)
    columns = ", ".join("{} AS c{}".format(expr, i) for i, expr in enumerate(parts))
    total = " + ".join("c{}".format(i) for i in range(len(parts))) or "0"
    array = ", ".join("c{}".format(i) for i in range(len(parts)))
    return """
    WITH members AS (
        SELECT household_id, count(*) AS n,
               count(*) FILTER (WHERE birth_date > %(child_cutoff)s) AS children,
               count(*) FILTER (WHERE birth_date <= %(elderly_cutoff)s) AS elderly
        FROM dtks_individual WHERE status = 'alive' GROUP BY household_id
    ), scored AS (
        SELECT h.id, substr(h.village_code, 1, 5) AS regency, h.pmt_desil AS old_desil,
               {columns}
        FROM dtks_household h LEFT JOIN members m ON m.household_id = h.id
        WHERE h.status = 'active' {scope}
    ), totals AS (
        SELECT id, round((%(intercept)s + {total})::numeric, 6)::float8 AS score,
               jsonb_build_array({array}) AS parts, regency, old_desil
        FROM scored
    ), ranked AS (
        -- rank-based deciles: equal scores share a rank, hence a desil (never split by id)
        SELECT id, score, parts, regency, old_desil,
               1 + (10 * (rank() OVER (PARTITION BY regency ORDER BY score) - 1))
                   / count(*) OVER (PARTITION BY regency) AS desil
        FROM totals
    ), updated AS (
        UPDATE dtks_household h
        SET pmt_score = r.score, pmt_desil = r.desil, pmt_contributions = r.parts,
            pmt_run_id = %(run)s
        FROM ranked r WHERE h.id = r.id
        RETURNING h.id
    )
    SELECT (SELECT count(*) FROM updated),
           (SELECT count(DISTINCT regency) FROM ranked),
           (SELECT count(*) FROM ranked WHERE old_desil IS DISTINCT FROM desil)
    """.format(
        columns=columns,
        total=total,
        array=array,
        scope="AND (h.village_code = %(scope)s OR h.village_code LIKE %(scope_like)s)"
        if scoped
        else "",
    )


def explain(household) -> list[dict]:
    """The household's contributions, largest first, with readable labels."""
    run = household.pmt_run
    if run is None or not household.pmt_contributions:
        return []
    from .models import Household

    rows = []
    for variable, value in zip(
        variables(run.weight_set.weights), household.pmt_contributions, strict=False
    ):
        try:
            label = str(Household._meta.get_field(variable).verbose_name)
        except Exception:
            label = {
                "floor_area_per_person": _("floor area per person"),
                "children_share": _("share of children under 15"),
                "elderly_share": _("share of people aged 60 or more"),
                "member_count": _("members"),
            }.get(variable, variable)
        rows.append({"variable": variable, "label": label, "value": float(value)})
    rows.sort(key=lambda row: -abs(row["value"]))
    return rows


def run_ranking(*, weight_set, actor=None, scope: str | None = None, reporter=None):
    """Score and rank every active household (of ``scope``, or all) with ``weight_set``."""
    from .models import PmtRun

    if connection.vendor != "postgresql":
        raise ValidationError(_("The local PMT needs PostgreSQL."))
    started = time.monotonic()
    with transaction.atomic():
        run = PmtRun.objects.create(
            weight_set=weight_set,
            started_by=actor if actor is not None and actor.is_authenticated else None,
            scope=scope or "",
            started_at=timezone.now(),
        )
        if reporter:
            reporter.progress(1, 3, _("Scoring households"))
        params = {
            **member_cutoffs(),
            "intercept": float(weight_set.intercept),
            "run": run.pk,
            "scope": scope or "",
            "scope_like": (scope or "") + ".%",
        }
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(rank_sql(weight_set.weights, scoped=bool(scope)), params)
            run.households, run.regencies, run.changed = cursor.fetchone()
        run.finished_at = timezone.now()
        run.seconds = round(time.monotonic() - started, 3)
        run.save(update_fields=["households", "regencies", "changed", "finished_at", "seconds"])
        if reporter:
            reporter.progress(3, 3, _("Done"))
    # the time the caller waited, the COMMIT of a million updated rows included
    run.seconds = round(time.monotonic() - started, 3)
    PmtRun.objects.filter(pk=run.pk).update(seconds=run.seconds)
    return run
