from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

#: The words of a stored normalised name, split as ``dtks.search.normalize_name`` splits them.
#: The index below and the search's queries use this exact expression.
NAME_WORDS = "regexp_split_to_array(name_search, '[^a-z0-9'']+')"


class Migration(migrations.Migration):
    """Name search by whole words: a dictionary of the words of registered names (kept by a
    statement trigger, one set operation per import or edit) and an index of each person's
    words. A typed word is first looked up among the few thousand distinct words (trigram
    index), then people are found by those words: no trigram recheck of tens of thousands of
    people who share a first name. JIT compilation is switched off for the database: it cost
    a search 12-25 ms of compiling for a query that runs in 30."""

    dependencies = [("dtks", "0017_pmt_weight_approval")]

    operations = [
        PostgresOnlySQL(
            # no unique key: two transactions adding the same new word never wait on each
            # other (an import holds its words uncommitted for minutes); a word listed twice
            # costs nothing
            "CREATE TABLE IF NOT EXISTS dtks_nameword (word text NOT NULL);"
            "CREATE INDEX IF NOT EXISTS dtks_nameword_word ON dtks_nameword USING hash (word);"
            "CREATE INDEX IF NOT EXISTS dtks_nameword_trgm ON dtks_nameword "
            "USING gin (word gin_trgm_ops);",
            "DROP TABLE IF EXISTS dtks_nameword;",
        ),
        PostgresOnlySQL(
            """
            CREATE OR REPLACE FUNCTION silakso_add_name_words() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO dtks_nameword (word)
                SELECT DISTINCT added.word
                FROM new_rows, unnest({added}) AS added(word)
                WHERE added.word <> ''
                  AND NOT EXISTS (SELECT 1 FROM dtks_nameword n WHERE n.word = added.word);
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS dtks_individual_name_words_insert ON dtks_individual;
            CREATE TRIGGER dtks_individual_name_words_insert AFTER INSERT ON dtks_individual
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION silakso_add_name_words();
            DROP TRIGGER IF EXISTS dtks_individual_name_words_update ON dtks_individual;
            CREATE TRIGGER dtks_individual_name_words_update AFTER UPDATE ON dtks_individual
                REFERENCING NEW TABLE AS new_rows
                FOR EACH STATEMENT EXECUTE FUNCTION silakso_add_name_words();
            INSERT INTO dtks_nameword (word)
                SELECT DISTINCT w FROM dtks_individual, unnest({words}) AS w WHERE w <> ''
                EXCEPT SELECT word FROM dtks_nameword;
            ANALYZE dtks_nameword;
            """.format(
                added=NAME_WORDS.replace("name_search", "new_rows.name_search"), words=NAME_WORDS
            ),
            "DROP TRIGGER IF EXISTS dtks_individual_name_words_insert ON dtks_individual;"
            "DROP TRIGGER IF EXISTS dtks_individual_name_words_update ON dtks_individual;"
            "DROP FUNCTION IF EXISTS silakso_add_name_words();",
        ),
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS dtks_individual_name_words ON dtks_individual "
            "USING gin (({}));".format(NAME_WORDS),
            "DROP INDEX IF EXISTS dtks_individual_name_words;",
        ),
        PostgresOnlySQL(
            # the owner of the database may change its defaults; another role keeps JIT
            """
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
            EXCEPTION WHEN insufficient_privilege THEN
                RAISE NOTICE 'jit stays as configured: not the owner of the database';
            END $$;
            """,
            """
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I RESET jit', current_database());
            EXCEPTION WHEN insufficient_privilege THEN NULL;
            END $$;
            """,
        ),
    ]
