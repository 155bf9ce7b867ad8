from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

FUNCTION = """
CREATE OR REPLACE FUNCTION silakso_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
"""


class Migration(migrations.Migration):
    """Typo- and accent-tolerant name search: a trigram index on unaccented lower-case names."""

    dependencies = [("dtks", "0003_registry_history_programs")]

    operations = [
        PostgresOnlySQL(FUNCTION, "DROP FUNCTION IF EXISTS silakso_unaccent(text);"),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS dtks_individual_name_trgm ON dtks_individual "
            "USING gin (silakso_unaccent(lower(name)) gin_trgm_ops);",
            "DROP INDEX IF EXISTS dtks_individual_name_trgm;",
        ),
    ]
