#!/usr/bin/env python
"""`make bench`: the registry at district scale, each measurement beside its reference.

Generates a synthetic province (Kepulauan Bangka Belitung, real region codes) of N individuals
(default 1,000,000) in a scratch database, then measures, in one run on this machine:

* import    — the DTKS extract import (CSV, full validation, upserts, history) against raw
              PostgreSQL COPY of the same rows into the same tables; peak memory of the import;
* desil     — the local PMT job (scores, contributions, rank-based deciles per regency) against a pure-SQL
              scoring and ranking statement with the same weights;
* dedup     — fuzzy-duplicate detection on injected near-duplicates (precision, recall, time)
              beside a plain blocked query (village + birth date + trigram similarity);
* independent — the same detection on a registry it was never tuned to (dtks/evaluation.py: a
              dense city, realistic names, namesakes, twins, its own error model), in a scratch
              database: precision and recall with 1% registered twice, and false flags per
              100k people on a clean control of the same city;
* cek       — the public Cek Bansos API end to end (rate limit, masking, audit) under wrk,
              against a bare Django view doing the same lookup, both under gunicorn.
* load      — under 16 connections on gunicorn with 3 workers: a signed-in officer's registry
              search (names of the registry typed whole, with a wrong letter, as a first name
              only, and NIKs: 1:2:1:1) and a
              resident's apply form, each beside a bare view doing the same query or form.

Results are printed as one table and written to benchmarks/results/latest.json. Ratios are
what to read: absolute times move with the machine's load.
"""

import argparse
import base64
import csv
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
REGION = "19"  # Kepulauan Bangka Belitung: 7 regencies, ~390 villages
PYTHON = sys.executable


def environment(database: str) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.settings",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/{}".format(database),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"),
        SILAKSO_CEK_LIMIT_PER_IP="100000000",
        SILAKSO_CEK_LIMIT_PER_NIK="1000",
        PYTHONPATH=str(ROOT),
    )
    return env


def log(message: str) -> None:
    sys.stderr.write("[bench] {}\n".format(message))
    sys.stderr.flush()


# ---------------------------------------------------------------------------- child processes
def child_import(path: str) -> None:
    """Run one import in a fresh process, so its peak memory is its own."""
    import django

    django.setup()
    from core.models import User
    from dtks.bulk import registry_import

    class StepTimer:
        """Records when each step of the import finished (the progress messages)."""

        def __init__(self):
            self.steps: dict[str, float] = {}
            self.last = (None, time.monotonic())

        def progress(self, done, total, message):
            name, since = self.last
            if message != name:
                now = time.monotonic()
                if name is not None:
                    self.steps[name] = round(now - since, 2)
                self.last = (message, now)

    actor = User.objects.get(username="bench.data")
    timer = StepTimer()
    started = time.monotonic()
    with open(path, "rb") as handle:
        result = registry_import(
            handle=handle,
            filename=Path(path).name,
            actor=actor,
            size=os.path.getsize(path),
            reporter=timer,
        )
    seconds = time.monotonic() - started  # the transaction has committed
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "steps": timer.steps,
                "result": {k: v for k, v in result.as_dict().items() if k != "rejected_sample"},
            }
        )
    )


