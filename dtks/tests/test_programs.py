"""Programs and enrollments: the double-dipping guard, recipient-list imports, ending."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.choices import Role
from dtks import services
from dtks.choices import EnrollmentStatus
from dtks.models import Enrollment
from dtks.services import DoubleDippingError
from dtks.tests.factories import make_household, make_period, make_program
from silakso.exceptions import DomainError, Forbidden
from silakso.sheets import read_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def household(village_a, manager):
    return make_household(village_a, manager)


@pytest.fixture
def bpnt(regions):
    program = make_program("bpnt", funding="apbn", aid="food")
    return program, make_period(program)


@pytest.fixture
def regional_food(regions):
    program = make_program(
        "sembako-daerah", funding="apbd_regency", aid="food", region=regions.get(code="19.04")
    )
    return program, make_period(
        program,
        name="Oktober–Desember 2026",
        starts=dt.date(2026, 11, 1),
        ends=dt.date(2026, 11, 30),
    )


def _enroll(program_period, household, actor, **extra):
    program, period = program_period
    return services.enrollment_create(
        program=program, period=period, household=household, actor=actor, **extra
    )


def test_same_aid_type_from_a_second_funder_is_refused_without_a_reason(
    household, manager, bpnt, regional_food
):
    # given a household that receives BPNT (food, APBN)
    _enroll(bpnt, household, manager)
    # when the regency's own food program (APBD) is added in an overlapping period
    with pytest.raises(DoubleDippingError) as excinfo:
        _enroll(regional_food, household, manager)
    # then it is refused, naming the program that already gives that aid
    assert "BPNT" in str(excinfo.value.message)
    assert "double_dip_reason" in excinfo.value.fields
    assert Enrollment.objects.filter(household=household).count() == 1


def test_second_funder_is_allowed_with_a_recorded_reason(household, manager, bpnt, regional_food):
    _enroll(bpnt, household, manager)
    enrollment = _enroll(
        regional_food,
        household,
        manager,
        double_dip_reason="Korban kebakaran, keputusan Kadis 12/2026",
    )
    assert enrollment.double_dip_reason.startswith("Korban kebakaran")
    assert household.events.filter(kind="enrolled").count() == 2


def test_different_aid_types_or_periods_do_not_clash(household, manager, bpnt, regions):
    _enroll(bpnt, household, manager)
    cash = make_program("blt-daerah", funding="apbd_regency", aid="cash")
    _enroll((cash, make_period(cash)), household, manager)
    later_food = make_program("sembako-2027", funding="csr", aid="food")
    _enroll(
        (
            later_food,
            make_period(
                later_food, name="2027", starts=dt.date(2027, 1, 1), ends=dt.date(2027, 3, 31)
            ),
        ),
        household,
        manager,
    )
    assert Enrollment.objects.filter(household=household).count() == 3


def test_enrolling_twice_in_one_period_is_refused(household, manager, bpnt):
    _enroll(bpnt, household, manager)
    with pytest.raises(DomainError) as excinfo:
        _enroll(bpnt, household, manager)
    assert excinfo.value.code == "already_enrolled"


def test_only_program_managers_enroll(household, make_user, village_a, bpnt):
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    with pytest.raises(Forbidden):
        _enroll(bpnt, household, operator)


def test_ending_an_enrollment_needs_a_reason_and_is_final(household, manager, bpnt):
    enrollment = _enroll(bpnt, household, manager)
    with pytest.raises(ValidationError, match=r"alasan|reason|Say"):
        services.enrollment_end(enrollment=enrollment, reason="", actor=manager)
    services.enrollment_end(enrollment=enrollment, reason="graduasi", actor=manager)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENDED
    with pytest.raises(DomainError):
        services.enrollment_end(enrollment=enrollment, reason="lagi", actor=manager)


def test_recipient_list_import_applies_good_rows_and_reports_the_rest(
    village_a, village_b, manager, bpnt, regional_food
):
    # given households in the registry, one of which already gets regional food aid
    first = make_household(village_a, manager, head_name="Satu")
    second = make_household(village_b, manager, head_name="Dua")
    _enroll(regional_food, second, manager)
    rows = read_rows(
        "nik;dtks_id\n{};\n{};\n3201011508950001;\n;\n".format(
            first.members.get().nik, second.members.get().nik
        ).encode("utf-8-sig")
    )
    # when the official BPNT list is imported
    _program, period = bpnt
    result = services.enrollments_import(period=period, rows=rows, actor=manager)
    # then the first is enrolled and every other row names its line and reason
    assert result["accepted"] == 1
    errors = {row["line"]: row["error"] for row in result["rejected"]}
    assert set(errors) == {3, 4, 5}
    assert "BPNT" not in errors[3] and ("sembako" in errors[3].lower() or "SEMBAKO" in errors[3])
    assert Enrollment.objects.filter(period=period).count() == 1


def test_csv_reader_accepts_excel_exports_and_refuses_binary():
    rows = read_rows("NIK,Reason\r\n1904011508800003,x\r\n".encode("cp1252"))
    assert rows == [{"nik": "1904011508800003", "reason": "x"}]
    with pytest.raises(DomainError):
        read_rows(b"PK\x03\x04\x00\x00binary")


def test_program_writes_stay_in_the_managers_area(make_user, regions, bpnt, regional_food):
    """A data manager changes the programs of their own regency only: not another regency's,
    not national ones, and never moves one out of their area."""
    from dtks.models import Program, ProgramPeriod

    bangka_manager = make_user(Role.DATA_MANAGER, "19.01")
    own, _period = regional_food
    national, national_period = bpnt
    # another regency's program: not renamed, not moved into the manager's regency
    foreign = Program.objects.get(pk=own.pk)
    foreign.name = "Diambil alih"
    with pytest.raises(Forbidden):
        services.program_save(program=foreign, actor=bangka_manager)
    foreign.region = regions.get(code="19.01")
    with pytest.raises(Forbidden):
        services.program_save(program=foreign, actor=bangka_manager)
    # a national program and its periods: the installation's administrators only
    national.name = "Diubah"
    with pytest.raises(Forbidden):
        services.program_save(program=national, actor=bangka_manager)
    national_period.name = "Diubah"
    with pytest.raises(Forbidden):
        services.program_period_save(period=national_period, actor=bangka_manager)
    assert Program.objects.get(pk=own.pk).name != "Diambil alih"
    assert Program.objects.get(pk=own.pk).region_id == "19.04"
    assert ProgramPeriod.objects.get(pk=national_period.pk).name != "Diubah"
    # its own regency's program it may change; it cannot move it to another regency
    koba_manager = make_user(Role.DATA_MANAGER, "19.04")
    mine = Program.objects.get(pk=own.pk)
    mine.name = "Sembako Bangka Tengah"
    services.program_save(program=mine, actor=koba_manager)
    mine.region = regions.get(code="19.01")
    with pytest.raises(Forbidden):
        services.program_save(program=mine, actor=koba_manager)
    # the installation's administrator changes national programs
    admin = make_user(Role.SYSTEM_ADMIN, None)
    national.name = "BPNT (Sembako)"
    services.program_save(program=national, actor=admin)
    assert Program.objects.get(pk=national.pk).name == "BPNT (Sembako)"
