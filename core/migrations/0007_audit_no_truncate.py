from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

FORBID = """
CREATE OR REPLACE FUNCTION core_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    -- A database administrator who really must empty the trail (a test database, a restore)
    -- says so for the session: SET silakso.allow_truncate = 'on'.
    IF coalesce(current_setting('silakso.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_no_truncate();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_no_truncate();
"""


class Migration(migrations.Migration):
    """TRUNCATE of the audit trail is refused too (row triggers do not see it)."""

    dependencies = [("core", "0006_superuser_is_staff_admin")]

    operations = [PostgresOnlySQL(FORBID, ALLOW)]
