"""Verification and validation (verivali) checks that turn registry data into a worklist.

Each check is one set-based SQL statement over the area it runs for; it opens a Flag (with the
reason and the evidence) for every record it finds, leaves an already open flag alone, and
closes open flags whose problem is gone. The nightly schedule runs them all; an officer can run
them for their area from the worklist.

Fuzzy duplicates (the same person registered twice with a typo) are found without comparing
every pair: people are blocked by village and by their date of birth *or a plausible typo of it*
(a day off by one or two, day and month swapped, two digits transposed), then names are
compared with trigram similarity, edit distance and token order, after normalising spelling
variants (Muhammad/Moh/M., oe/u, dj/j). The cost grows with the number of villages, not with the
square of the registry; `make bench` measures precision, recall and time on injected duplicates.
"""

import time

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import FlagKind

# Kinds this module owns: it may close their open flags when the problem is gone.
CHECKED_KINDS = (
    FlagKind.DUPLICATE_NIK,
    FlagKind.FUZZY_DUPLICATE,
    FlagKind.CIVIL_REGISTRY_MISMATCH,
    FlagKind.CIVIL_NAME,
    FlagKind.CIVIL_BIRTH,
    FlagKind.CIVIL_SEX,
    FlagKind.CIVIL_KK,
    FlagKind.CIVIL_ADDRESS,
    FlagKind.CIVIL_DECEASED,
    FlagKind.CIVIL_MOVED,
    FlagKind.DECEASED_ENROLLED,
    FlagKind.MOVED_ENROLLED,
    FlagKind.NO_HEAD,
    FlagKind.TURNING_17_WITHOUT_ID,
    FlagKind.INCLUSION_ERROR,
    FlagKind.EXCLUSION_ERROR,
)

# Normalised name for matching: lower case, no accents or punctuation, no pilgrim's title
# (H., Hj.), the spellings of before the 1972 reform folded into today's (tj/c, dj/j, j/y,
# oe/u, sj/sy, nj/ny, ch/kh/h, ph/f), doubled letters single, a final y as i, and the spellings
# of Muhammad (Moh., M., Mochammad ...) as one.
NORMALIZED_NAME = r"""
    trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        ' ' || regexp_replace(lower(silakso_unaccent({col})), '[^a-z ]+', ' ', 'g') || ' ',
        '^ (hj|h|hajjah|haji) ', ' '),
        ' (muhammad|muhamad|mohammad|mohamad|mochammad|mochamad|muchammad|mohd|moh|muh|mhd|m) ',
        ' muhammad ', 'g'),
        'oe', 'u', 'g'), 'tj', 'c', 'g'), 'dj', 'j', 'g'), 'j', 'y', 'g'), 'sy', 's', 'g'),
        'nj', 'ny', 'g'), 'ch', 'h', 'g'), 'kh', 'h', 'g'), 'ph', 'f', 'g'), '([a-z])\1+', '\1', 'g'),
        'y ', 'i ', 'g'), 'sj', 's', 'g'), '\s+', ' ', 'g'))
"""

#: How many people of a village may share a name before that name alone proves little: two
#: records of a name nobody else in the village carries are stronger evidence than two of a
#: name ten neighbours have.
RARE_NAME_HOLDERS = 8
#: Beyond this many holders in a village, two records of the same name on the same day are
#: mostly chance: without NIK evidence they are not proposed.
COMMON_NAME_HOLDERS = 20
#: A first name this many people of the area carry is a name of its own, not a typo of another
#: (Sri and Siti, Tri and Sri, Hasan and Husen): two such different first names are two people.
KNOWN_FIRST_NAME = 5


#: A check that opened this many flags refreshes the flag table's statistics.
ANALYZE_AFTER_FLAGS = 1000


def _scope_sql(column: str, scope: str | None) -> str:
    if not scope:
        return "true"
    return "({0} = %(scope)s OR {0} LIKE %(scope_like)s)".format(column)


