"""Every address that leaves the site starts with SILAKSO_PUBLIC_URL: the tracking link in a
resident's message, the QR code of a letter."""

import pytest

from silakso.links import public_url

pytestmark = pytest.mark.django_db

SITE = "https://silakso.bangkatengahkab.go.id"


def test_a_residents_message_links_to_the_public_address(settings, village_a):
    from applications.tests.factories import household, program, submit
    from core.models import Notification

    settings.SILAKSO_PUBLIC_URL = SITE + "/"
    assert public_url("/x/") == SITE + "/x/"
    submit(program("bpnt"), household(village_a, desil=2))
    body = Notification.objects.latest("pk").body
    assert SITE + "/usulan/lacak/" in body
    assert "127.0.0.1" not in body


def test_a_letters_qr_code_points_at_the_public_address(settings, make_user, village_a):
    import datetime as dt

    from core.choices import Role
    from dtks.tests.factories import nik_for
    from referrals import services
    from referrals.letters import verification_url

    settings.SILAKSO_PUBLIC_URL = SITE
    letter = services.letter_issue(
        kind="dtks_receipt",
        region=village_a,
        recipient_name="Pak RS",
        recipient_nik=nik_for(village_a.code, dt.date(1970, 1, 2)),
        details={},
        actor=make_user(Role.FRONT_OFFICE, "19.04"),
    )
    assert verification_url(letter).startswith(SITE + "/rujukan/cek-surat/")
