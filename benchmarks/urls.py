"""The application's URLs plus bare reference views, each the same work without the product
around it (scope, masking, audit, rate limit, templates, middleware-visible state):

* ``/bench/bare-cek/``    — the Cek Bansos lookup: one prepared statement per persistent
  connection;
* ``/bench/bare-search/`` — the registry name search: the typed words looked up in the name
  dictionary, then one query on the word index for the 25 best households, as JSON;
* ``/bench/bare-apply/``  — the apply form: the program and the villages of the regency in a
  minimal HTML form;
* ``/bench/bare-count/``  — what a dashboard replaces at its simplest: one indexed count of the
  regency's active households, as JSON.
"""

import json
import weakref

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from dtks.models import Program, Region
from dtks.search import NAME_WORDS, normalize_name

#: The strongest simple lookup: one statement, prepared once per (persistent) connection, the
#: NIK's person, village and the current period's programs in one round trip.
BARE_CEK_SQL = """
    SELECT i.name, v.name, p.name, e.status
    FROM dtks_individual i
    JOIN dtks_household h ON h.id = i.household_id
    JOIN dtks_region v ON v.code = h.village_code
    LEFT JOIN dtks_enrollment e ON e.household_id = h.id AND e.period_id IN (
        SELECT id FROM dtks_programperiod WHERE starts_on <= $2 AND ends_on >= $2)
    LEFT JOIN dtks_program p ON p.id = e.program_id
    WHERE i.id = (SELECT id FROM dtks_individual WHERE nik = $1 ORDER BY id LIMIT 1)
"""
_bare_prepared: weakref.WeakSet = weakref.WeakSet()


@csrf_exempt
def bare_cek(request):
    """What a competent engineer writes for "NIK in, programs out": no name check, no
    masking, no rate limit, no audit row; one prepared indexed query, JSON out."""
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        raw = connection.connection
        if raw not in _bare_prepared:
            cursor.execute("PREPARE bare_cek(text, date) AS " + BARE_CEK_SQL)
            _bare_prepared.add(raw)
        cursor.execute("EXECUTE bare_cek(%s, %s)", [body["nik"], timezone.localdate()])
        rows = cursor.fetchall()
    if not rows:
        return JsonResponse({"found": False})
    return JsonResponse(
        {
            "found": True,
            "name": rows[0][0],
            "village": rows[0][1],
            "programs": [[program, status] for _n, _v, program, status in rows if program],
        }
    )


def bare_search(request):
    """Hand-written queries, no scope: the NIK, or the 25 best of the first 100 people whose
    name has, for every typed word, a word of the name dictionary close to it (the same word
    dictionary, word index and trigram operators as the product), with their households."""
    typed = request.GET.get("q", "")
    digits = "".join(ch for ch in typed if ch.isdigit())
    with connection.cursor() as cursor:
        if len(digits) == 16:
            cursor.execute(
                "SELECT h.id, h.address, i.name FROM dtks_individual i "
                "JOIN dtks_household h ON h.id = i.household_id WHERE i.nik = %s",
                [digits],
            )
            return JsonResponse({"results": cursor.fetchall()})
        query = normalize_name(typed)
        words = [w for w in query.split() if len(w) >= 3] or [query]
        cursor.execute("SET pg_trgm.word_similarity_threshold = 0.4")
        cursor.execute("SET enable_seqscan = off")
        close = []
        for word in words:
            cursor.execute(
                "SELECT array_agg(DISTINCT word) FROM dtks_nameword "
                "WHERE word %%> %s OR word LIKE %s",
                [word, "%" + word + "%"],
            )
            close.append(cursor.fetchone()[0] or [])
        cursor.execute("SET enable_seqscan = on")
        every_word = " AND ".join([NAME_WORDS + " && %s::text[]"] * len(close))
        cursor.execute(
            # materialised: under a bare LIMIT the planner bets on a sequential scan finding
            # 100 matches early, and reads the whole table for a rare name
            """
            WITH matched AS MATERIALIZED (
                SELECT id, household_id, name, name_search FROM dtks_individual WHERE {}
            ), found AS (SELECT * FROM matched LIMIT 100)
            SELECT h.id, h.address, i.name FROM (
                SELECT household_id, name, greatest(
                    similarity(name_search, %s), word_similarity(%s, name_search)) AS s
                FROM found ORDER BY s DESC, id LIMIT 25
            ) i JOIN dtks_household h ON h.id = i.household_id
            """.format(every_word),
            [*close, query, query],
        )
        rows = cursor.fetchall()
    return JsonResponse({"results": rows})


def bare_apply(request, code):
    program = Program.objects.get(code=code)
    villages = Region.objects.filter(
        code__startswith=settings.SILAKSO_HOME_REGENCY + ".", level=4
    ).values_list("code", "name")
    options = "".join('<option value="{}">{}</option>'.format(c, escape(n)) for c, n in villages)
    return HttpResponse(
        "<!doctype html><title>{}</title><form method=post><input name=nik>"
        "<input name=name><select name=village>{}</select><button>Kirim</button></form>".format(
            escape(program.name), options
        )
    )


def bare_count(request):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM dtks_household WHERE village_code LIKE %s AND status = 'active'",
            [settings.SILAKSO_HOME_REGENCY + ".%"],
        )
        return JsonResponse({"households": cursor.fetchone()[0]})


urlpatterns = [
    path("bench/bare-count/", bare_count),
    path("bench/bare-cek/", bare_cek),
    path("bench/bare-search/", bare_search),
    path("bench/bare-apply/<slug:code>/", bare_apply),
    path("", include("silakso.urls")),
]