def fuzzy_duplicate_pairs(cursor, *, scope: str | None = None, table: str = "dedup_pairs") -> int:
    """Fill a temporary table (a, b, score, date_kind, nik_kind, birth_place, rare_name) with
    likely duplicate pairs; a < b.

    A pair needs evidence a reviewer can read, weighed like a careful clerk would:

    * **the NIK** — the same, one digit apart where one of the two disagrees with its own
      date of birth, two digits swapped, or carrying the other record's date of birth: a typo
      explains the difference, and a loosely similar name suffices;
    * otherwise the NIKs are unrelated (two numbers issued, or a new registration), and the
      **name, date and place of birth** must carry it: close names (a letter or two, order,
      a dropped name, old spellings), the same or a typo of the date of birth, the same place
      of birth where both have one, and a first name that is not a different known name
      (Sri is not a typo of Siti);
    * a name many people of the village share (Siti, Muhammad, Siti Rahayu) proves little by
      itself: such a pair needs the exact date of birth, the same place and the whole name.
    """
    params = {"scope": scope or "", "scope_like": (scope or "") + ".%"}
    cursor.execute("DROP TABLE IF EXISTS dedup_people, {}".format(table))
    cursor.execute(
        """
        CREATE TEMP TABLE dedup_people AS
        SELECT *, count(*) OVER (PARTITION BY village, name) AS name_holders,
               count(*) OVER (PARTITION BY first_name) AS first_name_holders
        FROM (
            SELECT id, household_id, village, birth_date, sex, nik, name, place,
                   array_to_string(
                       ARRAY(SELECT unnest(string_to_array(name, ' ')) ORDER BY 1), ' ')
                       AS sorted_name,
                   left(name, 1) || array_to_string(ARRAY(
                       SELECT unnest(string_to_array(replace(name, ' ', ''), NULL)) ORDER BY 1),
                       '') AS letters,
                   split_part(name, ' ', 1) AS first_name,
                   -- digits 7-12 of the NIK do not spell this record's date of birth (+40 for
                   -- women): one of the two was mistyped
                   substr(nik, 7, 6) IS DISTINCT FROM lpad((
                       (date_part('day', birth_date)::int
                        + CASE WHEN sex = 'female' THEN 40 ELSE 0 END) * 10000
                       + date_part('month', birth_date)::int * 100
                       + mod(date_part('year', birth_date)::int, 100))::text, 6, '0') AS nik_off
            FROM (
                SELECT i.id, i.household_id, h.village_code AS village, i.birth_date, i.sex,
                       i.nik, {norm} AS name,
                       lower(silakso_unaccent(trim(i.birth_place))) AS place
                FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
                WHERE i.status = 'alive' AND {scope}
            ) base
        ) named;
        ANALYZE dedup_people;
        """.format(
            norm=NORMALIZED_NAME.format(col="i.name"), scope=_scope_sql("h.village_code", scope)
        ),
        params,
    )
    # Every date of birth with the typos people make of it; the join stays an equi-join.
    # Plain date arithmetic: each CASE only builds a date that exists.
    cursor.execute(
        """
        CREATE TEMP TABLE dedup_variants AS
        SELECT p.id, p.village, v.day AS variant, v.kind
        FROM (SELECT id, village, birth_date,
                     extract(year FROM birth_date)::int AS y,
                     extract(month FROM birth_date)::int AS m,
                     extract(day FROM birth_date)::int AS d
              FROM dedup_people) p
        CROSS JOIN LATERAL (VALUES
            (p.birth_date, 'exact'),
            (p.birth_date + 1, 'near'), (p.birth_date - 1, 'near'),
            (p.birth_date + 2, 'near'), (p.birth_date - 2, 'near'),
            (CASE WHEN p.d <= 12 AND p.d <> p.m THEN make_date(p.y, p.d, p.m) END, 'swap'),
            (CASE WHEN (p.d % 10) * 10 + p.d / 10 BETWEEN 1 AND 28
                       AND (p.d % 10) * 10 + p.d / 10 <> p.d
                  THEN make_date(p.y, p.m, (p.d % 10) * 10 + p.d / 10) END, 'digits'),
            (CASE WHEN p.m IN (1, 10) AND p.d <= 30
                  THEN make_date(p.y, 11 - p.m, p.d) END, 'digits'),
            (CASE WHEN NOT (p.m = 2 AND p.d = 29) AND p.y % 10 <> (p.y / 10) % 10
                  THEN make_date((p.y / 100) * 100 + (p.y % 10) * 10 + (p.y / 10) % 10,
                                 p.m, p.d) END, 'digits')
        ) AS v(day, kind)
        WHERE v.day IS NOT NULL;
        ANALYZE dedup_variants;
        """
    )
    cursor.execute("SET LOCAL enable_mergejoin = off")  # whole-table sorts spill at 1M people
    cursor.execute(
        """
        CREATE TEMP TABLE {table} AS
        SELECT DISTINCT ON (least(a.id, b.id), greatest(a.id, b.id))
               least(a.id, b.id) AS a, greatest(a.id, b.id) AS b,
               m.sim AS score, v.kind AS date_kind,
               CASE WHEN a.nik = b.nik THEN 'same'
                    WHEN m.nik_typo THEN 'one_digit'
                    WHEN m.nik_swapped THEN 'swapped'
                    WHEN m.nik_carries_date THEN 'carries_other_date'
                    ELSE 'different' END AS nik_kind,
               CASE WHEN a.place = '' OR b.place = '' THEN ''
                    WHEN a.place = b.place THEN 'same' ELSE 'different' END AS birth_place,
               greatest(a.name_holders, b.name_holders) <= {rare} AS rare_name
        FROM dedup_variants v
        JOIN dedup_people b ON b.village = v.village AND b.birth_date = v.variant
                           AND b.id <> v.id
        JOIN dedup_people a ON a.id = v.id
        CROSS JOIN LATERAL (
            SELECT similarity(a.name, b.name) AS sim,
                   levenshtein(a.name, b.name) AS edits,
                   levenshtein(a.sorted_name, b.sorted_name) AS sorted_edits,
                   levenshtein(a.first_name, b.first_name) AS first_edits,
                   levenshtein(substring(a.name FROM '[a-z]+$'), substring(b.name FROM '[a-z]+$'))
                   AS last_edits,
                   least(length(a.name), length(b.name)) AS shortest,
                   (position(' ' IN a.name) > 0 AND b.name = a.first_name)
                   OR (position(' ' IN b.name) > 0 AND a.name = b.first_name)
                   OR (position(' ' IN b.name) > 0 AND position(a.name || ' ' IN b.name) = 1)
                   OR (position(' ' IN a.name) > 0 AND position(b.name || ' ' IN a.name) = 1)
                   AS lost_last_name,
                   (a.nik_off OR b.nik_off) AND levenshtein(a.nik, b.nik) <= 1 AS nik_typo,
                   (a.nik_off OR b.nik_off) AND a.nik <> b.nik
                   AND levenshtein(a.nik, b.nik) = 2 AND left(a.nik, 6) = left(b.nik, 6)
                   AND EXISTS (SELECT 1 FROM generate_series(1, 15) k
                               WHERE overlay(a.nik PLACING substr(a.nik, k + 1, 1)
                                             || substr(a.nik, k, 1) FROM k FOR 2) = b.nik)
                   AS nik_swapped,
                   a.birth_date <> b.birth_date
                   AND substr(a.nik, 7, 6) = substr(b.nik, 7, 6) AS nik_carries_date,
                   a.place <> '' AND b.place <> '' AND a.place <> b.place AS other_place,
                   a.first_name <> b.first_name AND a.first_name_holders >= {known}
                   AND b.first_name_holders >= {known}
                   AND left(a.first_name, 1) <> '' AS other_first_name,
                   greatest(a.name_holders, b.name_holders) <= {rare} AS rare
        ) m
        WHERE a.household_id <> b.household_id AND a.sex = b.sex
          AND CASE
            WHEN a.nik = b.nik OR m.nik_typo OR m.nik_swapped OR m.nik_carries_date THEN
                a.sorted_name = b.sorted_name OR a.letters = b.letters OR m.sim >= 0.3
                OR m.edits <= 3 OR m.lost_last_name OR m.first_edits <= 1
            ELSE
                NOT m.other_place AND NOT m.other_first_name
                AND (
                    -- a name that only these records carry: close is enough, with the date
                    -- of birth the same or a typo of it
                    (m.rare AND (a.sorted_name = b.sorted_name OR a.letters = b.letters
                                 OR m.edits <= 1 OR (m.edits <= 2 AND m.shortest >= 6)
                                 OR (m.sim >= 0.45 AND m.first_edits <= 2
                                     AND m.last_edits <= 2)
                                 OR m.sorted_edits <= 1
                                 OR (m.sorted_edits <= 2 AND m.shortest >= 8)
                                 OR (m.lost_last_name AND m.shortest >= 5))
                     AND (a.birth_date = b.birth_date OR a.nik_off OR b.nik_off
                          OR m.sim >= 0.6 OR m.edits <= 1 OR a.sorted_name = b.sorted_name))
                    -- a name a few share: the whole name, the same day and the same place
                    -- (of the names half the village carries, such pairs are mostly chance)
                    OR (greatest(a.name_holders, b.name_holders) <= {common}
                        AND a.birth_date = b.birth_date AND a.sorted_name = b.sorted_name
                        AND a.place <> '' AND a.place = b.place
                        AND position(' ' IN a.name) > 0)
                )
          END
        ORDER BY least(a.id, b.id), greatest(a.id, b.id), (v.kind = 'exact') DESC
        """.format(
            table=table,
            rare=RARE_NAME_HOLDERS,
            common=COMMON_NAME_HOLDERS,
            known=KNOWN_FIRST_NAME,
        )
    )
    cursor.execute("ANALYZE {}".format(table))
    cursor.execute("SELECT count(*) FROM {}".format(table))
    return cursor.fetchone()[0]


