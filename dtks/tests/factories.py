"""Test helpers for the registry: valid NIK/KK numbers and households made through services."""

import datetime as dt
import itertools

from core.choices import Role
from dtks.models import Household, Program, ProgramPeriod

_serial = itertools.count(1)


def nik_for(village_code: str, birth: dt.date, *, female: bool = False) -> str:
    """A valid NIK registered in the village's district, unique within the test run."""
    day = birth.day + 40 if female else birth.day
    return "{}{:02d}{:02d}{:02d}{:04d}".format(
        village_code.replace(".", "")[:6], day, birth.month, birth.year % 100, next(_serial)
    )


def kk_for(village_code: str) -> str:
    return "{}150320{:04d}".format(village_code.replace(".", "")[:6], next(_serial))


def person(
    village_code: str, *, name="Siti Rahayu", birth=dt.date(1985, 3, 12), female=True, **extra
) -> dict:
    return {
        "nik": nik_for(village_code, birth, female=female),
        "name": name,
        "birth_place": "Koba",
        "birth_date": birth,
        "sex": "female" if female else "male",
        "marital_status": "married",
        **extra,
    }


def make_household(village, actor=None, *, head_name="Ahmad Saputra", **data) -> Household:
    """A household registered through the service, with a male head born in 1980."""
    from core.tests.factories import make_user
    from dtks.services import household_create

    if actor is None:
        actor = make_user(Role.DATA_MANAGER, village.code[:5])
    return household_create(
        village=village,
        data={
            "address": data.pop("address", "Jl. Merdeka No. 5"),
            "rt": "001",
            "rw": "002",
            **data,
        },
        head=person(village.code, name=head_name, birth=dt.date(1980, 8, 15), female=False),
        kk_number=kk_for(village.code),
        reason="test",
        actor=actor,
    )


def make_program(
    code="pkh", *, funding="apbn", aid="cash", max_desil=4, region=None, target="household"
) -> Program:
    return Program.objects.create(
        code=code,
        name=code.upper(),
        description="d",
        funding_source=funding,
        aid_type=aid,
        max_desil=max_desil,
        region=region,
        target=target,
    )


def make_period(
    program, *, name="2026 Triwulan IV", starts=dt.date(2026, 10, 1), ends=dt.date(2026, 12, 31)
) -> ProgramPeriod:
    return ProgramPeriod.objects.create(program=program, name=name, starts_on=starts, ends_on=ends)


def add_member(household, name="Anak Satu", relation="child", *, birth=dt.date(2012, 5, 4)):
    """A member moving into ``household`` (through the service, by the regency data manager)."""
    from core.tests.factories import make_user
    from dtks.services import member_move_in

    return member_move_in(
        household=household,
        person=person(household.village_id, name=name, birth=birth, female=False),
        relation=relation,
        actor=make_user(Role.DATA_MANAGER, household.village_id[:5]),
        reason="test",
    )
