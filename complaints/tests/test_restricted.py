"""Misuse reports: a restricted queue the reported village cannot see, the reporter hidden from
everyone but the officer in charge, and anonymous reports followed with a secret word."""

import pytest
from django.urls import reverse

from complaints import selectors, services
from complaints.choices import ComplaintStatus as C
from complaints.tests.factories import complaint, misuse_report
from core.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(village_a):
    return misuse_report(
        village_a, anonymous=False, nik="", name="Pelapor Rahasia", phone="081299998888"
    )


def test_misuse_reports_skip_the_village_and_are_restricted(report):
    created, _secret = report
    assert created.is_restricted is True
    assert created.status == C.IN_REVIEW


@pytest.mark.parametrize("role", [Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD])
def test_the_reported_village_never_sees_the_report(
    client, login, make_user, village_a, report, role
):
    created, _secret = report
    ordinary = complaint(village_a)
    staff = make_user(role, village_a.code)
    assert list(selectors.complaint_list(user=staff)) == [ordinary]
    login(client, staff)
    assert client.get(reverse("complaints:complaint_detail", args=[created.pk])).status_code == 404
    assert client.get(f"/api/v1/complaints/{created.pk}/").status_code == 404
    assert created.code not in client.get(reverse("complaints:complaint_list")).content.decode()


def test_the_supervisor_and_partner_systems_do_not_see_it_either(make_user, village_a, report):
    created, _secret = report
    for user in (
        make_user(Role.SUPERVISOR, village_a.code[:8]),
        make_user(Role.API_CLIENT, "19.04"),
        make_user(Role.REGENT_OFFICE, "19.04"),
    ):
        assert not selectors.complaint_list(user=user).filter(pk=created.pk).exists()


def test_only_the_officer_in_charge_sees_who_reported(client, login, make_user, report):
    created, _secret = report
    front = make_user(Role.FRONT_OFFICE, "19.04")
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    login(client, kabid)
    page = client.get(reverse("complaints:complaint_detail", args=[created.pk])).content.decode()
    assert "Pelapor Rahasia" not in page and "081299998888" not in page
    api = client.get(f"/api/v1/complaints/{created.pk}/").json()
    assert api["complainant_name"] is None
    services.complaint_take(complaint=created, actor=front)
    login(client, front)
    page = client.get(reverse("complaints:complaint_detail", args=[created.pk])).content.decode()
    assert "Pelapor Rahasia" in page
    login(client, kabid)
    assert (
        "Pelapor Rahasia"
        not in client.get(
            reverse("complaints:complaint_detail", args=[created.pk])
        ).content.decode()
    )


def test_an_anonymous_report_is_followed_with_its_secret_word(client, village_a):
    created, secret = misuse_report(village_a, anonymous=True)
    assert created.complainant_nik == "" and created.anonymous is True
    assert secret and created.secret_hash and secret not in created.secret_hash
    url = reverse("complaints:track")
    wrong = client.post(url, {"code": created.code, "secret": "WRONG123"})
    unknown = client.post(url, {"code": "P-AAAA-BBBB", "secret": secret})
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    right = client.post(url, {"code": created.code, "secret": secret.lower()})
    assert right.status_code == 302
    page = client.get(right["Location"]).content.decode()
    assert created.code in page
    # the whistle-blower is told where the report really went: not to the village
    assert "langsung ke Dinas Sosial" in page
    assert "Puskesos" not in page.split('data-testid="steps"')[1].split("</ol>")[0]


def test_only_misuse_reports_may_be_anonymous(village_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.complaint_submit(
            category="health",
            description="Puskesmas menolak kartu KIS saya kemarin.",
            village=village_a,
            channel="online",
            actor=None,
            anonymous=True,
            complainant={},
        )
    assert {"nik", "name"} <= set(refused.value.message_dict)
