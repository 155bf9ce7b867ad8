"""A regency's system administrator runs its accounts in the app, without a superuser: makes an
account inside the regency, hands over a password link and an authenticator set-up code,
changes role and area, deactivates and reactivates; never their own account, never outside
their area; every step in the audit trail."""

import re

import pytest
from django.urls import reverse

from core.choices import AuditAction, Role
from core.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.SYSTEM_ADMIN, "19.04")


def test_an_administrator_onboards_a_verifier_who_then_signs_in(client, login, admin):
    login(client, admin)
    made = client.post(
        reverse("core:user_admin_create"),
        {
            "username": "verifikator.baru",
            "full_name": "Verifikator Baru",
            "role": Role.VERIFIER,
            "region": "19.04",
            "phone": "081234567890",
        },
    )
    person = User.objects.get(username="verifikator.baru")
    assert made.url == reverse("core:user_admin_detail", args=[person.pk])
    assert person.role == Role.VERIFIER and not person.has_usable_password()
    # a password link, handed over in person
    shown = client.post(reverse("core:user_admin_password_link", args=[person.pk]))
    link = re.search(r"https?://[^<\s]+/akun/sandi-baru/[^<\s]+/", shown.content.decode()).group(0)
    newcomer = type(client)()
    form_page = newcomer.get(link, follow=True)
    assert form_page.context["validlink"] is True
    newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "sawah hijau di koba", "new_password2": "sawah hijau di koba"},
    )
    person.refresh_from_db()
    assert person.check_password("sawah hijau di koba")
    # the link works once
    again = type(client)().get(link, follow=True)
    assert again.context["validlink"] is False
    # an authenticator set-up code needs a reason and is shown once
    assert client.post(reverse("core:user_admin_setup_code", args=[person.pk])).status_code == 302
    code_page = client.post(
        reverse("core:user_admin_setup_code", args=[person.pk]), {"reason": "akun baru"}
    )
    assert re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", code_page.content.decode())
    # every step is in the audit trail
    events = AuditEvent.objects.filter(object_id=str(person.pk), actor=admin)
    assert {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.TWO_FACTOR} <= set(
        events.values_list("action", flat=True)
    )


def test_role_and_area_change_stays_inside_the_administrators_area(client, login, admin, make_user):
    officer = make_user(Role.VERIFIER, "19.04")
    login(client, admin)
    url = reverse("core:user_admin_detail", args=[officer.pk])
    moved = client.post(url, {"role": Role.SUPERVISOR, "region": "19.04.01", "reason": "mutasi"})
    assert moved.status_code == 302
    officer.refresh_from_db()
    assert (officer.role, officer.region_id) == (Role.SUPERVISOR, "19.04.01")
    # another regency, or no area at all, is refused with the field named
    for region in ("19.01", ""):
        refused = client.post(url, {"role": Role.VERIFIER, "region": region, "reason": "x"})
        assert refused.status_code == 200 and "region" in refused.context["form"].errors
    officer.refresh_from_db()
    assert officer.region_id == "19.04.01"
    # deactivate and reactivate
    client.post(reverse("core:user_admin_deactivate", args=[officer.pk]))
    officer.refresh_from_db()
    assert officer.is_active is False
    client.post(reverse("core:user_admin_activate", args=[officer.pk]))
    officer.refresh_from_db()
    assert officer.is_active is True


def test_an_administrator_cannot_raise_their_own_role_or_widen_their_own_area(client, login, admin):
    from core import services
    from silakso.exceptions import SeparationOfDutiesError

    with pytest.raises(SeparationOfDutiesError):
        services.user_change(actor=admin, user=admin, role=Role.SYSTEM_ADMIN, region="19")
    login(client, admin)
    page = client.get(reverse("core:user_admin_detail", args=[admin.pk]))
    assert page.context["is_self"] and 'name="role"' not in page.content.decode()
    client.post(
        reverse("core:user_admin_detail", args=[admin.pk]),
        {"role": Role.SYSTEM_ADMIN, "region": "19", "reason": "naik"},
    )
    admin.refresh_from_db()
    assert admin.region_id == "19.04"
    with pytest.raises(SeparationOfDutiesError):
        services.password_link_issue(actor=admin, user=admin)


