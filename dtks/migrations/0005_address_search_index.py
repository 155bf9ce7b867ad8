from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):
    """Address search by substring, served by a trigram index at any registry size."""

    dependencies = [("dtks", "0004_name_search_index")]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS dtks_household_address_trgm ON dtks_household "
            "USING gin (silakso_unaccent(lower(address)) gin_trgm_ops);",
            "DROP INDEX IF EXISTS dtks_household_address_trgm;",
        ),
    ]
