"""Registry rounds in SQL: a national extract compared with the registry, and applied.

The comparison reads the file exactly as the import does (``bulk.stage_extract``) and then
classifies, in set operations, every household and person of the extract as new, changed or
unchanged, and every household and person of the registry the extract no longer holds as
absent. Only the entries that change something are stored (``dtks_roundentry``, the
downloadable lists); unchanged ones are counted per village. Nothing of the registry is
written until the round is applied, which runs the ordinary import (newer local edits are
kept, see ``bulk._conflicts``) and then retires the absent households and people.
"""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from silakso.exceptions import DomainError

from . import bulk

#: The columns a national extract has whatever its layout: without them a household or a
#: person cannot be matched, so a file lacking one is refused as a whole.
ROUND_COLUMNS = ("dtks_id", "village_code", "kk_number", "nik", "name", "relation_to_head")

#: Person columns compared, beside the household and the family card: those always written,
#: then those the file has (``bulk.PERSON_OPTIONAL``).
_PERSON_COMPARED = ("name", "birth_date", "sex", "relation_to_head")

#: A household ``h`` changed in SILAKSO since the extract's date (the test of the import's
#: conflicts, ``bulk._conflicts``): a round keeps it as it is here.
LOCAL_EDIT = (
    "EXISTS (SELECT 1 FROM dtks_householdevent le WHERE le.household_id = h.id "
    "AND le.source <> 'import' AND le.created_at >= %(since)s)"
)


#: The comparison's steps and their share of the progress bar (as ``bulk.STEPS``).
COMPARE_STEPS = (("copy", 40), ("check", 10), ("compare", 35), ("lists", 15))


def _scope_params(actor) -> dict:
    scope = "" if actor.is_installation_wide else (actor.scope_code or "-")
    return {"scope": scope, "scope_like": (scope + ".%") if scope else "%"}


