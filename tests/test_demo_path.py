"""`make run` cannot rot: the zero-configuration path (SQLite, eager tasks) works end to end."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo_env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["DJANGO_SETTINGS_MODULE"] = "silakso.settings.local"
    env["SILAKSO_SQLITE_PATH"] = str(tmp_path / "demo.sqlite3")
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    return env


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_zero_configuration_demo_migrates_seeds_and_serves_every_role(demo_env):
    # when the demo is set up exactly as `make run` does it
    migrate = _manage(demo_env, "migrate", "--noinput", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    seed = _manage(demo_env, "seed_demo", "--individuals", "300")
    assert seed.returncode == 0, seed.stderr
    assert "silakso-demo" in seed.stdout
    again = _manage(demo_env, "seed_demo", "--individuals", "300")
    assert again.returncode == 0, again.stderr
    assert "Generating" not in again.stdout  # idempotent: nothing generated twice
    # then every demo account signs in and sees its own landing page
    check = subprocess.run(
        [sys.executable, "tests/demo_landing_check.py"],
        cwd=ROOT,
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    report = json.loads(check.stdout.strip().splitlines()[-1])
    assert report["database"].endswith("sqlite3")
    assert report["eager"] is True
    assert report["pages"]["anonymous"] == 200
    # a wrong address shows the site's own page, not Django's list of every URL pattern
    assert report["not_found"] == {"status": 404, "own_page": True}
    assert report["static"] == 200  # and the styles are served without DEBUG
    # the README's account table lists exactly the accounts the demo creates
    readme = (ROOT / "README.md").read_text()
    table = readme.split("| username | role | works in |")[1].split("\n\n")[0]
    listed_names = {
        name
        for line in table.splitlines()
        if line.startswith("| `")
        for name in re.findall(r"`([a-z.]+)`", line.split("|")[1])
    }
    assert listed_names == set(report["usernames"])
    roles = {name for name in report["pages"] if name != "anonymous"}
    assert len(roles) == 17
    for username, page in report["pages"].items():
        if username == "anonymous":
            continue
        if not page["active"]:
            # operator.baru waits for the village head: sign-in is refused, page is public
            assert username == "operator.baru"
            continue
        assert page["sign_in"] == 302, username
        assert page["status"] == 200, username
        assert page["role_shown"], username
        assert page["menu_broken"] == [], username
    # and the registry search forgives a typo even on SQLite
    assert report["search"]["found"], report["search"]
    # and a background job ran inline, without Redis or a worker
    assert report["job"]["status"] == "succeeded"
    assert report["job"]["result"]["counts"]["villages"] == 83762
