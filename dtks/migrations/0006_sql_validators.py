"""SQL twins of dtks/nik.py for set-based bulk imports.

A million-row import cannot afford a Python call per row; these functions apply the same rules
inside PostgreSQL. `dtks/tests/test_sql_validators.py` checks with property tests that they
agree with the Python validator on every kind of NIK and KK number.
"""

from django.db import migrations

from silakso.migration_operations import PostgresOnlySQL

PROVINCES = (
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 "
    "76 81 82 91 92 93 94 95 96"
).split()

FUNCTIONS = """
-- Written without nested function calls so PostgreSQL inlines them into the import query
-- (a called SQL function costs microseconds per row; inlined it is nearly free).
CREATE OR REPLACE FUNCTION silakso_parse_date(value text) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN value ~ '^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{2}$'
             AND substr(value, 9, 2)::int >= 1
             AND substr(value, 9, 2)::int <= (ARRAY[31,29,31,30,31,30,31,31,30,31,30,31])[
                 substr(value, 6, 2)::int]
             AND NOT (substr(value, 6, 5) = '02-29' AND NOT (
                 substr(value, 1, 4)::int % 4 = 0
                 AND (substr(value, 1, 4)::int % 100 <> 0 OR substr(value, 1, 4)::int % 400 = 0)))
            THEN make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int,
                           substr(value, 9, 2)::int)
        WHEN value ~ '^[0-9]{2}[-/](0[1-9]|1[0-2])[-/][0-9]{4}$'
             AND substr(value, 1, 2)::int >= 1
             AND substr(value, 1, 2)::int <= (ARRAY[31,29,31,30,31,30,31,31,30,31,30,31])[
                 substr(value, 4, 2)::int]
             AND NOT (substr(value, 1, 2) = '29' AND substr(value, 4, 2) = '02' AND NOT (
                 substr(value, 7, 4)::int % 4 = 0
                 AND (substr(value, 7, 4)::int % 100 <> 0 OR substr(value, 7, 4)::int % 400 = 0)))
            THEN make_date(substr(value, 7, 4)::int, substr(value, 4, 2)::int,
                           substr(value, 1, 2)::int)
    END
$$;

-- Day of birth encoded in a NIK (40 is added for women).
CREATE OR REPLACE FUNCTION silakso_nik_day(nik text) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN substr(nik, 7, 2)::int > 40 THEN substr(nik, 7, 2)::int - 40
                ELSE substr(nik, 7, 2)::int END
$$;

-- Whether digits 7-12 are a real date. The century follows lokal-id (two-digit years up to
-- this year are 20yy), which for leap years reduces to "yy divisible by 4" (2000 was a leap
-- year, 1900 is never reached by a yy of 00).
CREATE OR REPLACE FUNCTION silakso_nik_date_valid(nik text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        substr(nik, 9, 2) BETWEEN '01' AND '12'
        AND silakso_nik_day(nik) >= 1
        AND silakso_nik_day(nik) <= (ARRAY[31,29,31,30,31,30,31,31,30,31,30,31])[
            substr(nik, 9, 2)::int]
        AND NOT (substr(nik, 9, 2) = '02' AND silakso_nik_day(nik) = 29
                 AND substr(nik, 11, 2)::int % 4 <> 0),
        false)
$$;

-- The same rules as dtks.nik.check_nik: format, province, 00 parts, a real DDMMYY date, serial
-- not 0000, and agreement with the recorded birth date (DDMMYY) and sex. Returns failing parts.
CREATE OR REPLACE FUNCTION silakso_nik_errors(nik text, birth date, sex text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nik IS NULL OR nik !~ '^[0-9]{16}$' THEN ARRAY['format'] ELSE
        array_remove(ARRAY[
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

CREATE OR REPLACE FUNCTION silakso_kk_errors(kk text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN kk IS NULL OR kk !~ '^[0-9]{16}$' THEN ARRAY['format']
        WHEN substr(kk, 1, 2) <> ALL (ARRAY[__PROVINCES__]) THEN ARRAY['province']
        WHEN substr(kk, 3, 2) = '00' OR substr(kk, 5, 2) = '00' THEN ARRAY['district']
        WHEN substr(kk, 13, 4) = '0000' THEN ARRAY['serial']
        ELSE ARRAY[]::text[]
    END
$$;
""".replace("__PROVINCES__", ", ".join("'{}'".format(code) for code in PROVINCES))

DROP = """
DROP FUNCTION IF EXISTS silakso_kk_errors(text);
DROP FUNCTION IF EXISTS silakso_nik_errors(text, date, text);
DROP FUNCTION IF EXISTS silakso_nik_date_valid(text);
DROP FUNCTION IF EXISTS silakso_nik_day(text);
DROP FUNCTION IF EXISTS silakso_parse_date(text);
"""


class Migration(migrations.Migration):
    dependencies = [("dtks", "0005_address_search_index")]

    operations = [PostgresOnlySQL(FUNCTIONS, DROP)]