def compare(*, registry_round, handle, size: int | None, reporter=None) -> dict:
    """Compare the round's extract with the registry; store the changing entries and return
    ``{"counts": ..., "by_village": ...}``. Writes nothing but the round's own entries."""
    actor = registry_round.created_by
    scope = _scope_params(actor)
    since = bulk._start_of(registry_round.extract_date)
    today = timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        mapped, result, progress = bulk.stage_extract(
            cursor,
            handle,
            scope=scope["scope"],
            size=size,
            reporter=reporter,
            actor=actor,
            steps=COMPARE_STEPS,
        )
        missing = [column for column in ROUND_COLUMNS if column not in mapped]
        if missing:
            raise DomainError(
                _(
                    "This file is not laid out as a national extract: it has no column {columns}. "
                    "See the import format for the column names."
                ).format(columns=", ".join(missing)),
                fields={"file": ""},
            )
        present = set(mapped)
        progress.step_done("check", _("Comparing with the registry"))
        _columns, updatable = bulk.household_rows(cursor, present)
        optional = [
            name
            for name in bulk.PERSON_OPTIONAL
            if name in present or (name == "status_date" and "status" in present)
        ]
        new_values = ["c.{}".format(name) for name in _PERSON_COMPARED] + [
            bulk.PERSON_OPTIONAL[name] for name in optional
        ]
        old_values = ["i.{}".format(name) for name in (*_PERSON_COMPARED, *optional)]
        params = {
            **scope,
            "round": registry_round.pk,
            "since": since,
            "adult": today.replace(year=today.year - 17, day=min(today.day, 28)),
        }
        # -- the people of the extract ---------------------------------------------------
        cursor.execute(
            """
            CREATE TEMP TABLE round_people ON COMMIT DROP AS
            SELECT c.nik, c.dtks_id, c.name, c.village AS village_code, i.id AS individual_id,
                   CASE WHEN i.id IS NULL THEN 'new'
                        WHEN ({old}) IS DISTINCT FROM ({new})
                          OR h.dtks_id IS DISTINCT FROM c.dtks_id
                          OR f.kk_number IS DISTINCT FROM c.kk_number THEN 'changed'
                        ELSE 'unchanged' END AS change
            FROM import_checked c
            LEFT JOIN dtks_individual i ON i.nik = c.nik
            LEFT JOIN dtks_household h ON h.id = i.household_id
            LEFT JOIN dtks_family f ON f.id = i.family_id
            WHERE c.ok
            """.format(old=", ".join(old_values), new=", ".join(new_values)),
            params,
        )
        # -- its households: changed when a value of theirs or any of their people is, or
        # when a living person of theirs is missing from the extract (hash joins, no
        # per-household subquery: a million people compare in seconds)
        cursor.execute(
            """
            CREATE TEMP TABLE round_touched ON COMMIT DROP AS
            SELECT DISTINCT dtks_id FROM round_people WHERE change <> 'unchanged'
            UNION
            SELECT h.dtks_id FROM dtks_individual i
            JOIN dtks_household h ON h.id = i.household_id
            JOIN import_household_rows n ON n.dtks_id = h.dtks_id
            WHERE i.status = 'alive'
              AND NOT EXISTS (SELECT 1 FROM import_checked c WHERE c.nik = i.nik);
            ANALYZE round_touched;
            """
        )
        cursor.execute(
            """
            CREATE TEMP TABLE round_households ON COMMIT DROP AS
            SELECT n.dtks_id, n.village_code, h.id AS household_id,
                   CASE WHEN h.id IS NULL THEN 'new'
                        WHEN ({old}) IS DISTINCT FROM ({new}) OR h.status <> 'active'
                          OR t.dtks_id IS NOT NULL THEN 'changed'
                        ELSE 'unchanged' END AS change,
                   head.name
            FROM import_household_rows n
            LEFT JOIN dtks_household h ON h.dtks_id = n.dtks_id
            LEFT JOIN round_touched t ON t.dtks_id = n.dtks_id
            LEFT JOIN (SELECT DISTINCT ON (dtks_id) dtks_id, name FROM import_checked
                       WHERE ok AND relation_to_head = 'head' ORDER BY dtks_id, line) head
                   ON head.dtks_id = n.dtks_id
            """.format(
                old=", ".join("h.{}".format(name) for name in updatable),
                new=", ".join("n.{}".format(name) for name in updatable),
            ),
            params,
        )
        # -- what the extract no longer holds: households (and their living people) that
        # came from a national extract (they have its id), are active and in the uploader's
        # area; a household changed here since the extract's date is kept, not retired
        cursor.execute(
            """
            CREATE TEMP TABLE round_absent ON COMMIT DROP AS
            SELECT h.id AS household_id, h.dtks_id, h.village_code,
                   CASE WHEN {local} THEN 'kept' ELSE 'absent' END AS change
            FROM dtks_household h
            WHERE h.status = 'active' AND h.dtks_id IS NOT NULL
              AND (h.village_code = %(scope)s OR h.village_code LIKE %(scope_like)s)
              AND NOT EXISTS (SELECT 1 FROM import_checked c WHERE c.dtks_id = h.dtks_id)
            """.format(local=LOCAL_EDIT),
            params,
        )
        progress.step_done("compare", _("Writing the lists"))
        cursor.execute(
            """
            INSERT INTO dtks_roundentry (round_id, change, is_person, dtks_id, nik, name,
                                         village_code, household_id)
            SELECT %(round)s, change, false, dtks_id, '', coalesce(name, ''), village_code,
                   household_id
            FROM round_households WHERE change <> 'unchanged'
            UNION ALL
            SELECT %(round)s, a.change, false, a.dtks_id, '', coalesce(head.name, ''),
                   a.village_code, a.household_id
            FROM round_absent a
            LEFT JOIN LATERAL (SELECT name FROM dtks_individual i
                               WHERE i.household_id = a.household_id
                                 AND i.relation_to_head = 'head' AND i.status = 'alive'
                               LIMIT 1) head ON true
            UNION ALL
            SELECT %(round)s, change, true, dtks_id, nik, name, village_code, NULL
            FROM round_people WHERE change <> 'unchanged'
            UNION ALL
            -- the living people of absent households
            SELECT %(round)s, a.change, true, h.dtks_id, i.nik, i.name, h.village_code, h.id
            FROM dtks_individual i
            JOIN round_absent a ON a.household_id = i.household_id
            JOIN dtks_household h ON h.id = i.household_id
            WHERE i.status = 'alive'
            UNION ALL
            -- and the people of the extract's households the extract no longer lists
            SELECT %(round)s, 'absent', true, h.dtks_id, i.nik, i.name, h.village_code, h.id
            FROM dtks_individual i
            JOIN round_households r ON r.household_id = i.household_id
            JOIN dtks_household h ON h.id = i.household_id
            WHERE i.status = 'alive'
              AND NOT EXISTS (SELECT 1 FROM import_checked c WHERE c.nik = i.nik)
            """,
            params,
        )
        cursor.execute(
            """
            SELECT village_code, is_person, change, count(*) FROM dtks_roundentry
            WHERE round_id = %(round)s GROUP BY 1, 2, 3
            UNION ALL
            SELECT village_code, false, 'unchanged', count(*) FROM round_households
            WHERE change = 'unchanged' GROUP BY 1
            UNION ALL
            SELECT village_code, true, 'unchanged', count(*) FROM round_people
            WHERE change = 'unchanged' GROUP BY 1
            """,
            params,
        )
        by_village: dict[str, dict] = {}
        for village, is_person, change, number in cursor.fetchall():
            part = by_village.setdefault(village or "", {"households": {}, "people": {}})
            part["people" if is_person else "households"][change] = number
        counts = {"rows": result.rows, "accepted": result.accepted, "rejected": result.rejected}
        rejected = bulk._rejected(cursor)
        cursor.execute("DROP TABLE import_checked, import_household_rows")
        progress.step_done("lists", _("Done"))
    return {"counts": counts, "by_village": by_village, "rejected_rows": rejected}


