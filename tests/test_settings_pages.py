"""The office configures itself in the app (no superuser): every settings page works for the
roles that own it, refuses everyone else, explains bad input and keeps a history."""

import re

import pytest
from django.urls import reverse

from core.choices import Role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.SYSTEM_ADMIN, "19.04")


@pytest.fixture
def kabid(make_user):
    return make_user(Role.HEAD_OF_DIVISION, "19.04")


def test_settings_hub_lists_the_pages_of_each_role_and_refuses_others(
    client, login, admin, make_user, village_a
):
    login(client, admin)
    page = client.get(reverse("core:settings_home")).content.decode()
    for name in (
        "core:user_admin_list",
        "core:api_client_list",
        "core:agency_profile_edit",
        "complaints:sla_table",
        "referrals:provider_list",
        "referrals:letter_template_list",
    ):
        assert reverse(name) in page, name
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, operator)
    for name in (
        "core:settings_home",
        "core:agency_profile_edit",
        "complaints:sla_table",
        "referrals:letter_template_list",
        "referrals:provider_create",
    ):
        assert client.get(reverse(name)).status_code == 403, name


def test_agency_details_are_validated_audited_and_shown_to_residents(client, login, admin):
    login(client, admin)
    bad = client.post(
        reverse("core:agency_profile_edit"),
        {"name": "Dinas Sosial Kab. Bangka Tengah", "phone": "abc", "email": "nope"},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "0812 3456 7890" in body
    good = client.post(
        reverse("core:agency_profile_edit"),
        {
            "name": "Dinas Sosial Kab. Bangka Tengah",
            "address": "Jl. Titian Puspa No. 1, Koba",
            "phone": "0718 123 456",
            "opening_hours": "Senin–Kamis 08.00–15.30\nJumat 08.00–11.00",
        },
    )
    assert good.status_code == 302
    client.logout()
    front = client.get(reverse("core:home")).content.decode()
    assert "Jl. Titian Puspa No. 1, Koba" in front and "Jumat 08.00–11.00" in front
    event = AuditEvent.objects.get(object_type="core.agencyprofile")
    assert event.actor == admin and "address" in event.changes


def test_the_sms_complaint_village_is_one_of_the_installations_own(client, login, admin):
    """The choice offers the home regency's villages only (it once listed all 83,762 of the
    country: a 4 MB page), and a village of another regency is refused on its field."""
    from dtks.models import Region

    login(client, admin)
    page = client.get(reverse("core:agency_profile_edit"))
    own = Region.objects.filter(level=4, code__startswith="19.04.").count()
    select = re.search(r'<select name="message_village".*?</select>', page.content.decode(), re.S)
    assert select.group(0).count("<option") == own + 1  # and "---------"
    other = Region.objects.filter(level=4, code__startswith="19.01.").first()
    refused = client.post(
        reverse("core:agency_profile_edit"),
        {"name": "Dinas Sosial", "message_village": other.code},
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["message_village"]


def test_a_village_administrator_cannot_change_the_agency_details(client, login, make_user):
    login(client, make_user(Role.SYSTEM_ADMIN, "19.04.01"))
    assert client.get(reverse("core:agency_profile_edit")).status_code == 403


def test_sla_table_saves_changed_cells_with_a_history_and_refuses_zero(client, login, kabid):
    from complaints.services import sla_hours

    login(client, kabid)
    form = client.get(reverse("complaints:sla_table")).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    first = next(iter(data))
    category, status = first.split("__")
    before = data[first]
    refused = client.post(reverse("complaints:sla_table"), {**data, first: "0"})
    assert refused.status_code == 200 and sla_hours(category, status) == before
    saved = client.post(reverse("complaints:sla_table"), {**data, first: str(before + 24)})
    assert saved.status_code == 302
    assert sla_hours(category, status) == before + 24
    page = client.get(reverse("complaints:sla_table")).content.decode()
    assert "{} → {}".format(before, before + 24) in page


def test_administrator_adds_a_provider_a_service_and_its_account(client, login, admin):
    from core.services import user_create
    from referrals.models import Provider, provider_of

    login(client, admin)
    answer = client.post(
        reverse("referrals:provider_create"),
        {"name": "Dinas Kesehatan", "kind": "opd", "region": "19.04", "is_active": "on"},
    )
    provider = Provider.objects.get(name="Dinas Kesehatan")
    assert answer.status_code == 302
    client.post(
        reverse("referrals:provider_service_create", args=[provider.pk]),
        {
            "name": "Layanan JKN daerah",
            "domain": "health",
            "capacity_period": "month",
            "is_active": "on",
        },
    )
    assert provider.services.get().name == "Layanan JKN daerah"
    account = user_create(
        username="dinkes",
        full_name="Admin Dinkes",
        role=Role.PROVIDER_ADMIN,
        region=None,
        actor=None,
    )
    client.post(reverse("referrals:provider_edit", args=[provider.pk]), {"user": account.pk})
    assert provider_of(account) == provider
    page = client.get(reverse("referrals:provider_edit", args=[provider.pk])).content.decode()
    assert "Layanan JKN daerah" in page and "Admin Dinkes" in page


def test_letter_kind_text_and_signatory_go_on_letters_issued_afterwards(
    client, login, kabid, make_user, regions
):
    from referrals import services
    from referrals.models import Letter

    login(client, kabid)
    url = reverse("referrals:letter_template_edit", args=["lks"])
    bad = client.post(
        url, {"signatory_name": "Drs. H. Ahmad", "signatory_nip": "1234", "is_active": "on"}
    )
    assert "18" in bad.content.decode()
    good = client.post(
        url,
        {
            "opening": "Kepala Dinas Sosial menerangkan bahwa lembaga berikut terdaftar:",
            "signatory_name": "Drs. H. Ahmad",
            "signatory_position": "Kepala Dinas Sosial",
            "signatory_nip": "197001011990031001",
            "valid_days": "365",
            "is_active": "on",
        },
    )
    assert good.status_code == 302
    officer = make_user(Role.FRONT_OFFICE, "19.04")
    letter = services.letter_issue(
        kind="lks",
        region=regions.get(code="19.04"),
        recipient_name="LKS Harapan",
        actor=officer,
        details={"institution": "LKS Harapan", "institution_address": "Koba", "chairperson": "Ani"},
    )
    assert letter.details["signatory"]["nip"] == "197001011990031001"
    assert letter.valid_until is not None
    # switched off: nobody issues it
    client.post(url, {"signatory_name": "Drs. H. Ahmad", "signatory_nip": "197001011990031001"})
    with pytest.raises(Exception) as excinfo:
        services.letter_issue(
            kind="lks",
            region=regions.get(code="19.04"),
            recipient_name="LKS Lain",
            actor=officer,
            details={"institution": "LKS Lain", "institution_address": "Koba", "chairperson": "B"},
        )
    assert "kind" in excinfo.value.message_dict
    assert Letter.objects.count() == 1


def test_the_django_admin_is_for_superusers_and_read_only(client, login, admin, make_user):
    from django.contrib.auth import get_user_model

    from dtks.tests.factories import make_program

    program = make_program("pkh")
    staff = make_user(Role.SYSTEM_ADMIN, "19.04")
    get_user_model().objects.filter(pk=staff.pk).update(is_staff=True)
    staff.refresh_from_db()
    login(client, staff)
    assert client.get("/admin/").status_code in (302, 403)
    root = make_user(Role.SYSTEM_ADMIN, None)
    get_user_model().objects.filter(pk=root.pk).update(is_staff=True, is_superuser=True)
    root.refresh_from_db()
    login(client, root)
    url = "/admin/dtks/program/{}/change/".format(program.pk)
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"name": "Changed"}).status_code == 403
    assert client.get("/admin/dtks/program/add/").status_code == 403
    program.refresh_from_db()
    assert program.name == "PKH"


def test_another_regencys_administrators_neither_set_installation_settings_nor_see_its_partners(
    client, login, admin, make_user
):
    from core.apikeys import api_key_issue
    from core.webhooks import subscription_create

    partner = make_user(Role.API_CLIENT, "19.04")
    api_key_issue(client=partner, name="k", scopes=["referrals:read"], actor=admin)
    subscription, _secret = subscription_create(
        actor=admin, client=partner, url="https://8.8.8.8/hook", events=["referral.sent"]
    )
    for role in (Role.SYSTEM_ADMIN, Role.HEAD_OF_DIVISION):
        login(client, make_user(role, "19.01"))
        for name in (
            "core:agency_profile_edit",
            "complaints:sla_table",
            "referrals:letter_template_list",
        ):
            assert client.get(reverse(name)).status_code == 403, (role, name)
    login(client, make_user(Role.SYSTEM_ADMIN, "19.01"))
    assert client.get(reverse("core:webhook_subscriptions", args=[partner.pk])).status_code == 404
    stop = client.post(reverse("core:webhook_subscription_stop", args=[subscription.pk]))
    assert stop.status_code == 404
    subscription.refresh_from_db()
    assert subscription.is_active
