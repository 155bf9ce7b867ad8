"""The application runs on a database role that reads and writes rows and nothing more, and the
audit trail cannot be emptied, not even by the tables' owner."""

import io
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from core.choices import Role
from dtks.models import Household
from dtks.synthetic import write_import_file

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]


def _connect(user: str):
    settings = connection.settings_dict
    return psycopg2.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=user,
    )


def _refused(conn, sql: str) -> str:
    """Run ``sql`` and return PostgreSQL's refusal (the test fails if it is accepted)."""
    with conn.cursor() as cursor:
        try:
            cursor.execute(sql)
        except psycopg2.Error as exc:
            conn.rollback()
            return str(exc)
    conn.rollback()
    raise AssertionError("accepted: " + sql)


@pytest.fixture
def app_role():
    role = "silakso_app_test_{}".format(os.getpid())
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():  # left by a run that was killed
            cursor.execute("DROP OWNED BY {}".format(role))
            cursor.execute("DROP ROLE {}".format(role))
        cursor.execute("CREATE ROLE {} LOGIN".format(role))
    yield role
    with connection.cursor() as cursor:
        cursor.execute("DROP OWNED BY {}".format(role))
        cursor.execute("DROP ROLE {}".format(role))


def test_the_audit_trail_cannot_be_truncated_by_its_owner():
    owner = _connect(connection.settings_dict["USER"] or "postgres")
    try:
        refusal = _refused(owner, "TRUNCATE core_auditevent")
        assert "append-only" in refusal
    finally:
        owner.close()


def test_the_application_role_writes_rows_but_cannot_empty_alter_or_untrigger(
    app_role, regions, make_user, tmp_path
):
    call_command("grant_app_role", app_role, stdout=io.StringIO())
    app = _connect(app_role)
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM dtks_region")
            assert cursor.fetchone()[0] > 0
        for sql in (
            "TRUNCATE core_auditevent",
            "TRUNCATE dtks_household CASCADE",
            "UPDATE core_auditevent SET reason = 'rewritten'",
            "DELETE FROM core_auditevent",
            "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
            "DROP TABLE dtks_household CASCADE",
            "CREATE TABLE public.planted (x int)",
        ):
            assert "permission denied" in _refused(app, sql) or "owner" in _refused(app, sql), sql
    finally:
        app.close()

    # and the application itself works on that role: a registry import (staging tables,
    # COPY, set-based writes, the audit row) run as a separate process signed in as it
    manager = make_user(Role.DATA_MANAGER, "19.04", username="pengelola")
    extract = tmp_path / "dtks.csv"
    with open(extract, "w", newline="", encoding="utf-8") as handle:
        write_import_file(handle=handle, region_code="19.04.01", individuals=20, seed=5)
    settings = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "silakso.settings.test",
        "DATABASE_URL": "postgres://{}@{}:{}/{}".format(
            app_role, settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432, settings["NAME"]
        ),
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "import_registry", str(extract), "--user", manager.username],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert Household.objects.count() > 0
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(object_type="dtks.import", actor=manager).exists()
