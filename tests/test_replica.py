"""Heavy reads on a real PostgreSQL streaming replica (a primary and a replica cluster the
test starts itself, replica made by pg_basebackup), and the read-your-own-writes rule: an
officer who has just changed a household sees the change at once while another officer's
search reads the replica, held behind with pg_wal_replay_pause()."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from silakso.testing.processes import PostgresPair

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.worker


def test_searches_read_the_replica_and_a_writer_reads_their_own_write():
    pair = PostgresPair().start()
    try:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
             "silakso_replica"],
            check=True,
        )  # fmt: skip
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "silakso.settings.test",
            "DATABASE_URL": pair.url("silakso_replica"),
            "DATABASE_REPLICA_URL": pair.url("silakso_replica", replica=True),
            "SILAKSO_REPLICA_MAX_LAG_SECONDS": "3600",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        probe = subprocess.run(
            [sys.executable, "tests/replica_probe.py"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert probe.returncode == 0, probe.stderr[-3000:]
        seen = json.loads(probe.stdout.strip().splitlines()[-1])
    finally:
        pair.stop()
    assert seen["replicated"] and seen["write_status"] == 200
    # the officer who changed the address sees it at once, on this device and another
    assert seen["writer_pinned_cookie"] and seen["writer_sees_new"]
    assert seen["writer_other_device_sees_new"]
    # another officer's search read the replica, which had not applied the change yet
    assert seen["reader_sees_old"]
    # a replica too far behind is not read: everyone gets the primary's answer
    assert seen["lag_seen_s"] > 1 and seen["reader_sees_new_when_replica_lags"]
    # once replay resumes the replica has it too
    assert seen["caught_up"] and seen["reader_sees_new_after_catch_up"]
    # a replica that does not answer is skipped, the page still works
    assert seen["replica_down_status"] == 200 and seen["replica_down_sees_new"]
