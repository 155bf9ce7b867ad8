"""Reads of the registry, always scoped to the caller."""

import datetime as dt
import weakref
from difflib import SequenceMatcher
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.permissions import has_role
from core.scope import NOTHING, within

from .choices import EnrollmentStatus, FlagStatus, IndividualStatus, RelationToHead
from .models import (
    DesilRecord,
    Enrollment,
    Family,
    Flag,
    Household,
    HouseholdEvent,
    Individual,
    PersonMerge,
    Program,
    ProgramPeriod,
    Region,
)
from .permissions import can_read_registry
from .search import normalize_name


def region_list(*, filters: dict | None = None) -> QuerySet[Region]:
    """The official region list is public reference data: every caller reads all of it."""
    queryset = Region.objects.select_related("parent")
    if filters:
        from .filtersets import RegionFilterSet

        queryset = RegionFilterSet(filters, queryset=queryset).qs
    return queryset


def villages_in_scope(*, user) -> QuerySet[Region]:
    """Villages the user may register households in (for form choices)."""
    return Region.objects.villages().visible_to(user).select_related("parent").order_by("code")


def village_options(*, user) -> list[tuple[str, str]]:
    """(code, "Village (District)") of ``villages_in_scope``, kept five minutes in the cache
    per scope: the registry list offers them on every search."""
    from django.core.cache import cache

    from core.scope import NON_REGIONAL_ROLES

    if user.is_installation_wide:
        scope = "*"
    elif user.role in NON_REGIONAL_ROLES:
        scope = "-"
    else:
        scope = user.scope_code or "-"
    key = "silakso:village-options:" + scope
    options = cache.get(key)
    if options is None:
        options = [
            (code, "{} ({})".format(name, district))
            for code, name, district in villages_in_scope(user=user).values_list(
                "code", "name", "parent__name"
            )
        ]
        cache.set(key, options, 300)
    return options


