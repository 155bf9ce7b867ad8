"""Run by tests/test_replica.py in a process of its own, against a primary and its streaming
replica that the test started (DATABASE_URL, DATABASE_REPLICA_URL): what two officers see in
the registry search while the replica is held behind, as JSON on stdout."""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "silakso.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from core.choices import Role  # noqa: E402
from core.tests.factories import login_with_second_factor, make_user  # noqa: E402
from dtks.models import Household, Region  # noqa: E402
from dtks.services import region_load_all  # noqa: E402
from dtks.tests.factories import make_household  # noqa: E402
from silakso import replicas  # noqa: E402


def on_replica(sql, params=()):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def replica_has(address: str) -> bool:
    return bool(on_replica("SELECT count(*) FROM dtks_household WHERE address = %s", [address])[0])


def wait(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def shows(client, text: str) -> bool:
    return text in client.get("/registri/", {"q": "Jl."}).content.decode()


region_load_all(within="19.04")
village = Region.objects.get(code="19.04.01.1001")
writer, reader = (make_user(Role.DATA_MANAGER, "19.04") for _ in range(2))
household = make_household(village, writer, head_name="Siti Rahayu", address="Jl. Lama 1")
alice = login_with_second_factor(Client(), writer)
bob = login_with_second_factor(Client(), reader)
result = {"replicated": wait(lambda: replica_has("Jl. Lama 1"))}
# the replica is held behind: it receives the primary's changes but does not apply them
on_replica("SELECT pg_wal_replay_pause()")
replicas.forget_lag()
version = Household.objects.get(pk=household.pk).version
answer = alice.patch(
    "/api/v1/households/{}/".format(household.pk),
    {"version": version, "reason": "alamat baru", "address": "Jl. Baru 2"},
    content_type="application/json",
)
result["write_status"] = answer.status_code
result["writer_pinned_cookie"] = replicas.PIN_COOKIE in answer.cookies
result["writer_sees_new"] = shows(alice, "Jl. Baru 2")
result["reader_sees_old"] = shows(bob, "Jl. Lama 1") and not shows(bob, "Jl. Baru 2")
# the writer on another device (no cookie): their account is pinned too
other_device = login_with_second_factor(Client(), writer)
result["writer_other_device_sees_new"] = shows(other_device, "Jl. Baru 2")
# the replica falls too far behind: everyone reads from the primary
settings.SILAKSO_REPLICA_MAX_LAG_SECONDS = 1
time.sleep(2.5)
replicas.forget_lag()
result["lag_seen_s"] = replicas.replica_lag()
result["reader_sees_new_when_replica_lags"] = shows(bob, "Jl. Baru 2")
settings.SILAKSO_REPLICA_MAX_LAG_SECONDS = 3600
# replay resumes: the reader's replica read catches up
on_replica("SELECT pg_wal_replay_resume()")
result["caught_up"] = wait(lambda: replica_has("Jl. Baru 2"))
replicas.forget_lag()
result["reader_sees_new_after_catch_up"] = shows(bob, "Jl. Baru 2")
# the replica stops answering: reads fall back to the primary, nothing fails
settings.DATABASES["replica"]["PORT"] = "1"
connections["replica"].close()
connections["replica"].settings_dict["PORT"] = "1"
replicas.forget_lag()
response = bob.get("/registri/", {"q": "Jl."})
result["replica_down_status"] = response.status_code
result["replica_down_sees_new"] = "Jl. Baru 2" in response.content.decode()
sys.stdout.write(json.dumps(result) + "\n")
