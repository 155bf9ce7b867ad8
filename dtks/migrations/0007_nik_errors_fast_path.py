"""The NIK validator answers at once for the common case: a NIK that matches the recorded date
of birth and sex. Only other NIKs go through the part-by-part checks (same results; see
dtks/tests/test_sql_validators.py)."""

from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

PROVINCES = (
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 "
    "76 81 82 91 92 93 94 95 96"
).split()

FUNCTION = """
CREATE OR REPLACE FUNCTION silakso_nik_errors(nik text, birth date, sex text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        -- digits 7-12 are exactly the recorded birth date (day + 40 for women): the date is
        -- real and agrees with birth date and sex; only province, 00 codes and serial remain.
        WHEN birth IS NOT NULL AND sex IN ('male', 'female')
             AND length(nik) = 16
             AND substr(nik, 7, 6) =
                 lpad((extract(day FROM birth)::int
                       + CASE WHEN sex = 'female' THEN 40 ELSE 0 END)::text, 2, '0')
                 || lpad(extract(month FROM birth)::int::text, 2, '0')
                 || lpad((extract(year FROM birth)::int % 100)::text, 2, '0')
             AND substr(nik, 1, 2) = ANY (ARRAY[__PROVINCES__])
             AND substr(nik, 3, 2) <> '00' AND substr(nik, 5, 2) <> '00'
             AND substr(nik, 13, 4) <> '0000'
             AND nik ~ '^[0-9]{16}$'
            THEN ARRAY[]::text[]
        WHEN nik IS NULL OR nik !~ '^[0-9]{16}$' THEN ARRAY['format']
        ELSE array_remove(ARRAY[
            CASE WHEN substr(nik, 1, 2) <> ALL (ARRAY[__PROVINCES__]) THEN 'province' END,
            CASE WHEN substr(nik, 3, 2) = '00' OR substr(nik, 5, 2) = '00' THEN 'district' END,
            CASE WHEN NOT silakso_nik_date_valid(nik)
                      OR (birth IS NOT NULL AND (
                          silakso_nik_day(nik) <> extract(day FROM birth)::int
                          OR substr(nik, 9, 2)::int <> extract(month FROM birth)::int
                          OR substr(nik, 11, 2)::int <> extract(year FROM birth)::int % 100))
                 THEN 'birth_date' END,
            CASE WHEN substr(nik, 13, 4) = '0000' THEN 'serial' END,
            CASE WHEN sex IS NOT NULL AND silakso_nik_date_valid(nik)
                      AND sex <> CASE WHEN substr(nik, 7, 2)::int > 40 THEN 'female'
                                      ELSE 'male' END
                 THEN 'sex' END
        ], NULL)
    END
$$;
""".replace("__PROVINCES__", ", ".join("'{}'".format(code) for code in PROVINCES))


class Migration(migrations.Migration):
    dependencies = [("dtks", "0006_sql_validators")]

    operations = [PostgresOnlySQL(FUNCTION, migrations.RunSQL.noop)]
