"""Typo- and accent-tolerant name search, and the lookups behind the `q` of registry lists.

On PostgreSQL each typed word is looked up among the distinct words of registered names
(``dtks_nameword``, trigram word similarity and substring, migration 0018), then people are
found by those words through the index of each person's name words; they are ranked by pg_trgm
similarity on ``dtks_individual.name_search``, the unaccented lower-case name stored by the
database (migration 0014). On the SQLite demo it falls back to a similarity computed in Python.
"""

import re
import unicodedata
from contextlib import contextmanager
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
CANDIDATES = 100

#: How close each typed word must be to a word of the name (pg_trgm word similarity, 0..1).
WORD_SIMILARITY_THRESHOLD = 0.4


def _words(normalized: str) -> list[str]:
    """The words of a query that carry trigrams (three letters or more)."""
    return [word for word in normalized.split() if len(word) >= 3]


def name_search(
    queryset: QuerySet,
    query: str,
    *,
    field: str = "name",
    wide_scope: bool = False,
    households: QuerySet | None = None,
) -> QuerySet:
    """People whose name resembles ``query``, best matches first (annotated ``similarity``).

    A name matches when every word of the query (three letters or more) is close to a word of
    it (pg_trgm word similarity, so one wrong or missing letter per word is forgiven and the
    order of the words does not matter) or contains it. The word index intersects the people
    of each word, so a full name finds its few candidates without reading the thousands of
    people who share only a first name.

    ``households``: when ``queryset`` is "the people of these (scoped) households", the
    households' query itself, so that each match is checked by its household alone rather
    than by looking the person up again (a second probe per match and a plan that takes
    2–5 ms to make).

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
    with _search_transaction(probe=wide_scope) as cursor:
        if words:
            candidates = _by_words(cursor, queryset, words, households=households)
        else:  # "ai", "m s": no word to look up, the name as typed
            candidates = _first_rows(
                cursor,
                queryset.annotate(name_normalized=stored)
                .filter(name_normalized__contains=normalized)
                .order_by()
                .values_list("pk"),
                CANDIDATES,
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


#: The words of the stored name as migration 0018 indexes them (the same expression, so the
#: index serves): split where ``normalize_name`` puts spaces.
NAME_WORDS = "regexp_split_to_array(\"dtks_individual\".\"name_search\", '[^a-z0-9'']+')"


def _close_words(cursor, words: list[str]) -> list[list[str]]:
    """For each typed word, the words of registered names close to it, closest first: the
    word itself, a spelling one letter away ("rahyu" for "rahayu": word similarity 0.44 at
    the threshold of 0.4, where pg_trgm's default of 0.6 refuses it), or a word containing it
    ("rahay", "yanto" in "haryanto"). Looked up among the distinct words (a few thousand
    in a regency), not among the people."""
    lookups = " UNION ALL ".join(
        [
            "SELECT %s, word, word = %s, word_similarity(%s, word) FROM dtks_nameword "
            "WHERE word %%> %s OR word LIKE %s"
        ]
        * len(words)
    )
    params: list = []
    for position, word in enumerate(words, 1):
        params += [position, word, word, word, "%" + word + "%"]
    # the trigram index, even where the planner would rather compute word_similarity for
    # every word of a small dictionary (5 ms a word where the index takes 2)
    cursor.execute("SET LOCAL enable_seqscan = off")
    cursor.execute(
        "SELECT DISTINCT * FROM ({}) AS close_word(position, word, exact, score) "  # noqa: S608
        "ORDER BY position, exact DESC, score DESC, word".format(lookups),
        params,
    )
    rows = cursor.fetchall()
    cursor.execute("SET LOCAL enable_seqscan = on")
    close: list[list[str]] = [[] for _word in words]
    for position, word, _exact, _score in rows:
        close[position - 1].append(word)
    return close


def _first_matching(
    cursor,
    queryset: QuerySet,
    word_sets: list[list[str]],
    limit: int,
    households: QuerySet | None = None,
) -> list:
    """Up to ``limit`` people of ``queryset`` (or of ``households``) whose name has a word of
    each set.

    The people with the words are read from the word index first, in a CTE of their own, and
    only then checked against the scope: asked together, the planner takes a set of a few
    hundred words for unselective and walks every household of the scope instead (900 ms
    for "wati simatupang" in a regency of 250,000 people, 35 ms this way).
    """
    scoped = households if households is not None else queryset
    scope_sql, scope_params = scoped.order_by().values("pk").query.sql_with_params()
    key = "household_id" if households is not None else "id"
    conditions = " AND ".join([NAME_WORDS + " && %s::text[]"] * len(word_sets))
    cursor.execute(
        # ``scope_sql`` is Django's compiled query, its values passed as parameters
        "WITH matched AS MATERIALIZED "  # noqa: S608
        "(SELECT id, household_id FROM dtks_individual WHERE {}) "
        "SELECT id FROM matched WHERE {} IN ({}) LIMIT %s".format(conditions, key, scope_sql),
        (*word_sets, *scope_params, limit),
    )
    return [row[0] for row in cursor.fetchall()]


def _by_words(
    cursor, queryset: QuerySet, words: list[str], households: QuerySet | None = None
) -> list:
    """Up to CANDIDATES people whose name has, for every typed word, a word close to it;
    those with the typed words themselves first. A first name typed whole ("yanto") is found
    among the people who carry it (one index entry), not among the 50,000 with a similar
    word; the close spellings are read only when the exact ones are too few."""
    close = _close_words(cursor, words)
    if not all(close):  # a typed word like no word of any registered name
        return []
    found: list = []
    exact = [[word] for word in words]
    if all(word_set[0] == word for word_set, word in zip(close, words, strict=True)):
        found = _first_matching(cursor, queryset, exact, CANDIDATES, households)
        if close == exact:  # no other spelling of any word is registered: nothing to add
            return found
    if len(found) < CANDIDATES:
        seen = set(found)
        for pk in _first_matching(cursor, queryset, close, CANDIDATES + len(found), households):
            if pk not in seen and len(found) < CANDIDATES:
                found.append(pk)
    return found


@contextmanager
def _search_transaction(*, probe: bool):
    """A transaction with the planner settings of a search (``SET LOCAL`` lasts until its end)."""
    # one officer's search is one of many at once: parallel workers would only add the cost
    # of starting them (measured: more searches per second without); compiling a plan costs
    # more than running it (where migration 0018 could not switch JIT off for the database)
    settings = [
        "SET LOCAL pg_trgm.word_similarity_threshold = {}".format(WORD_SIMILARITY_THRESHOLD),
        "SET LOCAL max_parallel_workers_per_gather = 0",
        "SET LOCAL jit = off",
    ]
    if probe:
        # a wide scope: probe each match's household by key, stop at the limit
        settings += ["SET LOCAL enable_hashjoin = off", "SET LOCAL enable_mergejoin = off"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("; ".join(settings))  # one round trip
        yield cursor


def _first_rows(cursor, queryset: QuerySet, limit: int) -> list:
    """The first ``limit`` values of a one-column queryset, planned as if all were wanted.

    Under a plain LIMIT the planner bets on finding the rows early (a merge join walking a whole
    index, 450 ms for "siti" at one million people); behind a materialised CTE it plans the
    query for its real size (the scope hashed, or a village's few people read directly) and
    still stops reading once ``limit`` rows are out: 75 ms and 17 ms for the same searches.
    """
    sql, params = queryset.query.sql_with_params()
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
#: into the search box needs the top of the list (four pages), not all 13,000 "Siti"s of a
#: regency; the list says so and asks for a second word or a village.
MAX_NAME_MATCHES = 100

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
        households=households,
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
