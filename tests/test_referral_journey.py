"""Headless Chromium, phone screens: a Dinsos officer opens a case for a household and refers
two needs; the provider admin accepts one and records it delivered; the case shows progress."""

import pytest
from playwright.sync_api import expect

from applications.tests.factories import household
from core.choices import Role
from referrals.models import Case, Referral
from referrals.tests.factories import provider, provider_admin, service
from silakso.testing import open_menu_entry
from tests.test_application_journey import _phone, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_refers_two_needs_and_the_provider_completes_one(
    browser, live_server, make_user, village_a
):
    home = household(village_a, head_name="Rudi Santoso")
    officer = make_user(Role.FRONT_OFFICE, "19.04", username="fo.dinsos")
    health = service(provider("Dinas Kesehatan"), "Aktivasi PBI-JK", domain="health")
    service(provider("Dinas Pendidikan"), "Program Indonesia Pintar", domain="education")
    health_admin = provider_admin(health.provider, username="admin.dinkes")

    # the officer opens the case from the household's page and records the urgent need
    context, page = _phone(browser, live_server)
    _sign_in(page, officer)
    page.goto("/registri/rumah-tangga/{}/".format(home.pk))
    page.get_by_role("link", name="Buka kasus dan rujuk kebutuhannya").click()
    page.get_by_label("Nomor HP rumah tangga").fill("0812 3456 7001")
    page.get_by_role("button", name="Buka kasus").click()
    expect(page.get_by_test_id("case-status")).to_have_text("Terbuka")
    page.get_by_role("group", name="Kesehatan").get_by_label("Kebutuhan").select_option("urgent")
    page.get_by_role("button", name="Simpan asesmen").click()
    case = Case.objects.get(household=home)
    assert case.assessments.get(domain="health").need == "urgent"

    # and refers two needs, each to its provider
    for choice, need in (
        ("Kesehatan · Dinas Kesehatan · Aktivasi PBI-JK", "KIS tidak aktif; perlu berobat."),
        (
            "Pendidikan · Dinas Pendidikan · Program Indonesia Pintar",
            "Anak terancam putus sekolah.",
        ),
    ):
        page.get_by_role("link", name="Rujuk satu kebutuhan").click()
        page.get_by_label("Layanan").select_option(label=choice)
        page.get_by_label("Yang dibutuhkan").fill(need)
        page.get_by_role("button", name="Simpan draf").click()
        page.get_by_role("button", name="Kirim ke mitra").click()
        expect(page.get_by_test_id("status")).to_have_text("Terkirim, menunggu jawaban mitra")
        page.get_by_role("link", name=case.code).click()
    expect(page.get_by_test_id("referral-row")).to_have_count(2)
    officer_context, officer_page = context, page

    # the provider admin sees only its referral, accepts it and records the service delivered
    context, page = _phone(browser, live_server)
    _sign_in(page, health_admin)
    open_menu_entry(page, "Rujukan ke kami")
    expect(page.get_by_role("link", name="Program Indonesia Pintar")).to_have_count(0)
    page.get_by_role("link", name="Aktivasi PBI-JK").click()
    expect(page.get_by_test_id("summary")).to_contain_text("Rudi Santoso")
    page.get_by_role("button", name="Terima").click()
    page.get_by_role("button", name="Layanan dimulai").click()
    page.get_by_role("link", name="Catat layanan yang diberikan").click()
    page.get_by_label("Layanan yang diberikan").fill("KIS PBI aktif kembali per hari ini.")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_test_id("status")).to_have_text("Selesai dilayani")
    context.close()

    # the officer's case shows the progress: one of two settled and completed
    page = officer_page
    page.reload()
    expect(page.get_by_test_id("progress")).to_contain_text(
        "1 dari 2 rujukan tuntas, 1 selesai dilayani."
    )
    rows = page.get_by_test_id("referral-row")
    expect(rows.filter(has_text="Aktivasi PBI-JK")).to_contain_text("Selesai dilayani")
    expect(rows.filter(has_text="Program Indonesia Pintar")).to_contain_text("Terkirim")
    officer_context.close()
    assert set(Referral.objects.values_list("status", flat=True)) == {"completed", "sent"}
