"""Typo- and accent-tolerant name search, and the lookups behind the `q` of registry lists.

On PostgreSQL names are matched with pg_trgm on ``dtks_individual.name_search``, the unaccented
lower-case name stored by the database (a generated column with a GIN index, migration 0014, so
a search does not recompute it for every candidate): whole-name similarity, word similarity (a
part of the name typed with a typo) and plain substring. On the SQLite demo it falls back to a case-insensitive substring.
"""

import re
import unicodedata
from difflib import SequenceMatcher

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Lower

from .nik import normalize_number

_NOT_LETTERS = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: 'Sïti  Rahayu.' → 'siti rahayu'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


class _Unaccent(Func):
    function = "silakso_unaccent"
    output_field = CharField()


#: A name is ranked among at most this many people whose name matches it. A rare name (a
#: misspelt full name) has fewer matches than this, so all of them are ranked; a very common
#: one ("siti" is a name of one woman in ten) stops here instead of scoring a hundred thousand
#: people, so a search costs the same in a village and in a province. As many as a search
#: lists: every one of them who has the word itself scores 1.0 anyway (word similarity), so
#: more candidates only reorder ties.
CANDIDATES = 300

#: How close each typed word must be to a word of the name (pg_trgm word similarity, 0..1).
WORD_SIMILARITY_THRESHOLD = 0.4


def _words(normalized: str) -> list[str]:
    """The words of a query that carry trigrams (three letters or more)."""
    return [word for word in normalized.split() if len(word) >= 3]


def name_search(
    queryset: QuerySet, query: str, *, field: str = "name", wide_scope: bool = False
) -> QuerySet:
    """People whose name resembles ``query``, best matches first (annotated ``similarity``).

    A name matches when every word of the query (three letters or more) is close to a word of
    it (pg_trgm word similarity, so one wrong or missing letter per word is forgiven and the
    order of the words does not matter), or when it contains the query as typed. The GIN index
    intersects the words' trigrams, so a full name finds its few candidates without reading the
    thousands of people who share only a first name.

    ``wide_scope``: the caller's scope is a regency or more, where most matches lie inside it.
    Each match's household is then looked up by its key until enough are found, instead of
    first hashing every household of the scope (57,000 for a regency of 250,000 people: half
    of a first-name search's time at one million people); a village or district scope keeps
    the hash, which is small there and spares probing matches that lie elsewhere.
    """
    normalized = normalize_name(query)
    if not normalized:
        return queryset.none()
    if connection.vendor != "postgresql":
        return _name_search_in_python(queryset, normalized, field)
    # the stored normalised name (migration 0014), trigram-indexed
    stored = RawSQL('"dtks_individual"."name_search"', (), output_field=CharField())
    words = _words(normalized)
    matches = Q(name_normalized__contains=normalized)
    if words:
        every_word = Q()
        for word in words:
            every_word &= Q(name_normalized__trigram_word_similar=word)
        matches |= every_word
    candidates = _first_rows(
        queryset.annotate(name_normalized=stored).filter(matches).order_by().values_list("pk"),
        CANDIDATES,
        probe=wide_scope,
    )
    if not candidates:
        return queryset.none()
    # the candidates came from ``queryset`` (its scope): ranking them needs no second join
    return (
        queryset.model._default_manager.filter(pk__in=candidates)
        .annotate(name_normalized=stored)
        .annotate(
            similarity=Greatest(
                Func(F("name_normalized"), Value(normalized), function="similarity"),
                Func(Value(normalized), F("name_normalized"), function="word_similarity"),
                output_field=FloatField(),
            )
        )
        .order_by("-similarity", "pk")
    )


def _first_rows(queryset: QuerySet, limit: int, *, probe: bool = False) -> list:
    """The first ``limit`` values of a one-column queryset, planned as if all were wanted.

    Under a plain LIMIT the planner bets on finding the rows early (a merge join walking a whole
    index, 450 ms for "siti" at one million people); behind a materialised CTE it plans the
    query for its real size (the scope hashed, or a village's few people read directly) and
    still stops reading once ``limit`` rows are out: 75 ms and 17 ms for the same searches.
    """
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # a word "close" to a word of the name: one letter wrong or missing in a short word
        # ("rahyu" for "rahayu" scores 0.44; pg_trgm's default of 0.6 refuses it)
        cursor.execute(
            "SET LOCAL pg_trgm.word_similarity_threshold = %s", (WORD_SIMILARITY_THRESHOLD,)
        )
        # one officer's search is one of many at once: parallel workers would only add the
        # cost of starting them (measured: more searches per second without)
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        if probe:
            # a wide scope: probe each match's household by key, stop at ``limit``
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(
            # ``sql`` is Django's compiled query, its values passed as parameters
            "WITH found AS MATERIALIZED ({}) SELECT * FROM found LIMIT %s".format(sql),  # noqa: S608
            (*params, limit),
        )
        return [row[0] for row in cursor.fetchall()]


