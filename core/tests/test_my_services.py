"""Layanan saya: a signed-in resident sees their own requests, complaints and the programs
their household receives now, each where it stands and what comes next; never anyone else's."""

import datetime as dt

import pytest
from django.urls import reverse

from applications.tests.factories import household, program, submit
from complaints.tests.factories import complaint
from core.choices import Role
from dtks.models import Enrollment
from dtks.tests.factories import make_period

pytestmark = pytest.mark.django_db


def test_a_resident_sees_their_own_items_and_no_one_elses(client, login, make_user, village_a):
    mine = household(village_a, head_name="Siti Aminah")
    theirs = household(village_a, head_name="Rina Wati")
    head = mine.members.get(relation_to_head="head")
    aid = program("bpnt")
    my_request = submit(aid, mine)
    their_request = submit(aid, theirs)
    my_complaint = complaint(village_a, home=mine)
    their_complaint = complaint(village_a, home=theirs)
    period = make_period(aid, starts=dt.date(2020, 1, 1), ends=dt.date(2099, 12, 31))
    Enrollment.objects.create(
        program=aid,
        period=period,
        household=mine,
        status="active",
        source="import",
        started_on=dt.date(2020, 1, 1),
    )
    resident = make_user(Role.RESIDENT, nik=head.nik, full_name=head.name)
    login(client, resident)
    page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("applications:status", args=[my_request.code]) in page
    assert reverse("complaints:status", args=[my_complaint.code]) in page
    assert their_request.code not in page and their_complaint.code not in page
    # where it stands and what comes next, in plain words
    assert my_request.status == "awaiting_deliberation"  # the registry already agreed
    assert "Your data matches the register." in page
    assert "will discuss your request" in page
    assert "Programs my household receives now" in page and aid.name in page
    # every link opens for the resident
    assert client.get(reverse("applications:status", args=[my_request.code])).status_code == 200
    assert client.get(reverse("complaints:status", args=[my_complaint.code])).status_code == 200


def test_a_new_resident_is_told_what_they_can_do(client, login, make_user):
    login(client, make_user(Role.RESIDENT, nik="1904015508800001"))
    page = client.get(reverse("core:home")).content.decode()
    assert "Layanan saya" in page
    assert "Anda belum mengajukan bantuan secara daring." in page
    assert reverse("service_standard", args=["usulan-bantuan"]) in page


def test_referrals_for_them_or_their_household_and_their_letters_are_listed(
    client, login, make_user, village_a
):
    from dtks.tests.factories import add_member
    from referrals import services as referral_services
    from referrals.tests import factories as ref

    mine = household(village_a, head_name="Siti Aminah")
    head = mine.members.get(relation_to_head="head")
    sister = add_member(mine, name="Rina Aminah", relation="other")
    open_case = ref.case(village_a, home=mine)
    for_household = ref.referral(
        open_case, ref.service(ref.provider(), name="Bedah rumah", domain="housing")
    )
    for_sister = ref.referral(
        open_case, ref.service(ref.provider("RSUD"), name="Rawat jalan"), send=False
    )
    for_sister.individual = sister
    for_sister.save(update_fields=["individual"])
    officer = make_user(Role.FRONT_OFFICE, "19.04")
    referral_services.referral_send(referral=for_sister, actor=officer)
    letter = referral_services.letter_issue(
        kind="lkm_nik",
        region=village_a,
        recipient_name=head.name,
        recipient_nik=head.nik,
        details={"health_facility": "RSUD Koba", "purpose": "Rawat inap"},
        actor=officer,
    )
    login(client, make_user(Role.RESIDENT, nik=head.nik, full_name=head.name))
    page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bedah rumah" in page and for_household.provider.name in page
    assert "Rawat jalan" not in page  # the sister's own referral is hers
    assert reverse("referrals:letter_verify", args=[letter.token]) in page
    assert letter.number in page
