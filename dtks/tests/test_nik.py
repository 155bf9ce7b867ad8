"""NIK and KK rules, with property-based tests over generated numbers."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtks.nik import check_kk, check_nik, mask_nik

DISTRICTS = ["190401", "190402", "320101", "317407"]


def make_nik(district: str, birth: dt.date, female: bool, serial: int) -> str:
    day = birth.day + 40 if female else birth.day
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2024, 12, 31))


@given(
    district=st.sampled_from(DISTRICTS),
    birth=births,
    female=st.booleans(),
    serial=st.integers(1, 9999),
)
def test_any_well_formed_nik_is_valid_and_decodes_birth_date_and_sex(
    district, birth, female, serial
):
    nik = make_nik(district, birth, female, serial)
    check = check_nik(nik, birth_date=birth, sex="female" if female else "male")
    assert check.valid, check.errors
    assert check.sex == ("female" if female else "male")
    assert (check.birth_date.day, check.birth_date.month) == (birth.day, birth.month)


@given(district=st.sampled_from(DISTRICTS), birth=births, female=st.booleans())
def test_serial_0000_is_always_refused(district, birth, female):
    check = check_nik(make_nik(district, birth, female, 0))
    assert set(check.errors) == {"serial"}


@given(
    district=st.sampled_from(DISTRICTS),
    birth=births,
    female=st.booleans(),
    serial=st.integers(1, 9999),
)
def test_nik_of_a_woman_recorded_as_a_man_is_refused(district, birth, female, serial):
    nik = make_nik(district, birth, female, serial)
    check = check_nik(nik, sex="male" if female else "female")
    assert "sex" in check.errors


@given(
    digits=st.text(alphabet="0123456789", min_size=1, max_size=30).filter(lambda s: len(s) != 16)
)
def test_wrong_length_is_a_format_error_naming_the_count(digits):
    check = check_nik(digits)
    assert set(check.errors) == {"format"}
    assert str(len(digits)) in check.errors["format"]


@pytest.mark.parametrize(
    ("nik", "part"),
    [
        ("3174073102950001", "birth_date"),  # 31 February
        ("9999011508950001", "province"),
        ("3200001508950001", "district"),
        ("3201011513950001", "birth_date"),  # month 13
    ],
)
def test_each_wrong_part_is_named(nik, part):
    assert part in check_nik(nik).errors


def test_birth_date_disagreeing_with_nik_is_refused():
    check = check_nik("3201011508950001", birth_date=dt.date(1995, 8, 16))
    assert "birth_date" in check.errors
    assert "15-08-95" in check.errors["birth_date"]


def test_district_code_of_a_split_region_is_only_a_warning():
    # 91.71 (Kota Jayapura) keeps older district codes that the 2025 list no longer has
    nik = make_nik("917199", dt.date(1990, 1, 2), False, 12)
    check = check_nik(nik)
    assert check.valid
    assert "district" in check.warnings


def test_typed_separators_are_ignored():
    assert check_nik("3201 0115 0895 0001").valid
    assert check_nik("3201.0115.0895.0001").number == "3201011508950001"


def test_kk_numbers():
    assert check_kk("1904011203150004").valid
    assert "format" in check_kk("12345").errors
    assert "province" in check_kk("9904011203150004").errors
    assert "serial" in check_kk("1904011203150000").errors
    assert "district" in check_kk("1904991203150004").warnings


def test_mask_nik_keeps_region_and_last_two_digits():
    assert mask_nik("1904011508950012") == "************0012"
    assert mask_nik("") == ""
