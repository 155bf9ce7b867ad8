"""Headless Chromium, phone screens: a resident files a complaint, the village operator solves
it and closes it after telling the resident, and the resident sees "closed" and rates it."""

import re

import pytest
from playwright.sync_api import expect

from applications.tests.factories import household
from complaints.models import Complaint
from core.choices import Role
from silakso.testing import open_menu_entry
from tests.test_application_journey import _phone, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_complains_staff_resolve_and_the_resident_rates(
    browser, live_server, phone, make_user, village_a
):
    home = household(village_a, head_name="Siti Aminah")
    head = home.members.get()
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code, username="op.koba")

    # the resident files the complaint on a phone
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("Buat pengaduan")).click()
    phone.get_by_label("Bantuan sosial").check()
    phone.get_by_label("Desa/kelurahan tempat kejadian").select_option(village_a.code)
    phone.get_by_label("Apa yang terjadi?").fill("Beras bantuan bulan ini belum sampai ke rumah.")
    phone.get_by_label("NIK Anda").fill(head.nik)
    phone.get_by_label("Nama lengkap Anda").fill("Siti Aminah")
    phone.get_by_label("Nomor HP atau WhatsApp").fill("0812 3456 7890")
    phone.get_by_role("button", name="Kirim pengaduan").click()
    code = phone.get_by_test_id("ticket-code").inner_text().strip()
    assert Complaint.objects.get(code=code).status == "received"

    # the village operator solves it at the village and closes it after telling the resident
    context, page = _phone(browser, live_server)
    _sign_in(page, operator)
    open_menu_entry(page, "Pengaduan")
    page.get_by_role("link", name=code).click()
    page.get_by_role("link", name="Catat yang sudah dilakukan").click()
    page.get_by_label("Diselesaikan oleh").select_option("village")
    page.get_by_label("Yang sudah dilakukan").fill("Beras diantar operator desa hari ini.")
    page.get_by_role("button", name="Simpan").click()
    page.get_by_role("link", name=re.compile("Tutup")).click()
    page.get_by_label("Bagaimana warga diberi tahu?").select_option("phone_call")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_test_id("status")).to_have_text("Ditutup")
    context.close()

    # the resident sees "closed" with what was done, and rates the service once
    context, page = _phone(browser, live_server)
    page.goto("/pengaduan/lacak/")
    page.get_by_label("Kode tiket").fill(code)
    page.get_by_label("NIK Anda").fill(head.nik)
    page.get_by_role("button", name="Tampilkan pengaduan saya").click()
    expect(page.get_by_test_id("status-now")).to_contain_text("Ditutup")
    expect(page.get_by_test_id("status-now")).to_contain_text("Beras diantar")
    page.get_by_test_id("rating").get_by_label("Sangat baik").check()
    page.get_by_role("button", name="Kirim penilaian").click()
    expect(page.get_by_test_id("rated")).to_contain_text("Sangat baik")
    expect(page.get_by_test_id("rating")).to_have_count(0)
    assert Complaint.objects.get(code=code).rating == 4
    context.close()