def child_dedup_evaluation(spec: str) -> None:
    """Build an evaluation city (``individuals:share``) into this process's empty database,
    run the fuzzy-duplicate step on it, print the score."""
    import django

    django.setup()
    from django.db import connection, transaction

    from dtks import evaluation

    individuals, share = spec.split(":")
    truth = evaluation.build(
        region_code=EVALUATION_CITY, individuals=int(individuals), duplicate_share=float(share)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dtks_individual")
        cursor.execute("VACUUM ANALYZE dtks_household")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        started = time.monotonic()
        found = evaluation.found_pairs(cursor)
        seconds = time.monotonic() - started
    result = evaluation.score(found, truth["pairs"])
    result.update(
        seconds=seconds,
        people=truth["people"],
        false_flags_per_100k=2 * len(found - set(truth["pairs"])) * 100_000 / truth["people"],
    )
    print(json.dumps(result))


#: Kota Pangkalpinang: 42 villages, a dense city for the independent evaluation.
EVALUATION_CITY = "19.71"


def bench_dedup_independent(individuals: int) -> dict:
    """The independent evaluation: 1% registered twice, then the clean control; each in a
    scratch database of its own, dropped afterwards."""
    results = {}
    for name, share in (("independent", 0.01), ("clean", 0.0)):
        database = "silakso_bench_eval_{}".format(name)
        env = environment(database)
        prepare_database(database, env)
        out = subprocess.run(
            [PYTHON, str(Path(__file__)), "--child-dedup", "{}:{}".format(individuals, share)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        if name == "independent":
            results.update(
                dedup_precision_independent=result["precision"],
                dedup_recall_independent=result["recall"],
                dedup_recall_independent_by_kind=result["recall_by_kind"],
                dedup_independent_people=result["people"],
                dedup_independent_s=result["seconds"],
            )
        else:
            results.update(
                dedup_false_flags_per_100k=result["false_flags_per_100k"],
                dedup_clean_people=result["people"],
                dedup_clean_s=result["seconds"],
            )
    return results


# ---------------------------------------------------------------------------- setup
def prepare_database(database: str, env: dict) -> None:
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True
    )
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [PYTHON, "manage.py", "load_regions", "--within", REGION],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def write_files(individuals: int, seed: int) -> tuple[Path, dict]:
    """The import CSV and, from the same generator, the preformatted COPY files (cached)."""
    from django.utils import timezone

    from dtks import synthetic

    DATA.mkdir(parents=True, exist_ok=True)
    csv_path = DATA / "import-{}-{}.csv".format(individuals, seed)
    copy_paths = {
        t: DATA / "copy-{}-{}-{}.tsv".format(individuals, seed, t)
        for t in ("household", "family", "individual")
    }
    if not csv_path.exists():
        log("writing {}".format(csv_path.name))
        with open(csv_path, "w", newline="") as handle:
            synthetic.write_import_file(
                handle=handle, region_code=REGION, individuals=individuals, seed=seed
            )
    if not all(p.exists() for p in copy_paths.values()):
        log("writing the COPY reference files")
        generator = synthetic.DistrictGenerator(
            region_code=REGION, individuals=individuals, seed=seed
        )
        now = timezone.now().isoformat()
        files = {t: open(p, "w") for t, p in copy_paths.items()}  # noqa: SIM115
        hid = fid = iid = 1
        for household, families, members in generator.rows():
            desil = synthetic._official_desil(household.pop("welfare"))
            household.update(
                id=hid,
                status="active",
                version=1,
                created_at=now,
                updated_at=now,
                desil=desil,
                desil_as_of=generator.desil_as_of,
            )
            files["household"].write(
                "\t".join(synthetic._copy_value(household[c]) for c in synthetic.HOUSEHOLD_COLUMNS)
                + "\n"
            )
            family_ids = []
            for family in families:
                family_ids.append(fid)
                row = {
                    "id": fid,
                    "household_id": hid,
                    "kk_warning": "",
                    "created_at": now,
                    "updated_at": now,
                    **family,
                }
                files["family"].write(
                    "\t".join(synthetic._copy_value(row[c]) for c in synthetic.FAMILY_COLUMNS)
                    + "\n"
                )
                fid += 1
            for member in members:
                row = {
                    **member,
                    "id": iid,
                    "household_id": hid,
                    "family_id": family_ids[member["family"]],
                    "nik_warning": "",
                    "status": "alive",
                    "created_at": now,
                    "updated_at": now,
                }
                files["individual"].write(
                    "\t".join(synthetic._copy_value(row[c]) for c in synthetic.INDIVIDUAL_COLUMNS)
                    + "\n"
                )
                iid += 1
            hid += 1
        for handle in files.values():
            handle.close()
    return csv_path, copy_paths


REGISTRY_TABLES = (
    "dtks_campaignitem, dtks_campaign, dtks_householdevent, dtks_desilrecord, "
    "dtks_flag, dtks_enrollment, dtks_householdphoto, dtks_individual, "
    "dtks_family, dtks_household"
)


def empty_registry() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE {} CASCADE".format(REGISTRY_TABLES))
        cursor.execute("UPDATE dtks_household SET pmt_run_id = NULL")
        cursor.execute("CHECKPOINT")


# ---------------------------------------------------------------------------- measurements
def bench_copy(copy_paths: dict) -> tuple[float, int]:
    from django.db import connection, transaction

    from dtks import synthetic

    empty_registry()
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns in (
            ("household", synthetic.HOUSEHOLD_COLUMNS),
            ("family", synthetic.FAMILY_COLUMNS),
            ("individual", synthetic.INDIVIDUAL_COLUMNS),
        ):
            with open(copy_paths[table]) as handle:
                cursor.cursor.copy_expert(
                    "COPY dtks_{} ({}) FROM STDIN".format(table, ", ".join(columns)),
                    handle,
                    size=1 << 20,
                )
    seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM dtks_household) + (SELECT count(*) FROM dtks_individual)"
        )
        rows = cursor.fetchone()[0]
    return seconds, rows


