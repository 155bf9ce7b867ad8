from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):
    """pg_trgm, unaccent and btree_gin for typo- and accent-tolerant search and fuzzy dedup."""

    dependencies = [("dtks", "0001_initial")]

    operations = [
        PostgresOnlySQL(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm; "
            "CREATE EXTENSION IF NOT EXISTS unaccent; "
            "CREATE EXTENSION IF NOT EXISTS btree_gin;",
            migrations.RunSQL.noop,
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS dtks_region_name_trgm ON dtks_region "
            "USING gin (name gin_trgm_ops);",
            "DROP INDEX IF EXISTS dtks_region_name_trgm;",
        ),
    ]
