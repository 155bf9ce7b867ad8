"""The SQL validators used by bulk imports agree with the Python ones used everywhere else."""

import datetime as dt

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtks.nik import check_kk, check_nik

pytestmark = pytest.mark.django_db

digits = st.text(alphabet="0123456789", min_size=16, max_size=16)
plausible = st.builds(
    lambda prov, reg, day, month, yy, serial: "{}{}{:02d}{:02d}{:02d}{}".format(
        prov, reg, day, month, yy, serial
    ),
    st.sampled_from(["19", "32", "99", "00", "91"]),
    st.sampled_from(["0401", "0100", "0001", "7199"]),
    st.integers(0, 99),
    st.integers(0, 13),
    st.integers(0, 99),
    st.sampled_from(["0000", "0001", "1234"]),
)
births = st.one_of(
    st.none(), st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2025, 12, 31))
)
sexes = st.sampled_from([None, "male", "female"])


def _sql(function: str, *args):
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(args))
        cursor.execute("SELECT {}({})".format(function, placeholders), list(args))
        return set(cursor.fetchone()[0])


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nik=st.one_of(plausible, digits, st.text(max_size=18)), birth=births, sex=sexes)
def test_nik_rules_agree(nik, birth, sex):
    if "\x00" in nik:
        return
    python = (
        set(check_nik(nik, birth_date=birth, sex=sex).errors) if nik.isdigit() or not nik else None
    )
    sql = _sql("silakso_nik_errors", nik, birth, sex)
    if python is None:  # the importer strips separators first; anything else is a format error
        assert sql == {"format"}
    else:
        assert sql == python, nik


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kk=st.one_of(plausible, digits))
def test_kk_rules_agree(kk):
    assert _sql("silakso_kk_errors", kk) == set(check_kk(kk).errors)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        ("31-12-1999", dt.date(1999, 12, 31)),
        ("2023-02-29", None),
        ("1900-02-29", None),
        ("2000-02-29", dt.date(2000, 2, 29)),
        ("2024-13-01", None),
        ("12/31/2024", None),
        ("kemarin", None),
        ("", None),
    ],
)
def test_dates_in_import_files(value, expected):
    with connection.cursor() as cursor:
        cursor.execute("SELECT silakso_parse_date(%s)", [value])
        assert cursor.fetchone()[0] == expected