def _similarity(query: str, name: str) -> float:
    """Whole-name or best word-window similarity, 0..1 (the SQLite demo's stand-in for pg_trgm)."""
    if query in name:
        return 1.0
    best = SequenceMatcher(None, query, name).ratio()
    words, size = name.split(), len(query.split())
    for start in range(max(len(words) - size + 1, 1)):
        window = " ".join(words[start : start + size])
        best = max(best, SequenceMatcher(None, query, window).ratio())
    return best


def _name_search_in_python(queryset: QuerySet, normalized: str, field: str) -> QuerySet:
    """Fuzzy search without pg_trgm, for the small embedded demo database only."""
    scored = [
        (score, pk)
        for pk, name in queryset.values_list("pk", field)[:50000]
        if (score := _similarity(normalized, normalize_name(name))) >= 0.75
    ]
    scored.sort(key=lambda item: (-item[0], item[1]))
    if not scored:
        return queryset.none()
    similarity = Case(
        *[When(pk=pk, then=Value(score)) for score, pk in scored[:1000]],
        output_field=FloatField(),
    )
    return (
        queryset.filter(pk__in=[pk for _score, pk in scored[:1000]])
        .annotate(similarity=similarity)
        .order_by("-similarity", "pk")
    )


def number_query(query: str) -> str | None:
    """The digits of a NIK / KK number typed with spaces or dots, or None for a name."""
    digits = normalize_number(query)
    return digits if digits.isdigit() and len(digits) >= 6 else None


#: A name search lists at most this many households, best matches first. A resident's name typed
#: into the search box needs the top of the list, not all 13,000 "Siti"s of a regency.
MAX_NAME_MATCHES = 300

#: A NIK or KK number typed in part (its first digits) lists at most this many households.
MAX_NUMBER_MATCHES = 300


def households_by_name(households: QuerySet, query: str, *, wide_scope: bool = False) -> QuerySet:
    """Households (from ``households``, already scoped) whose member names or address match.

    The best-matching people are found first through the trigram index, then their households
    are listed in that order. Two index scans and no per-row subquery, whatever the registry
    size (a naive correlated subquery took minutes at one million people).
    """
    from .models import Individual

    people = name_search(
        Individual.objects.filter(household__in=households.values("pk")),
        query,
        wide_scope=wide_scope,
    ).values_list("household_id", flat=True)[: MAX_NAME_MATCHES * 3]
    ranked: list[int] = []
    for household_id in people:
        if household_id not in ranked:
            ranked.append(household_id)
        if len(ranked) >= MAX_NAME_MATCHES:
            break
    if len(ranked) < MAX_NAME_MATCHES:
        by_address = (
            address_search(households, query)
            .exclude(pk__in=ranked)
            .values_list("pk", flat=True)[: MAX_NAME_MATCHES - len(ranked)]
        )
        ranked.extend(by_address)
    return _in_order(households, ranked)


def people_by_name(people: QuerySet, query: str, *, wide_scope: bool = False) -> QuerySet:
    """The best-matching people of ``people`` (scoped), at most MAX_NAME_MATCHES, best first."""
    ranked = list(
        name_search(people, query, wide_scope=wide_scope).values_list("pk", flat=True)[
            :MAX_NAME_MATCHES
        ]
    )
    return _in_order(people, ranked)


def _in_order(queryset: QuerySet, ranked: list[int]) -> QuerySet:
    """``queryset`` restricted to the primary keys ``ranked``, in that order (``match_rank``)."""
    if not ranked:
        return queryset.none()
    if connection.vendor == "postgresql":
        # one array parameter: 300 CASE branches cost more to build and compile than the search
        order: Func | Case = Func(
            Value(ranked, output_field=ArrayField(BigIntegerField())),
            F("pk"),
            function="array_position",
            output_field=IntegerField(),
        )
    else:
        order = Case(
            *[When(pk=pk, then=Value(position)) for position, pk in enumerate(ranked)],
            output_field=IntegerField(),
        )
    return queryset.filter(pk__in=ranked).annotate(match_rank=order).order_by("match_rank")


def address_search(households: QuerySet, query: str) -> QuerySet:
    """Households whose address contains the query (trigram-indexed on PostgreSQL)."""
    normalized = normalize_name(query)
    if not normalized:
        return households.none()
    if connection.vendor != "postgresql":
        return households.filter(address__icontains=query.strip())
    return households.annotate(address_normalized=_Unaccent(Lower("address"))).filter(
        address_normalized__contains=normalized
    )
