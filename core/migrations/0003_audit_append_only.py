from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

FORBID = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditevent_no_update
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent;
DROP FUNCTION IF EXISTS core_auditevent_append_only();
"""


class Migration(migrations.Migration):
    """The database itself refuses UPDATE and DELETE of audit events (TRUNCATE needs the owner)."""

    dependencies = [("core", "0002_user_region_and_actors")]

    operations = [PostgresOnlySQL(FORBID, ALLOW)]