def _open_flags(cursor, sql: str, params: dict) -> int:
    cursor.execute(
        """
        WITH found AS ({sql})
        INSERT INTO dtks_flag (household_id, individual_id, kind, status, reason, evidence,
                               created_at, updated_at, outcome)
        SELECT household_id, individual_id, %(kind)s, 'open', reason, evidence, %(now)s, %(now)s,
               ''
        FROM found
        ON CONFLICT DO NOTHING
        """.format(sql=sql),
        params,
    )
    return cursor.rowcount


#: One check per difference from the civil registry: (kind, field, our value, Dukcapil's value,
#: when they differ). Blank Dukcapil values are never a difference (the extract lacks the
#: column); names are compared tolerantly (accents, spelling, word order: trigram similarity).
#: The evidence keeps both values; an officer who kept ours (``flag_keep_ours``) is not asked
#: again until Dukcapil's value changes.
CIVIL_FIELDS = (
    (
        FlagKind.CIVIL_NAME,
        "name",
        "i.name",
        "c.name",
        "similarity(lower(silakso_unaccent(c.name)), lower(silakso_unaccent(i.name))) < 0.6",
    ),
    (
        FlagKind.CIVIL_BIRTH,
        "birth",
        "concat_ws(', ', nullif(i.birth_place, ''), to_char(i.birth_date, 'DD-MM-YYYY'))",
        "concat_ws(', ', nullif(c.birth_place, ''), to_char(c.birth_date, 'DD-MM-YYYY'))",
        "(c.birth_date IS NOT NULL AND c.birth_date <> i.birth_date) OR (c.birth_place <> '' "
        "AND lower(silakso_unaccent(c.birth_place)) <> lower(silakso_unaccent(i.birth_place)))",
    ),
    (FlagKind.CIVIL_SEX, "sex", "i.sex", "c.sex", "c.sex <> '' AND c.sex <> i.sex"),
    (
        FlagKind.CIVIL_KK,
        "kk_number",
        "f.kk_number",
        "c.kk_number",
        "c.kk_number <> '' AND c.kk_number IS DISTINCT FROM f.kk_number",
    ),
    (
        FlagKind.CIVIL_ADDRESS,
        "address",
        "concat(h.village_code, ' RT ', h.rt, '/RW ', h.rw)",
        "concat(c.village_code, ' RT ', c.rt, '/RW ', c.rw)",
        "c.village_code <> '' AND (c.village_code <> h.village_code OR (c.rt <> '' "
        "AND ltrim(c.rt, '0') <> ltrim(h.rt, '0')) OR (c.rw <> '' "
        "AND ltrim(c.rw, '0') <> ltrim(h.rw, '0')))",
    ),
    (
        FlagKind.CIVIL_DECEASED,
        "status",
        "''",
        "coalesce(to_char(c.death_date, 'DD-MM-YYYY'), '')",
        "c.deceased",
    ),
    (
        FlagKind.CIVIL_MOVED,
        "status",
        "''",
        "coalesce(to_char(c.moved_on, 'DD-MM-YYYY'), '')",
        "c.moved_out AND NOT c.deceased",
    ),
)


