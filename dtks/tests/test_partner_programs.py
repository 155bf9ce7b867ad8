"""A partner OPD's program manager keeps the recipients of its own program: enroll by NIK +
name, end, import a list; meets the double-dipping guard; sees nothing else of the registry."""

import datetime as dt

import pytest
from django.urls import reverse

from core.choices import Role
from dtks import services
from dtks.models import Enrollment, Individual
from dtks.services import DoubleDippingError
from dtks.tests.factories import make_household, make_period, make_program
from silakso.exceptions import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def dinsos(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def opd(make_user):
    """Dinas Pendidikan's program manager of the home regency."""
    return make_user(Role.PROGRAM_MANAGER, "19.04", full_name="Pengelola PIP Daerah")


@pytest.fixture
def scholarship(regions, opd, dinsos):
    program = make_program(
        "beasiswa-daerah", funding="apbd_regency", aid="education", region=regions.get(code="19.04")
    )
    services.program_save(program=program, actor=dinsos, managers=[opd])
    return program, make_period(program)


@pytest.fixture
def households(village_a, village_b, dinsos):
    return (
        make_household(village_a, dinsos, head_name="Siti Rahayu"),
        make_household(village_b, dinsos, head_name="Budi Santoso"),
    )


def _head(household):
    return Individual.objects.get(household=household, relation_to_head="head")


def test_program_manager_enrolls_by_nik_and_name_and_a_wrong_name_is_refused(
    scholarship, households, opd
):
    program, period = scholarship
    siti = _head(households[0])
    enrollment = services.enrollment_create_by_nik(
        program=program, period=period, nik=siti.nik, name="siti  rahayu", actor=opd
    )
    assert enrollment.household == households[0]
    # the NIK of another person's name is refused with the same answer as an unknown NIK
    budi = _head(households[1])
    with pytest.raises(Exception) as wrong_name:
        services.enrollment_create_by_nik(
            program=program, period=period, nik=budi.nik, name="Siti Rahayu", actor=opd
        )
    with pytest.raises(Exception) as unknown:
        services.enrollment_create_by_nik(
            program=program, period=period, nik="1904014101900099", name="Siti Rahayu", actor=opd
        )
    assert wrong_name.value.message_dict == unknown.value.message_dict
    assert Enrollment.objects.filter(period=period).count() == 1


def test_program_manager_cannot_touch_another_program_or_another_regency(
    scholarship, households, opd, regions, dinsos
):
    bpnt = make_program("bpnt", funding="apbn", aid="food")
    bpnt_period = make_period(bpnt)
    siti = _head(households[0])
    with pytest.raises(Forbidden):
        services.enrollment_create_by_nik(
            program=bpnt, period=bpnt_period, nik=siti.nik, name=siti.name, actor=opd
        )
    # a person of the other regency is "not found", as if unknown
    other_village = regions.filter(code__startswith="19.01.", level=4).first()
    stranger = _head(make_household(other_village, head_name="Dewi Lestari"))
    program, period = scholarship
    with pytest.raises(Exception) as excinfo:
        services.enrollment_create_by_nik(
            program=program, period=period, nik=stranger.nik, name=stranger.name, actor=opd
        )
    assert "nik" in excinfo.value.message_dict


def test_the_guard_catches_an_overlap_with_another_funder_and_the_manager_sees_it(
    scholarship, households, opd, dinsos, client, login
):
    program, period = scholarship
    pip = make_program("pip", funding="apbn", aid="education")
    pip_period = make_period(pip)
    services.enrollment_create(
        program=pip, period=pip_period, household=households[0], actor=dinsos
    )
    siti = _head(households[0])
    with pytest.raises(DoubleDippingError):
        services.enrollment_create_by_nik(
            program=program, period=period, nik=siti.nik, name=siti.name, actor=opd
        )
    services.enrollment_create_by_nik(
        program=program,
        period=period,
        nik=siti.nik,
        name=siti.name,
        actor=opd,
        double_dip_reason="Siswa berprestasi, SK Kadis 4/2026",
    )
    login(client, opd)
    page = client.get(reverse("dtks:period_detail", args=[period.pk])).content.decode()
    assert "PIP" in page and "Siswa berprestasi" in page
    # the recipient is shown masked, never with a link into the registry
    assert "SI** RA****" in page
    assert siti.name.upper() not in page.upper().replace("SI** RA****", "")
    assert reverse("dtks:household_detail", args=[households[0].pk]) not in page


def test_program_manager_sees_nothing_else_of_the_registry(
    scholarship, households, opd, client, login
):
    login(client, opd)
    assert client.get(reverse("dtks:household_list")).status_code == 403
    assert client.get(reverse("dtks:household_detail", args=[households[0].pk])).status_code in (
        403,
        404,
    )
    listing = client.get(reverse("dtks:program_list")).content.decode()
    assert "BEASISWA-DAERAH" in listing
    bpnt = make_program("bpnt", funding="apbn", aid="food")
    assert client.get(reverse("dtks:program_detail", args=[bpnt.pk])).status_code == 404
    assert client.get(reverse("dtks:program_create")).status_code == 403


def test_program_manager_enrolls_and_ends_through_the_pages(
    scholarship, households, opd, client, login
):
    _program, period = scholarship
    budi = _head(households[1])
    login(client, opd)
    answer = client.post(
        reverse("dtks:recipient_add", args=[period.pk]), {"nik": budi.nik, "name": "Budi"}
    )
    assert answer.status_code == 400
    assert (
        "Tidak ada anggota" in answer.content.decode()
        or "No living member" in answer.content.decode()
    )
    answer = client.post(
        reverse("dtks:recipient_add", args=[period.pk]), {"nik": budi.nik, "name": budi.name}
    )
    assert answer.status_code == 302
    enrollment = Enrollment.objects.get(period=period, household=households[1])
    answer = client.post(
        reverse("dtks:enrollment_end", args=[enrollment.pk]), {"reason": "Lulus sekolah"}
    )
    assert answer.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "ended" and enrollment.end_reason == "Lulus sekolah"


def test_recipient_import_by_a_program_manager_checks_each_name(scholarship, households, opd):
    _program, period = scholarship
    siti, budi = _head(households[0]), _head(households[1])
    rows = [
        {"nik": siti.nik, "name": siti.name},
        {"nik": budi.nik, "name": "Orang Lain"},
        {"nik": budi.nik, "name": ""},
    ]
    result = services.enrollments_import(period=period, rows=rows, actor=opd)
    assert result["accepted"] == 1
    assert [row["line"] for row in result["rejected"]] == [3, 4]
    assert Enrollment.objects.filter(period=period).count() == 1


def test_only_program_manager_accounts_of_the_area_can_be_named(scholarship, dinsos, make_user):
    program, _period = scholarship
    operator = make_user(Role.VILLAGE_OPERATOR, "19.04.01.1001")
    outsider = make_user(Role.PROGRAM_MANAGER, "19.01")
    for wrong in (operator, outsider):
        with pytest.raises(Exception) as excinfo:
            services.program_save(program=program, actor=dinsos, managers=[wrong])
        assert "managers" in excinfo.value.message_dict


def test_data_manager_creates_a_program_and_a_period_in_the_app_with_a_history(
    regions, dinsos, opd, client, login
):
    login(client, dinsos)
    answer = client.post(
        reverse("dtks:program_create"),
        {
            "code": "bantuan-lansia",
            "name": "Bantuan Lansia Daerah",
            "description": "Uang tunai untuk lansia.",
            "funding_source": "apbd_regency",
            "aid_type": "cash",
            "target": "household",
            "max_desil": "5",
            "region": "19.04",
            "managers": [opd.pk],
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    from dtks.models import Program

    program = Program.objects.get(code="bantuan-lansia")
    assert list(program.managers.all()) == [opd]
    # a bad period: it ends before it starts; the message names the problem
    bad = client.post(
        reverse("dtks:period_create", args=[program.pk]),
        {"name": "2027 I", "starts_on": "2027-03-31", "ends_on": "2027-01-01"},
    )
    assert bad.status_code == 200
    good = client.post(
        reverse("dtks:period_create", args=[program.pk]),
        {"name": "2027 I", "starts_on": "2027-01-01", "ends_on": "2027-03-31", "quota": "120"},
    )
    assert good.status_code == 302
    period = program.periods.get()
    client.post(
        reverse("dtks:period_edit", args=[period.pk]),
        {"name": "2027 I", "starts_on": "2027-01-01", "ends_on": "2027-03-31", "quota": "150"},
    )
    page = client.get(reverse("dtks:period_edit", args=[period.pk])).content.decode()
    assert "120 → 150" in page
    assert dt.date(2027, 1, 1) == program.periods.get().starts_on
