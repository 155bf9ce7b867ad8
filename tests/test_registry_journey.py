"""Headless Chromium, phone screen: an operator finds a household by a misspelt name, records a
birth, and sees it in the household's timeline."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from core.choices import Role
from core.tests.factories import PASSWORD, current_code
from dtks.models import Individual
from dtks.tests.factories import make_household, nik_for
from silakso.testing import open_menu_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user):
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_label(re.compile("kode 6 digit", re.I)).fill(current_code(user))
    page.get_by_role("button", name="Lanjut").click()


def test_operator_finds_household_by_misspelt_name_and_records_a_birth(phone, make_user, village_a):
    # given a household headed by "Sumarni Lestari" in the operator's village
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code, username="op.koba")
    household = make_household(village_a, operator, head_name="Sumarni Lestari")
    _sign_in(phone, operator)
    # when the operator searches with a typo
    open_menu_entry(phone, "Data terpadu")
    phone.get_by_label("NIK, nomor KK, nama, atau alamat").fill("sumarny lestary")
    phone.get_by_role("button", name="Cari").click()
    expect(phone).to_have_url(re.compile(r"q=sumarny"))  # the results page, not the list before it
    phone.get_by_role("link", name="Sumarni Lestari").click()
    expect(phone.get_by_role("heading", name=re.compile("Jl. Merdeka"))).to_be_visible()
    # and records a birth
    phone.get_by_role("link", name="Kelahiran").click()
    born = dt.date.today() - dt.timedelta(days=7)
    phone.get_by_label("NIK").fill(nik_for(village_a.code, born, female=True))
    phone.get_by_label("Nama lengkap").fill("Putri Kecil")
    phone.get_by_label("Tanggal lahir").fill(born.isoformat())
    phone.get_by_label("Perempuan").check()
    phone.get_by_label("Alasan perubahan").fill("Laporan bidan desa")
    phone.get_by_role("button", name="Simpan").click()
    # then the baby is a member and the birth heads the timeline
    expect(
        phone.get_by_text("Tersimpan. Perubahan tercatat di riwayat rumah tangga.")
    ).to_be_visible()
    expect(phone.locator("td[data-label='Nama']", has_text="Putri Kecil")).to_be_visible()
    timeline = phone.locator("ol.timeline li").first
    expect(timeline).to_contain_text("Kelahiran")
    expect(timeline).to_contain_text("Putri Kecil")
    expect(timeline).to_contain_text("Laporan bidan desa")
    assert Individual.objects.filter(household=household, name="Putri Kecil").exists()


def test_resident_checks_status_on_a_phone(phone, make_user, village_a):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    household = make_household(village_a, manager, head_name="Wati Susanti")
    head = household.members.get()
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("Cek status bantuan")).click()
    phone.get_by_label("NIK").fill(head.nik)
    phone.get_by_label("Nama lengkap sesuai KTP").fill("wati susanti")
    phone.get_by_role("button", name="Cek").click()
    result = phone.get_by_test_id("cek-result")
    expect(result).to_contain_text("WA** SU*****")
    expect(result).not_to_contain_text(head.nik)