def civil_checks() -> list[tuple]:
    """The checks of ``CIVIL_FIELDS``, one statement each."""
    checks = []
    for kind, field, ours, theirs, differs in CIVIL_FIELDS:
        checks.append(
            (
                kind,
                """
            SELECT i.household_id, i.id AS individual_id, %(reason_{kind})s AS reason,
                   jsonb_build_object('field', '{field}', 'ours', {ours},
                                      'theirs', {theirs}) AS evidence
            FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
            LEFT JOIN dtks_family f ON f.id = i.family_id
            JOIN dtks_civilregistryrecord c ON c.nik = i.nik
            WHERE {{in_scope}} AND i.status = 'alive' AND ({differs})
              AND NOT EXISTS (
                  SELECT 1 FROM dtks_flag k
                  WHERE k.individual_id = i.id AND k.kind = %(kind)s AND k.status = 'resolved'
                    AND (k.evidence ->> 'kept')::boolean
                    AND k.evidence ->> 'theirs' IS NOT DISTINCT FROM ({theirs})::text)
        """.format(kind=kind.value, field=field, ours=ours, theirs=theirs, differs=differs),
            )
        )
    return checks


def run_checks(*, scope: str | None = None, reporter=None) -> dict:
    """Run every verification check for ``scope`` (a region code, or everything)."""
    today = timezone.localdate()
    started = time.monotonic()
    base = {
        "now": timezone.now(),
        "scope": scope or "",
        "scope_like": (scope or "") + ".%",
        "today": today,
        "adult": today.replace(year=today.year - 17, day=min(today.day, 28)),
    }
    in_scope = _scope_sql("h.village_code", scope)
    checks = [
        (
            FlagKind.DUPLICATE_NIK,
            """
            SELECT i.household_id, i.id AS individual_id,
                   %(reason_duplicate_nik)s AS reason,
                   jsonb_build_object('others', (SELECT jsonb_agg(o.id) FROM dtks_individual o
                                                 WHERE o.nik = i.nik AND o.id <> i.id
                                                   AND o.status <> 'merged')) AS evidence
            FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
            WHERE {in_scope} AND i.status <> 'merged' AND i.nik IN (
                SELECT nik FROM dtks_individual WHERE status <> 'merged'
                GROUP BY nik HAVING count(*) > 1)
        """,
        ),
        (
            FlagKind.FUZZY_DUPLICATE,
            """
            SELECT i.household_id, i.id AS individual_id, %(reason_fuzzy)s AS reason,
                   jsonb_build_object('other', p.other, 'name_similarity', round(p.score::numeric, 2),
                                      'birth_date', p.date_kind, 'nik', p.nik_kind,
                                      'birth_place', p.birth_place, 'rare_name', p.rare_name)
                   AS evidence
            FROM (SELECT a AS id, b AS other, score, date_kind, nik_kind, birth_place, rare_name
                  FROM dedup_pairs
                  UNION ALL SELECT b, a, score, date_kind, nik_kind, birth_place, rare_name
                  FROM dedup_pairs) p
            JOIN dtks_individual i ON i.id = p.id
        """,
        ),
        (
            FlagKind.CIVIL_REGISTRY_MISMATCH,
            """
            SELECT i.household_id, i.id AS individual_id, %(reason_not_in_dukcapil)s AS reason,
                   '{{}}'::jsonb AS evidence
            FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
            WHERE {in_scope} AND i.status = 'alive'
              AND substr(i.nik, 1, 6) IN (SELECT DISTINCT district_code
                                          FROM dtks_civilregistryrecord)
              AND NOT EXISTS (SELECT 1 FROM dtks_civilregistryrecord c WHERE c.nik = i.nik)
        """,
        ),
        *civil_checks(),
        (
            FlagKind.DECEASED_ENROLLED,
            """
            SELECT DISTINCT e.household_id, i.id AS individual_id,
                   %(reason_deceased_enrolled)s AS reason,
                   jsonb_build_object('enrollment', e.id) AS evidence
            FROM dtks_enrollment e JOIN dtks_household h ON h.id = e.household_id
            JOIN dtks_individual i ON i.household_id = e.household_id
            WHERE {in_scope} AND e.status = 'active' AND i.status = 'deceased'
              AND (e.individual_id = i.id OR (e.individual_id IS NULL
                                               AND i.relation_to_head = 'head'))
        """,
        ),
        (
            FlagKind.MOVED_ENROLLED,
            """
            SELECT DISTINCT e.household_id, i.id AS individual_id,
                   %(reason_moved_enrolled)s AS reason,
                   jsonb_build_object('enrollment', e.id) AS evidence
            FROM dtks_enrollment e JOIN dtks_household h ON h.id = e.household_id
            JOIN dtks_individual i ON i.household_id = e.household_id
            WHERE {in_scope} AND e.status = 'active' AND i.status = 'moved'
              AND (e.individual_id = i.id OR (e.individual_id IS NULL
                                               AND i.relation_to_head = 'head'))
        """,
        ),
        (
            FlagKind.NO_HEAD,
            """
            SELECT h.id AS household_id, NULL::bigint AS individual_id,
                   %(reason_no_head)s AS reason, '{{}}'::jsonb AS evidence
            FROM dtks_household h
            WHERE {in_scope} AND h.status = 'active' AND NOT EXISTS (
                SELECT 1 FROM dtks_individual i WHERE i.household_id = h.id
                AND i.status = 'alive' AND i.relation_to_head = 'head')
        """,
        ),
        (
            FlagKind.TURNING_17_WITHOUT_ID,
            """
            SELECT i.household_id, i.id AS individual_id, %(reason_no_id)s AS reason,
                   jsonb_build_object('birth_date', i.birth_date) AS evidence
            FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
            WHERE {in_scope} AND i.status = 'alive' AND i.id_card_status = 'none'
              AND i.birth_date <= %(adult)s
        """,
        ),
        (
            FlagKind.INCLUSION_ERROR,
            """
            SELECT DISTINCT e.household_id, NULL::bigint AS individual_id,
                   %(reason_inclusion)s AS reason,
                   jsonb_build_object('program', p.code, 'desil', h.desil,
                                      'max_desil', p.max_desil) AS evidence
            FROM dtks_enrollment e JOIN dtks_household h ON h.id = e.household_id
            JOIN dtks_program p ON p.id = e.program_id
            JOIN dtks_programperiod pp ON pp.id = e.period_id
            WHERE {in_scope} AND e.status = 'active' AND p.max_desil IS NOT NULL
              AND h.desil > p.max_desil AND %(today)s BETWEEN pp.starts_on AND pp.ends_on
        """,
        ),
        (
            FlagKind.EXCLUSION_ERROR,
            """
            SELECT h.id AS household_id, NULL::bigint AS individual_id,
                   %(reason_exclusion)s AS reason,
                   jsonb_build_object('desil', h.desil) AS evidence
            FROM dtks_household h
            WHERE {in_scope} AND h.status = 'active' AND h.desil <= 4 AND NOT EXISTS (
                SELECT 1 FROM dtks_enrollment e JOIN dtks_programperiod pp ON pp.id = e.period_id
                WHERE e.household_id = h.id AND e.status = 'active'
                  AND %(today)s BETWEEN pp.starts_on AND pp.ends_on)
        """,
        ),
    ]
    reasons = {
        "reason_duplicate_nik": _("The same NIK is recorded for more than one person."),
        "reason_fuzzy": _(
            "Possibly the same person as another record in this village "
            "(similar name and date of birth)."
        ),
        "reason_not_in_dukcapil": _(
            "The NIK is not in the civil registry extract of its district."
        ),
        "reason_civil_name": _("The civil registry has another name for this NIK."),
        "reason_civil_birth": _("The civil registry has another date or place of birth."),
        "reason_civil_sex": _("The civil registry has another sex for this NIK."),
        "reason_civil_kk": _("The civil registry has this person on another family card (KK)."),
        "reason_civil_address": _("The civil registry has another address (village, RT/RW)."),
        "reason_civil_deceased": _("The civil registry records this person as deceased."),
        "reason_civil_moved": _("The civil registry records that this person moved out."),
        "reason_deceased_enrolled": _("A deceased person is still receiving a program."),
        "reason_moved_enrolled": _("A person who moved away is still receiving a program."),
        "reason_no_head": _("The household has no living head."),
        "reason_no_id": _("Aged 17 or more without an ID card (KTP)."),
        "reason_inclusion": _(
            "Receives a program although the household's desil is above the program's limit."
        ),
        "reason_exclusion": _("Desil 1–4 household that receives no program this period."),
    }
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        fuzzy_duplicate_pairs(cursor, scope=scope)
        for number, (kind, sql) in enumerate(checks, 1):
            params = {**base, **reasons, "kind": str(kind)}
            sql = sql.format(in_scope=in_scope)
            counts[str(kind)] = _open_flags(cursor, sql, params)
            if counts[str(kind)] >= ANALYZE_AFTER_FLAGS:
                # the closing statement below is planned on the flag table's statistics: a
                # stale estimate after thousands of new rows turns it into a nested loop
                cursor.execute("ANALYZE dtks_flag")
            # Close the open flags of this kind whose problem the check no longer finds.
            cursor.execute(
                """
                WITH found AS ({sql})
                UPDATE dtks_flag f SET status = 'resolved', resolved_at = %(now)s,
                       outcome = %(auto)s, updated_at = %(now)s
                FROM dtks_household h
                WHERE f.household_id = h.id AND {in_scope} AND f.kind = %(kind)s
                  AND f.status = 'open' AND NOT EXISTS (
                      SELECT 1 FROM found x WHERE x.household_id = f.household_id
                      AND x.individual_id IS NOT DISTINCT FROM f.individual_id)
                """.format(sql=sql, in_scope=in_scope),
                {**params, "auto": _("No longer found by the nightly check.")},
            )
            if reporter:
                reporter.progress(number, len(checks), str(kind.label))
        cursor.execute("DROP TABLE IF EXISTS dedup_people, dedup_variants, dedup_pairs")
    counts["seconds"] = round(time.monotonic() - started, 2)
    return counts