def district_totals(scope: dict) -> dict[str, list[int]]:
    """Active households and their living people per district of the area: the round report's
    before and after."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT left(h.village_code, 8), count(DISTINCT h.id), count(i.id)
            FROM dtks_household h
            LEFT JOIN dtks_individual i ON i.household_id = h.id AND i.status = 'alive'
            WHERE h.status = 'active'
              AND (h.village_code = %(scope)s OR h.village_code LIKE %(scope_like)s)
            GROUP BY 1
            """,
            scope,
        )
        return {code: [households, people] for code, households, people in cursor.fetchall()}


def retire_absent(*, registry_round, actor, reason: str) -> dict:
    """Retire what the round lists as absent, inside the caller's transaction: households
    become inactive (their people, history and enrollments stay; an update proposal restores
    them), people missing from a household the extract still has are recorded as moved out
    on the extract's date, and the programs of retired households end at the end of their
    period (the aid already given for the period is not taken back). A household changed
    here since the comparison is kept, like one changed since the extract."""
    since = bulk._start_of(registry_round.extract_date)
    now = timezone.now()
    params = {
        "round": registry_round.pk,
        "since": since,
        "now": now,
        "actor": actor.pk,
        "reason": reason[:200],
        "day": registry_round.extract_date,
    }
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TEMP TABLE round_retired ON COMMIT DROP AS
            WITH retired AS (
                UPDATE dtks_household h SET status = 'retired', version = h.version + 1,
                                            updated_at = %(now)s
                FROM dtks_roundentry e
                WHERE e.round_id = %(round)s AND e.change = 'absent' AND NOT e.is_person
                  AND h.id = e.household_id AND h.status = 'active' AND NOT {local}
                RETURNING h.id, h.version
            )
            SELECT * FROM retired
            """.format(local=LOCAL_EDIT),
            params,
        )
        households = cursor.rowcount
        cursor.execute(
            """
            INSERT INTO dtks_householdevent (household_id, kind, source, reason, changes,
                                             version, actor_id, created_at)
            SELECT id, 'updated', 'import', %(reason)s,
                   jsonb_build_object('status', jsonb_build_array('active', 'retired')),
                   version, %(actor)s, %(now)s
            FROM round_retired ORDER BY id
            """,
            params,
        )
        cursor.execute(
            """
            WITH ended AS (
                UPDATE dtks_enrollment e SET status = 'ended',
                       ended_on = greatest(p.ends_on, %(day)s), end_reason = %(reason)s,
                       updated_at = %(now)s
                FROM dtks_programperiod p
                WHERE p.id = e.period_id AND e.status <> 'ended'
                  AND e.household_id IN (SELECT id FROM round_retired)
                RETURNING e.household_id, e.period_id
            )
            INSERT INTO dtks_householdevent (household_id, kind, source, reason, changes,
                                             version, actor_id, created_at)
            SELECT e.household_id, 'enrollment_ended', 'import', %(reason)s,
                   jsonb_build_object('program', jsonb_build_array(pr.name || ' ' || p.name,
                                                                   NULL)),
                   r.version, %(actor)s, %(now)s
            FROM ended e
            JOIN round_retired r ON r.id = e.household_id
            JOIN dtks_programperiod p ON p.id = e.period_id
            JOIN dtks_program pr ON pr.id = p.program_id
            """,
            params,
        )
        enrollments = cursor.rowcount
        # people the extract no longer lists in a household it still has
        cursor.execute(
            """
            CREATE TEMP TABLE round_left ON COMMIT DROP AS
            WITH left_household AS (
                UPDATE dtks_individual i SET status = 'moved', status_date = %(day)s,
                                             updated_at = %(now)s
                FROM dtks_roundentry e
                JOIN dtks_household h ON h.id = e.household_id
                WHERE e.round_id = %(round)s AND e.change = 'absent' AND e.is_person
                  AND i.nik = e.nik AND i.household_id = h.id AND i.status = 'alive'
                  AND h.status = 'active' AND NOT {local}
                RETURNING i.household_id
            )
            SELECT household_id, count(*) AS people FROM left_household GROUP BY 1
            """.format(local=LOCAL_EDIT),
            params,
        )
        cursor.execute(
            """
            WITH counted AS (
                UPDATE dtks_household h SET
                    member_count = (SELECT count(*) FROM dtks_individual i
                                    WHERE i.household_id = h.id AND i.status = 'alive'),
                    version = h.version + 1, updated_at = %(now)s
                FROM round_left l WHERE h.id = l.household_id
                RETURNING h.id, h.version, l.people
            )
            INSERT INTO dtks_householdevent (household_id, kind, source, reason, changes,
                                             version, actor_id, created_at)
            SELECT id, 'moved_out', 'import', %(reason)s,
                   jsonb_build_object('members_left', jsonb_build_array(NULL, people)),
                   version, %(actor)s, %(now)s
            FROM counted
            """,
            params,
        )
        cursor.execute("SELECT coalesce(sum(people), 0) FROM round_left")
        people = cursor.fetchone()[0]
    return {
        "households_retired": households,
        "people_left": int(people),
        "enrollments_ended": enrollments,
    }


def extract_day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
