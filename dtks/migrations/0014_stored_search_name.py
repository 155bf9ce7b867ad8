from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):
    """The normalised name stored beside the name (a generated column), its trigram index
    replacing the expression index: a search no longer recomputes unaccent(lower(name)) for
    every candidate row, which was most of its cost."""

    dependencies = [("dtks", "0013_change_source_update_proposal")]

    operations = [
        PostgresOnlySQL(
            "ALTER TABLE dtks_individual ADD COLUMN IF NOT EXISTS name_search text "
            "GENERATED ALWAYS AS (silakso_unaccent(lower(name::text))) STORED;",
            "ALTER TABLE dtks_individual DROP COLUMN IF EXISTS name_search;",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS dtks_individual_name_search_trgm ON dtks_individual "
            "USING gin (name_search gin_trgm_ops);",
            "DROP INDEX IF EXISTS dtks_individual_name_search_trgm;",
        ),
        PostgresOnlySQL(
            "DROP INDEX IF EXISTS dtks_individual_name_trgm;",
            "CREATE INDEX IF NOT EXISTS dtks_individual_name_trgm ON dtks_individual "
            "USING gin (silakso_unaccent(lower(name)) gin_trgm_ops);",
        ),
    ]