def villages_by_district(*, user) -> QuerySet[Region]:
    """The user's villages for a choice list grouped by district."""
    return (
        Region.objects.visible_to(user)
        .filter(level=4)
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def region_get(code: str) -> Region | None:
    """A region by its Kemendagri code (reference data: no scope), or None."""
    return Region.objects.filter(code=code).first()


def _heads() -> Prefetch:
    return Prefetch(
        "members",
        queryset=Individual.objects.filter(
            relation_to_head=RelationToHead.HEAD, status=IndividualStatus.ALIVE
        ),
        to_attr="heads",
    )


def household_list(*, user, filters: dict | None = None) -> QuerySet[Household]:
    """Households in the user's scope, with the village and the head for list rows."""
    if not can_read_registry(user):
        return Household.objects.filter(NOTHING)
    queryset = (
        Household.objects.visible_to(user)
        .select_related("village", "village__parent")
        .prefetch_related(_heads())
    )
    if filters:
        from .filtersets import HouseholdFilterSet

        queryset = HouseholdFilterSet(filters, queryset=queryset).qs
    return queryset


def household_detail_list(*, user) -> QuerySet[Household]:
    """Households of the user's scope with everything their page shows."""
    members = Individual.objects.select_related("family").order_by(
        "status", "-relation_to_head", "birth_date"
    )
    return (
        household_list(user=user)
        .prefetch_related(
            Prefetch("members", queryset=members, to_attr="all_members"),
            "families",
            Prefetch(
                "enrollments",
                queryset=Enrollment.objects.select_related("program", "period", "individual"),
            ),
            "photos",
            Prefetch(
                "flags", queryset=Flag.objects.filter(status=FlagStatus.OPEN), to_attr="open_flags"
            ),
            "desil_records",
        )
        .select_related("village__parent__parent", "pmt_run__weight_set")
    )


def household_get(*, user, pk) -> Household:
    """One household with everything its page shows (raises DoesNotExist outside scope)."""
    return household_detail_list(user=user).get(pk=pk)


def household_variables(*, household: Household) -> list[tuple[str, str]]:
    """(label, value shown) for each house and socio-economic variable, for the household page."""
    from .models import HOUSEHOLD_FIELDS

    rows = []
    for name in HOUSEHOLD_FIELDS:
        if name in ("address", "rt", "rw", "latitude", "longitude"):
            continue
        field: Any = Household._meta.get_field(name)
        value = getattr(household, name)
        if field.choices:
            shown = getattr(household, "get_{}_display".format(name))() if value else "—"
        elif isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        else:
            shown = "—" if value in (None, "") else str(value)
        rows.append((str(field.verbose_name), shown))
    return rows


def household_history(*, household: Household) -> QuerySet[HouseholdEvent]:
    return household.events.select_related("actor", "individual")


def household_desil_on(*, household: Household, date: dt.date) -> DesilRecord | None:
    """The official desil the household had on ``date`` (the latest value dated on or before)."""
    return household.desil_records.filter(as_of__lte=date).order_by("-as_of").first()


def registry_person(nik: str) -> Individual | None:
    """The registry's record of a NIK: the living one before a moved one, never a deceased
    one, and for a record merged into another the one it now is (None when the NIK is not
    registered). Not scoped: callers decide what they show."""
    person = (
        Individual.objects.filter(nik=nik)
        .exclude(status=IndividualStatus.DECEASED)
        .select_related("household", "household__village")
        .order_by("status", "pk")
        .first()
    )
    if person is not None and person.status == IndividualStatus.MERGED:
        # the NIK of a record merged into another: the record it now is
        merge = (
            PersonMerge.objects.filter(merged=person, reversed_at__isnull=True)
            .select_related("survivor__household__village")
            .first()
        )
        return merge.survivor if merge is not None else person
    return person


def desil_on(date: dt.date, *, household: str = "") -> dict[str, Any]:
    """Annotations ``desil_then`` and ``desil_then_as_of``: the official desil valid on ``date``
    (the latest value dated on or before it) for the household at path ``household`` of the
    queryset ("" for a Household queryset, "household" for applications). A household with no
    dated values kept (data entered before values were kept) answers with its current desil if
    that is not dated after ``date``. One correlated lookup per row on the (household, as_of)
    index: a ratification annex of thousands of rows stays one query."""
    from django.db.models import Case, Exists, F, PositiveSmallIntegerField, Q, Value, When
    from django.db.models import DateField as DateOutput

    prefix = household + "__" if household else ""
    records = DesilRecord.objects.filter(household_id=OuterRef(prefix + "id" if prefix else "pk"))
    dated = records.filter(as_of__lte=date).order_by("-as_of", "-id")
    current_ok = Q(**{prefix + "desil_as_of__isnull": True}) | Q(
        **{prefix + "desil_as_of__lte": date}
    )

    def pick(field: str, current: str, output):
        return Case(
            When(Exists(records), then=Subquery(dated.values(field)[:1])),
            When(current_ok, then=F(prefix + current)),
            default=Value(None),
            output_field=output,
        )

    return {
        "desil_then": pick("desil", "desil", PositiveSmallIntegerField()),
        "desil_then_as_of": pick("as_of", "desil_as_of", DateOutput()),
    }


def desil_value_on(*, household: Household, date: dt.date) -> tuple[int | None, dt.date | None]:
    """(desil, as of) valid for one household on ``date`` (the rule of :func:`desil_on`)."""
    return (
        Household.objects.filter(pk=household.pk)
        .annotate(**desil_on(date))
        .values_list("desil_then", "desil_then_as_of")
        .get()
    )


def individual_list(*, user, filters: dict | None = None) -> QuerySet[Individual]:
    if not can_read_registry(user):
        return Individual.objects.filter(NOTHING)
    queryset = Individual.objects.visible_to(user).select_related(
        "household", "household__village", "family"
    )
    if filters:
        from .filtersets import IndividualFilterSet

        queryset = IndividualFilterSet(filters, queryset=queryset).qs
    return queryset


def family_list(*, user) -> QuerySet[Family]:
    if not can_read_registry(user):
        return Family.objects.filter(NOTHING)
    return Family.objects.visible_to(user).select_related("household")


def flag_list(*, user) -> QuerySet[Flag]:
    if not can_read_registry(user):
        return Flag.objects.filter(NOTHING)
    return Flag.objects.visible_to(user).select_related(
        "household", "household__village", "individual"
    )


def flag_evidence(*, user, flags) -> dict[int, list[dict]]:
    """Plain-language evidence of each flag (``{flag id: [{text, household}]}``).

    Other people a flag points to are named and linked only when they are inside the user's
    scope; the others are counted, never shown (a duplicate NIK may live in another regency).
    """

    flags = list(flags)
    other_ids = set()
    codes: set[str] = set()
    for flag in flags:
        evidence = flag.evidence or {}
        if evidence.get("field") == "address":
            codes.update(
                value.split(" ")[0] for value in (evidence["ours"], evidence["theirs"]) if value
            )
        if evidence.get("other"):
            other_ids.add(evidence["other"])
        other_ids.update(evidence.get("others") or [])
    village_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    visible = {
        person.pk: person
        for person in Individual.objects.visible_to(user)
        .filter(pk__in=other_ids)
        .only("pk", "name", "household_id")
    }
    date_kinds = {
        "exact": _("the same date of birth"),
        "near": _("a date of birth one or two days apart"),
        "swap": _("day and month of birth swapped"),
        "digits": _("a date of birth with two digits swapped"),
    }
    nik_kinds = {
        "same": _("the same NIK"),
        "one_digit": _("NIKs one digit apart"),
        "carries_other_date": _("a NIK carrying the other record's date of birth"),
        "swapped": _("NIKs with two digits swapped"),
        "different": _("different NIKs"),
    }
    place_kinds = {
        "same": _("the same place of birth"),
        "different": _("different places of birth"),
    }
    result: dict[int, list[dict]] = {}
    for flag in flags:
        evidence = flag.evidence or {}
        lines = []
        others = [evidence["other"]] if evidence.get("other") else evidence.get("others") or []
        hidden = 0
        for pk in others:
            person = visible.get(pk)
            if person is None:
                hidden += 1
            else:
                lines.append(
                    {
                        "text": _("Other record: {name}").format(name=person.name),
                        "household": person.household_id,
                    }
                )
        if hidden:
            lines.append({"text": _("{count} record(s) outside your area").format(count=hidden)})
        if "name_similarity" in evidence:
            parts = [
                _("names {percent}% alike").format(
                    percent=round(float(evidence["name_similarity"]) * 100)
                ),
                date_kinds.get(evidence.get("birth_date") or "", ""),
                nik_kinds.get(evidence.get("nik") or "", ""),
                place_kinds.get(evidence.get("birth_place") or "", ""),
                _("a name few others in the village carry") if evidence.get("rare_name") else "",
            ]
            lines.append({"text": ", ".join(part for part in parts if part)})
        if "theirs" in evidence:
            lines += _civil_lines(evidence, village_names)
        if "max_desil" in evidence:
            lines.append(
                {
                    "text": _("{program}: desil {desil}, limit {limit}").format(
                        program=evidence.get("program"),
                        desil=evidence.get("desil"),
                        limit=evidence.get("max_desil"),
                    )
                }
            )
        elif "desil" in evidence:
            lines.append({"text": _("Desil {desil}").format(desil=evidence["desil"])})
        result[flag.pk] = lines
    return result


def _civil_lines(evidence: dict, village_names: dict) -> list[dict]:
    """ "Here: … · Civil registry: …" for a difference from Dukcapil, in plain words."""
    from .choices import Sex

    field = evidence.get("field")

    def shown(value: str) -> str:
        if not value:
            return "—"
        if field == "sex":
            return str(Sex(value).label) if value in Sex.values else value
        if field == "address":
            code, _space, rest = value.partition(" ")
            return "{} {}".format(village_names.get(code, code), rest).strip()
        return value

    if field == "status":  # deceased or moved out on a date
        return [{"text": _("Civil registry: since {date}").format(date=shown(evidence["theirs"]))}]
    return [
        {
            "text": _("Here: {ours} · Civil registry: {theirs}").format(
                ours=shown(evidence.get("ours") or ""), theirs=shown(evidence.get("theirs") or "")
            )
        }
    ]


def program_list(*, user=None) -> QuerySet[Program]:
    """Programs: national ones and the regional ones of the user's region."""
    queryset = Program.objects.all()
    if user is None or not user.is_authenticated or user.is_installation_wide:
        return queryset
    if user.role == Role.PROGRAM_MANAGER:
        # a partner OPD's program manager keeps its own programs, and sees only those
        return queryset.filter(managers=user) if user.is_active else queryset.none()
    return queryset.available_in(user.region_id)


def program_period_list(*, user=None) -> QuerySet[ProgramPeriod]:
    return ProgramPeriod.objects.filter(program__in=program_list(user=user)).select_related(
        "program"
    )


def program_period_counts(*, user, period: ProgramPeriod) -> dict:
    """How many households of the user's area receive the period, by status."""
    rows = (
        Enrollment.objects.visible_to(user)
        .filter(period=period)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def enrollment_list(*, user, filters: dict | None = None) -> QuerySet[Enrollment]:
    """Enrollments of the user's area (a partner OPD's program manager: of its programs)."""
    if not (can_read_registry(user) or has_role(user, Role.PROGRAM_MANAGER)):
        return Enrollment.objects.filter(NOTHING)
    queryset = Enrollment.objects.visible_to(user).select_related(
        "program", "period", "household", "household__village", "individual"
    )
    if filters:
        from .filtersets import EnrollmentFilterSet

        queryset = EnrollmentFilterSet(filters, queryset=queryset).qs
    return queryset


def with_head_name(queryset: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """Enrollments with their household head's name (for a masked recipient label)."""
    return queryset.annotate(
        head_name=Subquery(
            Individual.objects.filter(
                household=OuterRef("household"), relation_to_head=RelationToHead.HEAD
            )
            .order_by("status", "id")
            .values("name")[:1]
        )
    )


def label_recipients(enrollments) -> None:
    """Give each enrollment a masked ``recipient_label`` (the member, else the head)."""
    for enrollment in enrollments:
        name = enrollment.individual.name if enrollment.individual_id else ""
        enrollment.recipient_label = mask_name(name or getattr(enrollment, "head_name", "") or "")


def program_overlaps(*, user, period: ProgramPeriod) -> list[dict]:
    """Recipients of ``period`` (in the user's reach) who get the same aid type from another
    funder in an overlapping period: what the double-dipping guard found or was told."""
    program = period.program
    others = Enrollment.objects.filter(
        household=OuterRef("household"),
        status=EnrollmentStatus.ACTIVE,
        program__aid_type=program.aid_type,
        period__starts_on__lte=period.ends_on,
        period__ends_on__gte=period.starts_on,
    ).exclude(program__funding_source=program.funding_source)
    queryset = (
        with_head_name(Enrollment.objects.visible_to(user))
        .filter(period=period, status=EnrollmentStatus.ACTIVE)
        .annotate(other=Subquery(others.values("program__name")[:1]))
        .filter(other__isnull=False)
        .select_related("household__village", "individual")
        .order_by("household__village_id", "household_id")[:200]
    )
    rows = list(queryset)
    label_recipients(rows)
    return [
        {
            "enrollment": row,
            "other_program": row.other,
            "reason": row.double_dip_reason,
        }
        for row in rows
    ]


# ---------------------------------------------------------------------------- cek bansos
def mask_name(name: str) -> str:
    """'SITI RAHAYU' → 'SI** RA****': enough to recognise oneself, not to learn a name."""
    return " ".join(
        word[:2] + "*" * max(len(word) - 2, 1) if len(word) > 1 else word
        for word in name.upper().split()
    )


def names_match(entered: str, recorded: str) -> bool:
    """The name typed matches the registry name (case, accents, spacing and one typo forgiven)."""
    a, b = normalize_name(entered), normalize_name(recorded)
    if not a or not b:
        return False
    return a == b or SequenceMatcher(None, a, b).ratio() >= 0.9


# The public status check in one round trip, on PostgreSQL and SQLite alike: the person (the
# first living or moved record of the NIK), their region names and the enrollments of the
# current period. This is the busiest public endpoint: built with the ORM, compiling the query
# cost more than the database took to answer, and on PostgreSQL planning it took longer than
# running it, so each connection prepares it once (benchmarks/README.md).
CEK_BANSOS_SQL = """
    SELECT i.id, i.name, h.desil, v.code, v.name, d.name, r.name, p.name, pp.name, e.status
    FROM dtks_individual i
    JOIN dtks_household h ON h.id = i.household_id
    JOIN dtks_region v ON v.code = h.village_code
    LEFT JOIN dtks_region d ON d.code = v.parent_id
    LEFT JOIN dtks_region r ON r.code = d.parent_id
    LEFT JOIN dtks_enrollment e ON e.household_id = h.id
         AND (e.individual_id IS NULL OR e.individual_id = i.id)
         AND e.period_id IN (SELECT pp2.id FROM dtks_programperiod pp2
                             WHERE pp2.starts_on <= {today} AND pp2.ends_on >= {today})
    LEFT JOIN dtks_program p ON p.id = e.program_id
    LEFT JOIN dtks_programperiod pp ON pp.id = e.period_id
    WHERE i.id = (SELECT x.id FROM dtks_individual x WHERE x.nik = {nik} AND x.status <> {dead}
                  ORDER BY x.id LIMIT 1)
    ORDER BY p.name
"""
_cek_prepared: "weakref.WeakSet" = weakref.WeakSet()


def _cek_bansos_rows(nik: str, today: dt.date) -> list[tuple]:
    from django.conf import settings
    from django.db import connections

    from silakso.replicas import read_alias

    connection = connections[read_alias()]
    dead = IndividualStatus.DECEASED.value
    prepared = (
        connection.vendor == "postgresql"
        and settings.SILAKSO_PREPARED_STATEMENTS
        and not connection.in_atomic_block
    )
    with connection.cursor() as cursor:
        if not prepared:
            cursor.execute(
                CEK_BANSOS_SQL.format(today="%s", nik="%s", dead="%s"), [today, today, nik, dead]
            )
            return cursor.fetchall()
        raw = connection.connection
        if raw not in _cek_prepared:
            cursor.execute("DEALLOCATE ALL")
            cursor.execute(
                "PREPARE silakso_cek_bansos(date, text, text) AS "
                + CEK_BANSOS_SQL.format(today="$1", nik="$2", dead="$3")
            )
            _cek_prepared.add(raw)
        cursor.execute("EXECUTE silakso_cek_bansos(%s, %s, %s)", [today, nik, dead])
        return cursor.fetchall()


def programs_now(*, nik: str, today: dt.date | None = None) -> list[dict]:
    """The programs a NIK's household receives in the current period (the resident's own page;
    the NIK is the signed-in resident's, so no name is asked)."""
    rows = _cek_bansos_rows(nik, today or timezone.localdate())
    return [
        {"program": program, "period": period}
        for *_person, program, period, status in rows
        if program is not None and status == EnrollmentStatus.ACTIVE
    ]


def cek_bansos(*, nik: str, name: str, today: dt.date | None = None) -> dict | None:
    """The public status check: the programs of the current period for a NIK + name, masked.

    Returns None both when the NIK is unknown and when the name does not match, so the two cannot
    be told apart (no enumeration of who is in the registry).
    """
    today = today or timezone.localdate()
    rows = _cek_bansos_rows(nik, today)
    if not rows or not names_match(name, rows[0][1]):
        return None
    person_id, person_name, desil, village_code, village, district, regency = rows[0][:7]
    labels = dict(EnrollmentStatus.choices)
    return {
        "person_id": person_id,
        "region_code": village_code,
        "name": mask_name(person_name),
        "village": village,
        "district": district or "",
        "regency": regency or "",
        "desil": desil,
        "programs": [
            {
                "program": program,
                "period": period,
                "status": str(labels.get(status, status)),
                "active": status == EnrollmentStatus.ACTIVE,
            }
            for *_person, program, period, status in rows
            if program is not None
        ],
    }


# ---------------------------------------------------------------------------- landing pages


def pmt_weight_rows(weights: dict) -> list[tuple[str, str]]:
    """Each variable of a weight set with its weights in words, as the PMT pages show them."""
    from .pmt import code_label, variable_label, variables

    rows = []
    for variable in variables(weights):
        if variable in weights.get("categorical", {}):
            detail = ", ".join(
                "{}: {:+.2f}".format(code_label(variable, code), value)
                for code, value in sorted(
                    weights["categorical"][variable].items(), key=lambda item: item[1]
                )
            )
        elif variable in weights.get("numeric", {}):
            spec = weights["numeric"][variable]
            detail = "{:+.3f} × ({} ≤ {})".format(
                spec["weight"], variable_label(variable), spec["cap"]
            )
        else:
            detail = "{:+.2f}".format(
                weights.get("boolean", {}).get(
                    variable, weights.get("composition", {}).get(variable, 0)
                )
            )
        rows.append((variable_label(variable), detail))
    return rows


def pmt_overview() -> tuple:
    """The active PMT weight set, its variables with their weights in words, the drafts
    waiting for a second person's approval, the last runs."""
    from .models import PmtRun, PmtWeightSet

    weight_set = PmtWeightSet.objects.filter(is_active=True).order_by("-version").first()
    rows = pmt_weight_rows(weight_set.weights) if weight_set is not None else []
    drafts = PmtWeightSet.objects.filter(approved_at__isnull=True).select_related("created_by")
    runs = PmtRun.objects.select_related("weight_set", "started_by")[:20]
    return weight_set, rows, runs, drafts


def campaign_list(*, user):
    """Field campaigns of the user's area."""
    from .models import Campaign

    return Campaign.objects.visible_to(user).select_related("region")


def campaign_items(*, user, campaign=None):
    """The households of campaigns in the user's area (one campaign's when given)."""
    from .models import CampaignItem

    items = CampaignItem.objects.visible_to(user).select_related(
        "campaign", "household", "household__village", "individual", "flag"
    )
    return items.filter(campaign=campaign) if campaign is not None else items


def campaign_item_get(*, user, pk):
    """One household of a campaign in the user's area (DoesNotExist otherwise)."""
    return campaign_items(user=user).get(pk=pk)


# ---------------------------------------------------------------------------- bulk lookup
BULK_LOOKUP_MAX = 1000


def people_lookup(*, user, niks: list[str]) -> list[dict]:
    """For each NIK given (an OPD checking its own list): whether the person is in the
    caller's area, with the name masked, the household's official desil and the programs it
    receives now. People outside the area answer exactly like people not in the registry. Two
    queries whatever the number of NIKs."""
    from .choices import EnrollmentStatus
    from .models import Enrollment, Individual

    wanted = list(dict.fromkeys(n.strip() for n in niks if n and n.strip()))
    people = {
        person.nik: person
        for person in Individual.objects.visible_to(user)
        .living()
        .filter(nik__in=wanted)
        .select_related("household")
        .order_by("nik", "id")
    }
    programs: dict[int, list[str]] = {}
    for household_id, code in (
        Enrollment.objects.filter(
            household_id__in={p.household_id for p in people.values()},
            status=EnrollmentStatus.ACTIVE,
        )
        .values_list("household_id", "program__code")
        .order_by("household_id", "program__code")
        .distinct()
    ):
        programs.setdefault(household_id, []).append(code)
    answers = []
    for nik in wanted:
        person = people.get(nik)
        if person is None:
            answers.append({"nik": nik, "found": False})
            continue
        answers.append(
            {
                "nik": nik,
                "found": True,
                "name": mask_name(person.name),
                "household": person.household_id,
                "desil": person.household.desil,
                "programs": programs.get(person.household_id, []),
            }
        )
    return answers


# ---------------------------------------------------------------------------- transparency
def recipients_by_area(*, regency_code: str, district_code: str = "") -> dict:
    """Households receiving each program now, per district of the regency (or per village of
    one district), as a table to publish: one GROUP BY, kept ten minutes in the cache; small
    cells are hidden by ``silakso.disclosure.suppress`` before anything leaves."""
    from django.core.cache import cache
    from django.db.models import Count
    from django.db.models.functions import Substr

    from silakso.disclosure import suppress, threshold

    from .choices import EnrollmentStatus
    from .models import Enrollment, Program

    parent = district_code or regency_code
    key = "silakso:transparency:{}:{}".format(parent, threshold())
    cached = cache.get(key)
    if cached is not None:
        return cached
    areas = list(
        Region.objects.filter(parent_id=parent).order_by("code").values_list("code", "name")
    )
    today = timezone.localdate()
    width = len(parent) + (3 if not district_code else 5)  # "19.04" → "19.04.01" → village
    counts = (
        Enrollment.objects.filter(
            status=EnrollmentStatus.ACTIVE,
            period__starts_on__lte=today,
            period__ends_on__gte=today,
        )
        .filter(within("household__village__code", parent))
        .annotate(area=Substr("household__village__code", 1, width))
        .values("area", "program_id")
        .annotate(households=Count("household_id", distinct=True))
    )
    cells = {(row["area"], row["program_id"]): row["households"] for row in counts}
    totals_row = None
    if district_code:
        # the district's row of the regency table is public already: the villages' table
        # keeps its figures and its hidden ones, with the regency's columns, so neither table
        # gives the other's hidden figures away
        regency = recipients_by_area(regency_code=regency_code)
        programs = regency["programs"]
        index = [code for code, _name in regency["areas"]].index(district_code)
        table = regency["table"]
        if table is not None:
            totals_row = [*table.cells[index], table.row_totals[index]]
    else:
        programs = list(
            Program.objects.filter(pk__in={program for _area, program in cells})
            .order_by("name")
            .values_list("pk", "name")
        )
    table = None
    if areas and programs:
        table = suppress(
            [[cells.get((code, pk), 0) for pk, _n in programs] for code, _ in areas],
            totals_row=totals_row,
        )
    result = {
        "areas": areas,
        "programs": programs,
        "table": table,
        "rows": [
            {
                "area": name,
                "cells": list(zip([n for _pk, n in programs], cells, strict=True)),
                "total": total,
            }
            for (_code, name), cells, total in zip(
                areas, table.cells, table.row_totals, strict=True
            )
        ]
        if table
        else [],
        "totals": list(zip([n for _pk, n in programs], table.column_totals, strict=True))
        if table
        else [],
        "as_of": today,
    }
    cache.set(key, result, 600)
    return result


# ---------------------------------------------------------------------------- summary
def registry_summary(*, user, area: str = "") -> dict:
    """The registry at a glance for staff: households per desil and people, per district of
    the user's regency (per village of a district; the village itself for a village), inside
    the user's scope. Two GROUP BYs, kept five minutes in the cache per area."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count
    from django.db.models.functions import Substr

    from .choices import HouseholdStatus, IndividualStatus

    scope = user.scope_code or settings.SILAKSO_HOME_REGENCY
    if user.is_installation_wide and not area:
        area = settings.SILAKSO_HOME_REGENCY
    if not area or not (area == scope or area.startswith(scope + ".")):
        area = scope
    region = Region.objects.filter(code=area).first()
    if region is None or not can_read_registry(user):
        return {"region": None, "rows": [], "totals": None}
    key = "silakso:registry-summary:" + area
    cached = cache.get(key)
    if cached is not None:
        return cached
    village = region.level >= 4
    # the code of a part: a regency's districts "19.04.01", a district's villages "…1001"
    width = len(area) if village else len(area) + (5 if region.level == 3 else 3)
    households = (
        Household.objects.filter(status=HouseholdStatus.ACTIVE)
        .filter(within("village__code", area))
        .annotate(part=Substr("village__code", 1, width))
        .values("part", "desil")
        .annotate(n=Count("pk"))
    )
    people = (
        Individual.objects.filter(
            household__status=HouseholdStatus.ACTIVE, status=IndividualStatus.ALIVE
        )
        .filter(within("household__village__code", area))
        .annotate(part=Substr("household__village__code", 1, width))
        .values("part")
        .annotate(n=Count("pk"))
    )
    names = dict(
        Region.objects.filter(code=area).values_list("code", "name")
        if village
        else Region.objects.filter(parent_id=area).values_list("code", "name")
    )
    rows: dict[str, dict] = {
        code: {
            "code": code,
            "name": name,
            "desil": [0] * 10,
            "no_desil": 0,
            "households": 0,
            "people": 0,
        }
        for code, name in sorted(names.items())
    }
    for row in households:
        line = rows.get(row["part"])
        if line is None:
            continue
        if row["desil"]:
            line["desil"][row["desil"] - 1] += row["n"]
        else:
            line["no_desil"] += row["n"]
        line["households"] += row["n"]
    for row in people:
        if row["part"] in rows:
            rows[row["part"]]["people"] = row["n"]
    totals = {
        "desil": [sum(line["desil"][d] for line in rows.values()) for d in range(10)],
        "no_desil": sum(line["no_desil"] for line in rows.values()),
        "households": sum(line["households"] for line in rows.values()),
        "people": sum(line["people"] for line in rows.values()),
    }
    # desil bands as programs use them: each of 1 to 5, then 6 to 10 together
    bands = [(d, d) for d in range(1, 6)] + [(6, 10)]
    for line in [*rows.values(), totals]:
        line["bands"] = [
            {"low": low, "high": high, "n": sum(line["desil"][low - 1 : high])}
            for low, high in bands
        ]
    result = {
        "region": region,
        "bands": bands,
        "drills": region.level < 3,
        "rows": list(rows.values()),
        "totals": totals,
    }
    cache.set(key, result, 300)
    return result


# ---------------------------------------------------------------------------- rounds
def rounds(*, user):
    """The registry rounds of the user's area (data manager, head of division, regent's
    office, administrators); nobody else sees them."""
    from .models import RegistryRound
    from .permissions import can_read_rounds

    if not can_read_rounds(user):
        return RegistryRound.objects.none()
    return RegistryRound.objects.visible_to(user).select_related(
        "created_by", "proposed_by", "decided_by", "compare_job", "apply_job"
    )


def round_get(*, user, pk):
    """One round of the user's area (DoesNotExist otherwise)."""
    return rounds(user=user).get(pk=pk)


def round_lists(rows: list[dict]) -> list[dict]:
    """The round's downloadable lists that hold someone, with their counts (``rows`` from
    ``round_districts``)."""
    from .models.rounds import ROUND_LISTS, RoundChange

    lists = [
        {
            "slug": slug,
            "change": change,
            "change_label": RoundChange(change).label,
            "people": people,
            "count": sum(row["people" if people else "households"][change] for row in rows),
        }
        for (change, people), slug in ROUND_LISTS.items()
    ]
    return [item for item in lists if item["count"]]


def round_districts(registry_round, district: str = "") -> list[dict]:
    """The round's counts per district (or per village of ``district``), with the names."""
    from .models.rounds import RoundChange

    level = 4 if district else 3
    rows: dict[str, dict] = {}
    for village, parts in (registry_round.by_village or {}).items():
        if district and not village.startswith(district + "."):
            continue
        code = village if district else ".".join(village.split(".")[:3])
        row = rows.setdefault(
            code,
            {
                "code": code,
                "households": dict.fromkeys(RoundChange.values, 0),
                "people": dict.fromkeys(RoundChange.values, 0),
            },
        )
        for kind in ("households", "people"):
            for change, number in parts.get(kind, {}).items():
                row[kind][change] = row[kind].get(change, 0) + number
    names = dict(Region.objects.filter(code__in=rows, level=level).values_list("code", "name"))
    before = (registry_round.totals or {}).get("before", {})
    after = (registry_round.totals or {}).get("after", {})
    result = []
    for code in sorted(rows):
        row = rows[code]
        row["name"] = names.get(code, code or "—")
        if not district:
            row["before"] = before.get(code)
            row["after"] = after.get(code)
        result.append(row)
    return result


def merge_list(*, user):
    """Merges of two records whose kept record lies in the user's area."""
    if not can_read_registry(user):
        return PersonMerge.objects.none()
    return PersonMerge.objects.visible_to(user).select_related(
        "survivor__household__village", "merged__household__village", "merged_by", "reversed_by"
    )


def household_merge_list(*, user):
    """Merges of two households whose kept household lies in the user's area."""
    from .models import HouseholdMerge

    if not can_read_registry(user):
        return HouseholdMerge.objects.none()
    return HouseholdMerge.objects.visible_to(user).select_related(
        "survivor__village", "merged__village", "merged_by", "reversed_by"
    )


def household_by_number(*, user, number: str) -> Household | None:
    """The household of the user's area with this KK number (any of its cards) or DTKS id."""
    from .nik import normalize_number

    number = (number or "").strip()
    if not number:
        return None
    households = Household.objects.visible_to(user)
    by_id = households.filter(dtks_id=number).first()
    if by_id is not None:
        return by_id
    return households.filter(families__kk_number=normalize_number(number)).distinct().first()
