"""The example client of docs/api.md runs, as an OPD's developer would run it, against a live
server: the first sync brings every household of its area, the second only what changed, and
a check of a CSV of NIKs tells who is in the area."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.choices import Role
from core.tests.factories import issue_key, make_user
from dtks import services
from dtks.tests.factories import make_household

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = Path(__file__).resolve().parents[1] / "docs" / "examples" / "opd_client.py"


def _run(tmp_path, *args) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(CLIENT), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO")},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_example_client_syncs_and_checks_a_list(live_server, regions, tmp_path):
    village = regions.get(code="19.04.01.1001")
    manager = make_user(Role.DATA_MANAGER, "19.04")
    homes = [make_household(village, manager, head_name="Warga {}".format(n)) for n in range(3)]
    key = issue_key(make_user(Role.API_CLIENT, "19.04"), scopes=["registry:read"]).key
    first = _run(tmp_path, "sync", live_server.url, key)
    assert {int(line.split()[0]) for line in first} == {h.pk for h in homes}
    services.household_update(
        household=homes[1], data={"address": "Jl. Baru"}, version=None, actor=manager, reason="x"
    )
    second = _run(tmp_path, "sync", live_server.url, key)
    assert [int(line.split()[0]) for line in second] == [homes[1].pk]
    listing = tmp_path / "penerima.csv"
    head = homes[0].members.get(relation_to_head="head")
    listing.write_text("nik,nama\n{},{}\n1904019999990001,Orang Lain\n".format(head.nik, head.name))
    checked = _run(tmp_path, "check", live_server.url, key, str(listing))
    assert checked[0].startswith(head.nik + " found") and "not in our area" in checked[1]