def test_accounts_of_another_regency_are_out_of_reach(client, login, admin, make_user):
    stranger = make_user(Role.VERIFIER, "19.01")
    login(client, admin)
    assert stranger.full_name not in client.get(reverse("core:user_admin_list")).content.decode()
    for name in ("core:user_admin_detail",):
        assert client.get(reverse(name, args=[stranger.pk])).status_code == 404
    for name in (
        "core:user_admin_deactivate",
        "core:user_admin_password_link",
        "core:user_admin_setup_code",
    ):
        assert client.post(reverse(name, args=[stranger.pk]), {"reason": "x"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active is True
    # the services refuse too, whatever page calls them
    from core import services
    from silakso.exceptions import OutOfScope

    with pytest.raises(OutOfScope):
        services.user_deactivate(user=stranger, actor=admin)
    # and other roles do not administer accounts
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    other = type(client)()
    login(other, kabid)
    assert other.get(reverse("core:user_admin_list")).status_code == 403


def test_fifty_operators_from_a_spreadsheet_each_activated_by_its_village_head(
    client, login, admin, make_user, regions
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    villages = list(regions.filter(code__startswith="19.04.", level=4).order_by("code")[:5])
    lines = ["username;full_name;village_code;phone;email"]
    for n in range(50):
        lines.append("op.{0};Operator {0};{1};0812000{0:04d};".format(n, villages[n % 5].code))
    lines += [
        "op.3;Kembar;{};;".format(villages[0].code),  # the same username again
        "op.luar;Luar Daerah;{};;".format(  # a village of another regency
            regions.filter(code__startswith="19.01.", level=4).first().code
        ),
        "op bad;Spasi;{};;".format(villages[0].code),
        "op.kosong;;{};;".format(villages[0].code),
    ]
    upload = SimpleUploadedFile("operator.csv", "\n".join(lines).encode(), "text/csv")
    login(client, admin)
    page = client.post(reverse("core:user_admin_onboard"), {"file": upload})
    result = page.context["result"]
    assert len(result["created"]) == 50
    assert [row["line"] for row in result["rejected"]] == [52, 53, 54, 55]
    reasons = [str(row["reason"]) for row in result["rejected"]]
    assert reasons[0].startswith("username") and reasons[2].startswith("username")
    assert reasons[1].startswith("village_code") and reasons[3].startswith("full_name")
    made = User.objects.filter(username__startswith="op.", role=Role.VILLAGE_OPERATOR)
    assert made.count() == 50 and not made.filter(is_active=True).exists()
    assert "/akun/sandi-baru/" in page.content.decode()
    # each village head activates its own operators, and only those
    head = make_user(Role.VILLAGE_HEAD, villages[0].code)
    mine = made.filter(region=villages[0])
    theirs = made.exclude(region=villages[0]).first()
    other = type(client)()
    login(other, head)
    for operator in mine:
        other.post(reverse("core:operator_activate", args=[operator.pk]))
    assert mine.filter(is_active=True).count() == 10
    assert other.post(reverse("core:operator_activate", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active is False


def test_a_file_that_is_not_a_table_is_refused_with_the_field_named(client, login, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, admin)
    png = SimpleUploadedFile("foto.csv", b"\\x89PNG\\r\\n\\x1a\\n" + b"0" * 100, "text/csv")
    page = client.post(reverse("core:user_admin_onboard"), {"file": png})
    assert page.status_code == 200 and "file" in page.context["form"].errors
    assert not User.objects.filter(role=Role.VILLAGE_OPERATOR).exists()


def test_the_password_link_can_be_emailed_to_the_account_and_it_works(
    client, login, admin, make_user, settings
):
    import re

    from core.models import Notification
    from core.services import notification_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    person = make_user(Role.VERIFIER, "19.04", email="verifikator@dinsos.example")
    login(client, admin)
    answer = client.post(
        reverse("core:user_admin_password_link", args=[person.pk]), {"send": "email"}
    )
    assert answer.status_code == 302
    message = Notification.objects.get(recipient="verifikator@dinsos.example")
    notification_send(notification_id=message.pk)
    from django.core import mail

    link = re.search(r"https?://\S+/akun/sandi-baru/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = type(client)().get("/" + path, follow=True)
    assert page.context["validlink"] is True
    # an account without an email gets the reason, not a silent nothing
    bare = make_user(Role.VERIFIER, "19.04", email="")
    refused = client.post(
        reverse("core:user_admin_password_link", args=[bare.pk]), {"send": "email"}, follow=True
    )
    assert "email" in refused.content.decode().lower()
