"""`make bench` cannot rot: the harness runs end to end at a small size and reports every key."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REQUIRED = (
    "individuals",
    "import_rows_per_s",
    "copy_rows_per_s",
    "import_vs_copy",
    "import_peak_rss_mb",
    "desil_s",
    "desil_sql_reference_s",
    "desil_vs_sql",
    "dedup_s",
    "dedup_precision",
    "dedup_recall",
    "dedup_precision_independent",
    "dedup_recall_independent",
    "dedup_false_flags_per_100k",
)


def test_benchmark_harness_measures_everything_beside_its_reference(tmp_path):
    output = tmp_path / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    result = subprocess.run(
        [
            sys.executable,
            "benchmarks/run.py",
            "--individuals",
            "3000",
            "--database",
            "silakso_bench_ci",
            "--skip",
            "cek",
            "field",  # minutes on a throttled line; the field app has its own browser journey
            "--load-seconds",
            "1",
            "--evaluation-individuals",
            "3000",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(output.read_text())
    for key in REQUIRED:
        assert key in report, key
    assert report["individuals"] == 3000
    assert report["import_rejected"] == 0
    assert report["reimport_changed"] == 0  # importing the same file again changes nothing
    assert report["import_vs_copy"] > 0
    assert report["dedup_recall"] > 0.5
    # the independent city and its clean control ran in their own databases
    assert report["dedup_recall_independent"] > 0.5
    assert report["dedup_false_flags_per_100k"] >= 0
    assert "cpu" in report["machine"]
    # the load section ran against a real gunicorn: every page answered, figures recorded
    assert report["load_errors"] == 0
    for key in (
        "search_p99_ms",
        "apply_form_p99_ms",
        "search_reference_rps",
        "dashboard_p99_ms",
        "map_data_p99_ms",
        "summary_refresh_vs_groupby",
    ):
        assert report[key] > 0, key
    assert "import rows/s" in result.stdout
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "silakso_bench_ci"],
        check=False,
    )