def bench_import(csv_path: Path, env: dict, *, empty: bool = True) -> dict:
    if empty:
        empty_registry()
    out = subprocess.run(
        [PYTHON, str(Path(__file__)), "--child-import", str(csv_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dtks_household")
        cursor.execute("VACUUM ANALYZE dtks_individual")


def bench_desil() -> dict:
    from django.db import connection, transaction

    from dtks import pmt
    from dtks.models import PmtWeightSet

    weight_set = PmtWeightSet.objects.get(is_active=True)
    reference = """
    WITH members AS (
        SELECT household_id, count(*) AS n,
               count(*) FILTER (WHERE birth_date > %(child_cutoff)s) AS children,
               count(*) FILTER (WHERE birth_date <= %(elderly_cutoff)s) AS elderly
        FROM dtks_individual WHERE status = 'alive' GROUP BY household_id),
    scored AS (
        SELECT h.id, substr(h.village_code, 1, 5) AS regency,
               round((%(intercept)s + {parts})::numeric, 6)::float8 AS score
        FROM dtks_household h LEFT JOIN members m ON m.household_id = h.id
        WHERE h.status = 'active')
    UPDATE dtks_household h SET pmt_score = r.score, pmt_desil = r.desil
    FROM (SELECT id, score, 1 + 10 * (rank() OVER (PARTITION BY regency ORDER BY score) - 1)
                     / count(*) OVER (PARTITION BY regency) AS desil
          FROM scored) r
    WHERE h.id = r.id
    """.format(parts=" + ".join(pmt.contribution_sql(weight_set.weights)))
    times = {"sql": [], "job": []}
    for _round in range(2):
        vacuum()
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(reference, {**pmt.member_cutoffs(), "intercept": weight_set.intercept})
        times["sql"].append(time.monotonic() - started)
        vacuum()
        started = time.monotonic()
        run = pmt.run_ranking(weight_set=weight_set)
        times["job"].append(time.monotonic() - started)
    return {
        "desil_s": statistics.median(times["job"]),
        "desil_sql_reference_s": statistics.median(times["sql"]),
        "desil_households": run.households,
    }


def bench_dedup() -> dict:
    from django.db import connection, transaction

    from dtks.synthetic import inject_duplicates
    from dtks.verification import fuzzy_duplicate_pairs

    truth = inject_duplicates(region_code=REGION, seed=22)
    near = {tuple(p) for p in truth["near"]}
    exact = {tuple(p) for p in truth["exact"]}
    vacuum()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        started = time.monotonic()
        fuzzy_duplicate_pairs(cursor)
        seconds = time.monotonic() - started
        cursor.execute("SELECT a, b FROM dedup_pairs")
        found = {tuple(row) for row in cursor.fetchall()}
        # reference: blocked by village + exact birth date, trigram similarity >= 0.5
        cursor.execute("SET LOCAL enable_mergejoin = off")
        started = time.monotonic()
        cursor.execute(
            """
            SELECT count(*) FROM dtks_individual a
            JOIN dtks_household ha ON ha.id = a.household_id
            JOIN dtks_individual b ON b.birth_date = a.birth_date AND b.id > a.id
            JOIN dtks_household hb ON hb.id = b.household_id AND hb.village_code = ha.village_code
            WHERE similarity(a.name, b.name) >= 0.5
            """
        )
        reference = time.monotonic() - started
        transaction.set_rollback(True)
    true_found = found & (near | exact)
    return {
        "dedup_s": seconds,
        "dedup_reference_s": reference,
        "dedup_pairs_found": len(found),
        "dedup_injected_near": len(near),
        "dedup_precision": len(true_found) / max(len(found), 1),
        "dedup_recall": len(found & near) / max(len(near), 1),
        "dedup_exact_recall": len(found & exact) / max(len(exact), 1),
    }


def _run_wrk(
    url: str, seconds: int, *, script: str, connections: int, env: dict
) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and the number of errors (non-2xx/3xx, socket errors)."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c{}".format(connections),
            "-d{}s".format(seconds),
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(ROOT / "benchmarks" / script),
            url,
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(label: str) -> float:
        found = re.search(label + r"%\s+([\d.]+)(us|ms|s)", out)
        return float(found.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[found.group(2)]

    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    if errors:
        log("{} errors on {}:\n{}".format(errors, url, out))
    return rps, percentile("50"), percentile("99"), errors


def _wrk(url: str, pool: Path, seconds: int) -> tuple[float, float]:
    rps, _p50, p99, errors = _run_wrk(
        url, seconds, script="cek.lua", connections=4, env={"CEK_POOL": str(pool)}
    )
    if errors:
        raise RuntimeError("wrk saw {} error responses at {}".format(errors, url))
    return rps, p99


def _gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "silakso.wsgi",
            "--workers",
            str(workers),
            "--bind",
            "127.0.0.1:{}".format(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    time.sleep(4)
    return server


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def _signed_in(username: str, role: str, region: str) -> str:
    """The session key of ``username`` (``role`` in ``region``, kept there even when an earlier
    run made the account elsewhere), signed in past the second factor."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import User
    from dtks.models import Region

    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "full_name": "Benchmark " + role.replace("_", " "),
            "role": role,
            "region": Region.objects.get(code=region),
        },
    )
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return session.session_key


def _officer_cookie(regency: str) -> str:
    """A signed-in data manager of ``regency`` past the second factor, as a Cookie header."""
    from django.conf import settings

    session = _signed_in("bench.officer", "data_manager", regency)
    return "{}={}".format(settings.SESSION_COOKIE_NAME, session)


def _search_pool(regency: str, size: int = 3000) -> Path:
    """What officers type: whole names, names with a letter wrong, first names and NIKs."""
    import random

    from dtks.models import Individual

    people = list(
        Individual.objects.filter(household__village__code__startswith=regency + ".")
        .order_by("?")
        .values_list("name", "nik")[:size]
    )
    chooser = random.Random(11)
    queries = []
    for number, (name, nik) in enumerate(people):
        kind = number % 5
        if kind == 0:
            queries.append(name)
        elif kind in (1, 2):
            spot = chooser.randrange(len(name))
            queries.append(name[:spot] + chooser.choice("aiueo") + name[spot + 1 :])
        elif kind == 3:
            queries.append(name.split()[0])
        else:
            queries.append(nik)
    pool = DATA / "search-pool.txt"
    pool.write_text("".join(q + "\n" for q in queries))
    return pool


def bench_load(env: dict, seconds: int) -> dict:
    """Registry search and the apply form under 16 connections, beside bare references."""
    from django.core.management import call_command
    from django.db.models import Count

    from dtks.models import Household

    call_command("load_programs", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # as after an import in production (the search index job; here no worker runs), and as
    # every other section: the registry vacuumed and analysed first
    vacuum()
    regency = (
        Household.objects.values("village__parent__parent")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["village__parent__parent"]
    )
    cookie = _officer_cookie(regency)
    pool = _search_pool(regency)
    port = 8766
    server = _gunicorn({**env, "SILAKSO_HOME_REGENCY": regency}, port, workers=3)
    base = "http://127.0.0.1:{}".format(port)
    pages = {
        "search": (base + "/registri/?q=", {"LOAD_POOL": str(pool), "LOAD_COOKIE": cookie}),
        "search_reference": (base + "/bench/bare-search/?q=", {"LOAD_POOL": str(pool)}),
        "apply_form": (base + "/usulan/ajukan/pkh/", {}),
        "apply_form_reference": (base + "/bench/bare-apply/pkh/", {}),
    }
    measured: dict[str, list] = {name: [] for name in pages}
    try:
        for url, extra in pages.values():  # warm up every worker
            _run_wrk(url, min(3, seconds), script="load.lua", connections=16, env=extra)
        for _round in range(2):
            for name, (url, extra) in pages.items():
                measured[name].append(
                    _run_wrk(url, seconds, script="load.lua", connections=16, env=extra)
                )
    finally:
        _stop(server)
    results: dict = {"load_regency": regency, "load_errors": 0}
    for name, runs in measured.items():
        results[name + "_rps"] = statistics.median(r[0] for r in runs)
        results[name + "_p50_ms"] = statistics.median(r[1] for r in runs)
        results[name + "_p99_ms"] = statistics.median(r[2] for r in runs)
        results["load_errors"] += sum(r[3] for r in runs)
        results[name + "_errors"] = sum(r[3] for r in runs)
    results["search_vs_reference"] = results["search_rps"] / results["search_reference_rps"]
    results["apply_form_vs_reference"] = (
        results["apply_form_rps"] / results["apply_form_reference_rps"]
    )
    return results


def bench_cek(env: dict, seconds: int) -> dict:
    from dtks.models import Individual

    pool = DATA / "cek-pool.txt"
    people = (
        Individual.objects.filter(status="alive").order_by("?").values_list("nik", "name")[:20000]
    )
    pool.write_text("".join("{}\t{}\n".format(nik, name) for nik, name in people))
    port = 8765
    server = _gunicorn(env, port, workers=2)
    try:
        base = "http://127.0.0.1:{}".format(port)
        real_url, bare_url = base + "/api/v1/cek-bansos/", base + "/bench/bare-cek/"
        _wrk(real_url, pool, 3)  # warm up
        _wrk(bare_url, pool, 3)
        real, bare = [], []
        for _round in range(2):
            bare.append(_wrk(bare_url, pool, seconds))
            real.append(_wrk(real_url, pool, seconds))
    finally:
        _stop(server)
    return {
        "cek_rps": statistics.median(r for r, _ in real),
        "cek_p99_ms": statistics.median(p for _, p in real),
        "cek_reference_rps": statistics.median(r for r, _ in bare),
        "cek_reference_p99_ms": statistics.median(p for _, p in bare),
    }


def bench_dashboard(env: dict, seconds: int) -> dict:
    """The summary refresh beside the plain GROUP BYs it replaces (the same queries, only
    fetched), alternated three times; then a head of division's dashboard under 8 connections
    beside a bare indexed count of the regency's households, in the same gunicorn."""
    from django.db import connection
    from django.db.models import Count, Max, Min

    from core import dashboard
    from dtks.models import Household

    def group_by() -> None:
        with connection.cursor() as cursor:
            for source in dashboard.sources():
                sql, params = source.queryset.order_by().query.sql_with_params()
                cursor.execute(sql, params)
                cursor.fetchall()

    vacuum()
    refreshed, grouped = [], []
    for _round in range(3):
        started = time.perf_counter()
        group_by()
        grouped.append(time.perf_counter() - started)
        started = time.perf_counter()
        state = dashboard.refresh()
        refreshed.append(time.perf_counter() - started)
    regency = (
        Household.objects.values("village__parent__parent")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["village__parent__parent"]
    )
    cookie = _officer_cookie(regency)
    port = 8767
    server = _gunicorn({**env, "SILAKSO_HOME_REGENCY": regency}, port, workers=3)
    base = "http://127.0.0.1:{}".format(port)
    located = Household.objects.filter(village__code__startswith=regency + ".").aggregate(
        south=Min("latitude"), west=Min("longitude"), north=Max("latitude"), east=Max("longitude")
    )
    view = "bbox={west},{south},{east},{north}&zoom=10".format(**located)
    pages = {
        "dashboard": (base + "/dasbor/", {"LOAD_COOKIE": cookie}),
        "map_data": (base + "/registri/peta/titik/?" + view, {"LOAD_COOKIE": cookie}),
        "dashboard_reference": (base + "/bench/bare-count/", {}),
    }
    measured: dict[str, list] = {name: [] for name in pages}
    try:
        for url, extra in pages.values():
            _run_wrk(url, min(3, seconds), script="load.lua", connections=8, env=extra)
        for _round in range(2):
            for name, (url, extra) in pages.items():
                measured[name].append(
                    _run_wrk(url, seconds, script="load.lua", connections=8, env=extra)
                )
    finally:
        _stop(server)
    results = {
        "summary_rows": state.rows,
        "summary_refresh_s": statistics.median(refreshed),
        "summary_groupby_reference_s": statistics.median(grouped),
    }
    results["summary_refresh_vs_groupby"] = (
        results["summary_refresh_s"] / results["summary_groupby_reference_s"]
    )
    for name, runs in measured.items():
        results[name + "_rps"] = statistics.median(r[0] for r in runs)
        results[name + "_p50_ms"] = statistics.median(r[1] for r in runs)
        results[name + "_p99_ms"] = statistics.median(r[2] for r in runs)
        results[name + "_errors"] = sum(r[3] for r in runs)
    return results


FIELD_ITEMS = 50
FIELD_PHOTOS = 10  # every fifth item is a house photo, the others births
THROTTLE = {"latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}  # 400 kbps


def _field_photos() -> tuple[Path, Path]:
    """A phone photo (about 600 KB, as seen on the slow line) and what the field app keeps of
    it (1,280 px on the long side, JPEG quality 75, as static/js/field.js asks photos.js for)."""
    import random

    from PIL import Image, ImageFilter

    original, resized = DATA / "field-original.jpg", DATA / "field-resized.jpg"
    if not original.exists():
        rng = random.Random(7)
        small = Image.new("RGB", (200, 150))
        small.putdata(
            [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(30000)]
        )
        picture = small.resize((2400, 1800)).filter(ImageFilter.GaussianBlur(2))
        picture.save(original, format="JPEG", quality=85)
        with Image.open(original) as kept:
            scale = 1280 / max(kept.size)
            kept.resize((round(kept.width * scale), round(kept.height * scale))).save(
                resized, format="JPEG", quality=75
            )
    return original, resized


def _operator_session(village: str) -> tuple[str, str]:
    """(session key, csrf token) of a signed-in operator of ``village`` past the second factor."""
    from django.middleware.csrf import _get_new_csrf_string

    return _signed_in("bench.operator", "village_operator", village), _get_new_csrf_string()


def bench_field(env: dict) -> dict:
    """The field app (issue 17) on a throttled line (400 kbps, 400 ms): the app shell's size,
    what the first visit downloads (the shell and the village's data), and the time to send 50
    queued items (40 births, 10 house photos resized on the phone) beside recording the same
    items one by one through the online pages (each form opened, filled and sent, the camera's
    photo chosen and shrunk by the pages' photos.js), in the same headless Chromium, against the
    same gunicorn."""
    from django.conf import settings
    from django.db.models import Count, Min
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    from core.fieldwork import shell_version
    from dtks.models import Household

    village = (
        Household.objects.filter(status="active")
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["village_id"]
    )
    homes = list(
        Household.objects.filter(village_id=village, status="active")
        .annotate(kk=Min("families__pk"))
        .order_by("pk")
        .values_list("pk", "version", "kk")[: 2 * FIELD_ITEMS]
    )
    original, resized = _field_photos()
    session, csrf = _operator_session(village)
    port = 8768
    server = _gunicorn({**env, "SILAKSO_HOME_REGENCY": village[:5]}, port, workers=3)
    base = "http://127.0.0.1:{}".format(port)
    static_root = ROOT / "static"
    shell_files = [
        "css/silakso.css",
        "js/field.js",
        "js/forms.js",
        "js/photos.js",
        "js/htmx-2.0.4.min.js",
        "img/favicon.svg",
        "img/field-192.png",
    ]
    results: dict = {
        "field_village_households": Household.objects.filter(
            village_id=village, status="active"
        ).count(),
        "field_shell_version": shell_version(),
    }
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=os.environ.get("SILAKSO_CHROMIUM", "/usr/bin/chromium"),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            # bypass_csp: Playwright waits with evaluated predicates; the page itself is unchanged
            context = browser.new_context(
                viewport={"width": 360, "height": 740},
                base_url=base,
                bypass_csp=True,
                locale="id-ID",
            )
            context.add_cookies(
                [
                    {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base},
                    {"name": settings.CSRF_COOKIE_NAME, "value": csrf, "url": base},
                ]
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            received = []
            cdp.on(
                "Network.loadingFinished", lambda event: received.append(event["encodedDataLength"])
            )
            page.goto("/lapangan/")
            page.wait_for_function(
                "document.querySelector('#lapangan-status').textContent.includes('rumah')",
                timeout=120_000,
            )
            page.wait_for_timeout(1000)
            shell_html = len(page.content().encode())
            results["field_shell_bytes"] = shell_html + sum(
                (static_root / name).stat().st_size for name in shell_files
            )
            results["field_first_visit_bytes"] = sum(received)
            # the outbox: 50 items put in the phone's IndexedDB as the app keeps them
            photo = resized.read_bytes()
            queued = []
            for number, (pk, version, kk) in enumerate(homes[:FIELD_ITEMS]):
                if number % (FIELD_ITEMS // FIELD_PHOTOS) == 0:
                    queued.append(
                        {
                            "step": "photo",
                            "object": pk,
                            "version": version,
                            "fields": {"caption": "", "latitude": "", "longitude": ""},
                            "photo": True,
                        }
                    )
                else:
                    queued.append(
                        {
                            "step": "birth",
                            "object": pk,
                            "version": version,
                            "fields": {**_bench_birth(village, number), "family": str(kk)},
                        }
                    )
            page.evaluate(
                """([items, photo]) => new Promise((resolve, reject) => {
                  const bytes = Uint8Array.from(atob(photo), c => c.charCodeAt(0));
                  const open = indexedDB.open('silakso-lapangan', 1);
                  open.onsuccess = () => {
                    const t = open.result.transaction('outbox', 'readwrite');
                    items.forEach((item, n) => t.objectStore('outbox').put({
                      key: 'bench-' + Date.now() + '-' + n, created: Date.now() + n, flow: 'household',
                      step: item.step, object: item.object, version: item.version, fields: item.fields,
                      photos: item.photo ? {image: new Blob([bytes], {type: 'image/jpeg'})} : {},
                      label: item.step, state: 'waiting', answer: null}));
                    t.oncomplete = () => resolve(true);
                    t.onerror = () => reject(t.error);
                  };
                })""",
                [queued, base64.b64encode(photo).decode()],
            )
            cdp.send("Network.emulateNetworkConditions", {"offline": False, **THROTTLE})
            started = time.monotonic()
            page.evaluate("window.dispatchEvent(new Event('online'))")
            states_js = """() => new Promise(resolve => {
                const open = indexedDB.open('silakso-lapangan', 1);
                open.onsuccess = () => {
                  const all = open.result.transaction('outbox').objectStore('outbox').getAll();
                  all.onsuccess = () => resolve(all.result.map(i => i.state));
                };
              })"""
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                states = page.evaluate(states_js)
                if len(states) == FIELD_ITEMS and not {"waiting", "sending"} & set(states):
                    break
                time.sleep(0.25)
            results["field_sync_s"] = round(time.monotonic() - started, 1)
            results["field_sync_accepted"] = states.count("accepted")
            # the reference: the same kinds of items through the online pages, one by one
            started = time.monotonic()
            for number, (pk, _version, _kk) in enumerate(homes[FIELD_ITEMS : 2 * FIELD_ITEMS]):
                if number % (FIELD_ITEMS // FIELD_PHOTOS) == 0:
                    page.goto(reverse("dtks:member_event", args=[pk, "foto"]))
                    page.locator("input[name=image]").set_input_files(str(original))
                else:
                    page.goto(reverse("dtks:member_event", args=[pk, "kelahiran"]))
                    for name, value in _bench_birth(village, number + FIELD_ITEMS).items():
                        field = page.locator("[name={}]".format(name))
                        if name in ("sex",):
                            page.locator("input[name=sex][value={}]".format(value)).check()
                        elif field.evaluate("e => e.tagName") == "SELECT":
                            field.select_option(value)
                        else:
                            field.fill(value)
                with page.expect_navigation():
                    page.locator("main form button[type=submit]").last.click()
            results["field_online_reference_s"] = round(time.monotonic() - started, 1)
            results["field_sync_vs_online"] = (
                results["field_sync_s"] / results["field_online_reference_s"]
            )
            browser.close()
    finally:
        _stop(server)
    return results


def _bench_birth(village: str, number: int) -> dict:
    import datetime as dt

    from django.utils import timezone

    born = timezone.localdate() - dt.timedelta(days=30 + number)
    nik = "{}{:02d}{:02d}{:02d}{:04d}".format(
        village.replace(".", "")[:6], born.day + 40, born.month, born.year % 100, 9000 + number
    )
    return {
        "nik": nik,
        "name": "Bayi Bench {}".format(number),
        "birth_date": born.isoformat(),
        "sex": "female",
        "marital_status": "single",
        "disability": "none",
        "id_card_status": "none",
        "relation_to_head": "child",
        "source": "field_visit",
    }


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
    except OSError:
        memory = 0
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default="silakso_bench")
    parser.add_argument("--cek-seconds", type=int, default=15)
    parser.add_argument("--load-seconds", type=int, default=15)
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=[
            "import",
            "desil",
            "dedup",
            "independent",
            "cek",
            "load",
            "dashboard",
            "field",
            "round",
        ],
    )
    parser.add_argument(
        "--evaluation-individuals",
        type=int,
        default=300_000,
        help="people of each independent evaluation city (duplicates, clean control)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the registry a previous run left in --database (no generation, no import)",
    )
    parser.add_argument("--child-import")
    parser.add_argument("--child-dedup")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args()
    if args.child_import:
        child_import(args.child_import)
        return
    if args.child_dedup:
        child_dedup_evaluation(args.child_dedup)
        return
    env = environment(args.database)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    started = time.monotonic()
    if not args.reuse:
        log("database {} for {:,} individuals".format(args.database, args.individuals))
        prepare_database(args.database, env)
    import django

    django.setup()
    from core.models import User
    from dtks.models import Individual, Region

    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the code may be newer than the kept database
        results: dict = {"individuals": Individual.objects.count()}
    else:
        User.objects.create(
            username="bench.data",
            full_name="Benchmark",
            role="data_manager",
            region=Region.objects.get(code=REGION),
        )
        results = {"individuals": args.individuals}
        results.update(bench_registry_import(args, env))
    if "desil" not in args.skip:
        log("desil")
        results.update(bench_desil())
        results["desil_vs_sql"] = results["desil_s"] / results["desil_sql_reference_s"]
    if "cek" not in args.skip:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed (make bench installs it)")
        log("cek bansos")
        results.update(bench_cek(env, args.cek_seconds))
        results["cek_vs_bare"] = results["cek_rps"] / results["cek_reference_rps"]
        results["cek_p99_vs_bare"] = results["cek_p99_ms"] / results["cek_reference_p99_ms"]
    if "load" not in args.skip:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed (make bench installs it)")
        log("load: registry search and apply form, 16 connections")
        results.update(bench_load(env, args.load_seconds))
    if "dashboard" not in args.skip:
        log("dashboard: summary refresh, 8 connections")
        results.update(bench_dashboard(env, args.load_seconds))
    if "field" not in args.skip:
        log("field app: 50 queued items on a 400 kbps line beside the online pages")
        results.update(bench_field(env))
    if "dedup" not in args.skip:
        log("dedup")
        results.update(bench_dedup())
    if "independent" not in args.skip:
        log("dedup on an independent city and its clean control")
        results.update(bench_dedup_independent(args.evaluation_individuals))
    if "round" not in args.skip:
        # last: applying the round changes the registry the other sections measure
        log("registry round: 10% changed, 5% gone")
        results.update(bench_round(args))
    results["machine"] = machine()
    results["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    results["bench_seconds"] = round(time.monotonic() - started, 1)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2, default=float) + "\n")
    print_table(results)


def bench_registry_import(args, env: dict) -> dict:
    """The import beside COPY (twice each, alternating, medians) and a re-import."""
    csv_path, copy_paths = write_files(args.individuals, args.seed)
    # COPY and the import alternate, twice each, into emptied tables; medians are reported.
    copies, imports = [], []
    for round_number in (1, 2):
        log("COPY reference ({}/2)".format(round_number))
        copy_seconds, rows = bench_copy(copy_paths)
        copies.append(copy_seconds)
        log("import ({}/2)".format(round_number))
        imports.append(bench_import(csv_path, env))
    first = sorted(imports, key=lambda run: run["seconds"])[0]
    import_seconds = statistics.median(run["seconds"] for run in imports)
    copy_seconds = statistics.median(copies)
    log("re-import of the same file")
    again = bench_import(csv_path, env, empty=False)
    return {
        "rows": rows,
        "copy_s": copy_seconds,
        "copy_rows_per_s": rows / copy_seconds,
        "import_s": import_seconds,
        "import_rows_per_s": rows / import_seconds,
        "import_vs_copy": copy_seconds / import_seconds,
        "import_peak_rss_mb": max(run["rss_mb"] for run in imports),
        "import_rejected": first["result"]["rejected"],
        "import_steps_s": first["steps"],
        "reimport_s": again["seconds"],
        "reimport_changed": again["result"]["households_updated"]
        + again["result"]["individuals_updated"],
    }


# ---------------------------------------------------------------------------- registry round
def _round_file(source: Path) -> tuple[Path, int, int]:
    """The next national extract: the registry's own file with one household in ten changed
    (its floor) and one in twenty gone. Returns the file, the changed and the gone count."""
    target = DATA / "round-{}".format(source.name)
    changed = gone = 0
    with open(source, newline="") as reading, open(target, "w", newline="") as writing:
        rows = csv.reader(reading)
        out = csv.writer(writing)
        header = next(rows)
        out.writerow(header)
        key, floor = header.index("dtks_id"), header.index("floor_material")
        last, number = None, -1
        for row in rows:
            if row[key] != last:
                last, number = row[key], number + 1
                changed += number % 10 == 3
                gone += number % 20 == 7
            if number % 20 == 7:
                continue
            if number % 10 == 3:
                row[floor] = "earth" if row[floor] != "earth" else "cement"
            out.writerow(row)
    return target, changed, gone


_REFERENCE_COMPARE = """
CREATE TEMP TABLE ref_round (
    dtks_id text, village_code text, address text, floor_material text, wall_material text,
    roof_material text, floor_area numeric, nik text, name text, birth_date date, sex text,
    relation_to_head text
) ON COMMIT DROP;
"""


def _reference_stage(cursor, path: Path) -> None:
    """COPY the columns a comparison needs into a temporary table (the simplest staging)."""
    with open(path, newline="") as handle:
        header = next(csv.reader(handle))
    cursor.execute(_REFERENCE_COMPARE)
    cursor.execute(
        "CREATE TEMP TABLE ref_raw ({}) ON COMMIT DROP".format(
            ", ".join('"{}" text'.format(name) for name in header)
        )
    )
    with open(path, "rb") as handle:
        cursor.cursor.copy_expert("COPY ref_raw FROM STDIN WITH (FORMAT csv, HEADER)", handle)
    cursor.execute(
        "INSERT INTO ref_round SELECT dtks_id, village_code, address, floor_material, "
        "wall_material, roof_material, nullif(floor_area, '')::numeric, nik, name, "
        "birth_date::date, sex, relation_to_head FROM ref_raw"
    )
    cursor.execute("ANALYZE ref_round")


def _reference_compare(cursor) -> None:
    """New, changed, unchanged and absent households and people per village, in plain SQL."""
    cursor.execute(
        """
        CREATE TEMP TABLE ref_diff ON COMMIT DROP AS
        SELECT r.village_code, false AS person,
               CASE WHEN h.id IS NULL THEN 'new'
                    WHEN (h.address, h.floor_material, h.wall_material, h.roof_material,
                          h.floor_area)
                         IS DISTINCT FROM (r.address, r.floor_material, r.wall_material,
                                           r.roof_material, r.floor_area) THEN 'changed'
                    ELSE 'unchanged' END AS change, h.id AS household_id
        FROM ref_round r LEFT JOIN dtks_household h ON h.dtks_id = r.dtks_id
        WHERE r.relation_to_head = 'head'
        UNION ALL
        SELECT r.village_code, true,
               CASE WHEN i.id IS NULL THEN 'new'
                    WHEN (i.name, i.birth_date, i.sex, i.relation_to_head)
                         IS DISTINCT FROM (r.name, r.birth_date, r.sex, r.relation_to_head)
                    THEN 'changed' ELSE 'unchanged' END, NULL
        FROM ref_round r LEFT JOIN dtks_individual i ON i.nik = r.nik
        UNION ALL
        SELECT h.village_code, false, 'absent', h.id FROM dtks_household h
        WHERE h.status = 'active' AND h.dtks_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ref_round r WHERE r.dtks_id = h.dtks_id)
        UNION ALL
        SELECT h.village_code, true, 'absent', NULL FROM dtks_individual i
        JOIN dtks_household h ON h.id = i.household_id
        WHERE i.status = 'alive' AND NOT EXISTS (SELECT 1 FROM ref_round r WHERE r.nik = i.nik)
        """
    )
    cursor.execute("SELECT village_code, person, change, count(*) FROM ref_diff GROUP BY 1, 2, 3")
    cursor.fetchall()


def _reference_apply(cursor) -> None:
    """The same round applied in plain SQL: changed houses updated, absent households
    retired with their enrollments ended, one history row each."""
    cursor.execute(
        """
        WITH updated AS (
            UPDATE dtks_household h SET address = r.address, floor_material = r.floor_material,
                   wall_material = r.wall_material, roof_material = r.roof_material,
                   floor_area = r.floor_area, version = h.version + 1, updated_at = now()
            FROM ref_round r
            WHERE r.relation_to_head = 'head' AND h.dtks_id = r.dtks_id
              AND (h.address, h.floor_material, h.wall_material, h.roof_material, h.floor_area)
                  IS DISTINCT FROM (r.address, r.floor_material, r.wall_material,
                                    r.roof_material, r.floor_area)
            RETURNING h.id, h.version
        ), retired AS (
            UPDATE dtks_household h SET status = 'retired', version = h.version + 1,
                   updated_at = now()
            FROM ref_diff d WHERE d.change = 'absent' AND NOT d.person AND h.id = d.household_id
            RETURNING h.id, h.version
        ), ended AS (
            UPDATE dtks_enrollment e SET status = 'ended', ended_on = p.ends_on
            FROM dtks_programperiod p, retired r
            WHERE p.id = e.period_id AND e.household_id = r.id AND e.status <> 'ended'
        )
        INSERT INTO dtks_householdevent (household_id, kind, source, reason, changes, version,
                                         created_at)
        SELECT id, 'updated', 'import', 'reference', '{}'::jsonb, version, now()
        FROM (SELECT * FROM updated UNION ALL SELECT * FROM retired) changed
        """
    )


def bench_round(args) -> dict:
    """A registry round at the registry's size: the next extract (10% of the households
    changed, 5% gone) compared and applied, each beside plain SQL doing the same in one run:
    COPY and compare; COPY, compare and update (SILAKSO's apply reads the file again, days
    later, when the round is approved). The references validate nothing (no NIK, KK or code
    checks, no history beyond one row, no desil records); they run first and are rolled
    back; SILAKSO's apply commits."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import User
    from dtks import services
    from dtks.models import Household, Region

    source = DATA / "import-{}-{}.csv".format(args.individuals, args.seed)
    if not source.exists():
        write_files(args.individuals, args.seed)
    path, changed, gone = _round_file(source)
    manager = User.objects.get(username="bench.data")
    kabid, _created = User.objects.get_or_create(
        username="bench.kabid",
        defaults={
            "full_name": "Benchmark kabid",
            "role": "head_of_division",
            "region": Region.objects.get(code=REGION),
        },
    )
    # the plain SQL reference, rolled back
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        _reference_stage(cursor, path)
        _reference_compare(cursor)
        reference_compare = time.monotonic() - started
        _reference_apply(cursor)
        # from the file, as SILAKSO's apply (which reads the file again when approved)
        reference_apply = time.monotonic() - started
        transaction.set_rollback(True)
    log("round: compare")
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(path.name, handle.read(), content_type="text/csv")
    registry_round = services.round_start(
        upload=upload,
        name="Bench round",
        extract_date=timezone.localdate() - dt.timedelta(days=1),
        actor=manager,
    )
    del upload
    started = time.monotonic()
    services.round_compare_run(round_id=registry_round.pk, reporter=None)
    compare_s = time.monotonic() - started
    registry_round.refresh_from_db()
    services.round_propose(registry_round=registry_round, actor=manager)
    services.round_approve(registry_round=registry_round, actor=kabid)
    log("round: apply")
    started = time.monotonic()
    services.round_apply_run(round_id=registry_round.pk, reporter=None)
    apply_s = time.monotonic() - started
    registry_round.refresh_from_db()
    return {
        "round_households_changed_in_file": changed,
        "round_households_gone_in_file": gone,
        "round_households_retired": registry_round.counts.get("households_retired"),
        "round_status": registry_round.status,
        "round_compare_s": round(compare_s, 2),
        "round_compare_reference_s": round(reference_compare, 2),
        "round_compare_vs_sql": compare_s / reference_compare,
        "round_apply_s": round(apply_s, 2),
        "round_apply_reference_s": round(reference_apply, 2),
        "round_apply_vs_sql": apply_s / reference_apply,
        "round_retired_active_after": Household.objects.filter(status="retired").count(),
    }


TARGETS = {
    "import_vs_copy": ">= 0.8",
    "import_peak_rss_mb": "< 500",
    "desil_vs_sql": "<= 1.2",
    "dedup_precision": ">= 0.97",
    "dedup_recall": ">= 0.95",
    "dedup_precision_independent": ">= 0.97",
    "dedup_recall_independent": ">= 0.95",
    "dedup_false_flags_per_100k": "<= 20",
    "cek_vs_bare": ">= 1.0",
    "cek_p99_vs_bare": "<= 1.2",
    "cek_p99_ms": "<= 20",
    "search_p99_ms": "<= 300",
    "apply_form_p99_ms": "<= 150",
    "load_errors": "= 0",
    "round_compare_vs_sql": "<= 2",
    "round_apply_vs_sql": "<= 2",
    "dashboard_p99_ms": "<= 200",
    "summary_refresh_vs_groupby": "<= 1.5",
}


def print_table(results: dict) -> None:
    rows = [
        (
            "import rows/s (households + people)",
            "import_rows_per_s",
            "copy_rows_per_s",
            "import_vs_copy",
        ),
        ("import peak memory (MB)", "import_peak_rss_mb", None, None),
        ("re-import of the same file (s)", "reimport_s", None, None),
        ("desil job (s)", "desil_s", "desil_sql_reference_s", "desil_vs_sql"),
        ("fuzzy duplicates (s)", "dedup_s", "dedup_reference_s", None),
        ("  precision / recall", "dedup_precision", "dedup_recall", None),
        (
            "  independent city: precision / recall",
            "dedup_precision_independent",
            "dedup_recall_independent",
            None,
        ),
        ("  clean control: false flags per 100k", "dedup_false_flags_per_100k", None, None),
        ("cek bansos req/s", "cek_rps", "cek_reference_rps", "cek_vs_bare"),
        ("cek bansos p99 (ms)", "cek_p99_ms", "cek_reference_p99_ms", "cek_p99_vs_bare"),
        (
            "registry search req/s (16 conn.)",
            "search_rps",
            "search_reference_rps",
            "search_vs_reference",
        ),
        ("registry search p99 (ms)", "search_p99_ms", "search_reference_p99_ms", None),
        (
            "apply form req/s (16 conn.)",
            "apply_form_rps",
            "apply_form_reference_rps",
            "apply_form_vs_reference",
        ),
        ("apply form p99 (ms)", "apply_form_p99_ms", "apply_form_reference_p99_ms", None),
        ("load errors", "load_errors", None, None),
        (
            "round compare (s)",
            "round_compare_s",
            "round_compare_reference_s",
            "round_compare_vs_sql",
        ),
        ("round apply (s)", "round_apply_s", "round_apply_reference_s", "round_apply_vs_sql"),
        (
            "summary refresh (s)",
            "summary_refresh_s",
            "summary_groupby_reference_s",
            "summary_refresh_vs_groupby",
        ),
        ("dashboard p99 (ms, 8 conn.)", "dashboard_p99_ms", "dashboard_reference_p99_ms", None),
        ("dashboard req/s (8 conn.)", "dashboard_rps", "dashboard_reference_rps", None),
        ("map data p99 (ms, 8 conn.)", "map_data_p99_ms", "dashboard_reference_p99_ms", None),
    ]
    print(
        "SILAKSO benchmark, {:,} individuals ({})".format(
            results["individuals"], results["machine"]["cpu"]
        )
    )
    print(
        "{:<38} {:>14} {:>14} {:>10}  {}".format(
            "measure", "SILAKSO", "reference", "ratio", "target"
        )
    )
    for label, ours, ref, ratio in rows:
        if ours not in results:
            continue

        def show(key):
            value = results.get(key) if key else None
            return (
                ""
                if value is None
                else ("{:,.3f}".format(value) if value < 10 else "{:,.0f}".format(value))
            )

        target = TARGETS.get(ours, "") or TARGETS.get(ratio or "", "")
        print(
            "{:<38} {:>14} {:>14} {:>10}  {}".format(
                label, show(ours), show(ref), show(ratio), target
            )
        )


if __name__ == "__main__":
    main()
