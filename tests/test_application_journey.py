"""Headless Chromium, phone screens: a resident applies with a photo from the phone, the village
head deliberates, a verifier verifies, Dinsos finalises the period list, the regent's office
ratifies it, and the resident's status page shows every step."""

import datetime as dt
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from applications.models import Application
from applications.tests.factories import household, program
from core.choices import Role
from core.tests.factories import PASSWORD, current_code
from silakso.testing import open_menu_entry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server.url,
    )
    context.set_default_timeout(15000)
    return context, context.new_page()


def _sign_in(page, user):
    page.goto("/akun/masuk/")
    page.get_by_label("Nama pengguna").fill(user.username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.get_by_label(re.compile("kode 6 digit", re.I)).fill(current_code(user))
    page.get_by_role("button", name="Lanjut").click()


def _jpeg(tmp_path, name="ktp.jpg"):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_resident_request_travels_to_ratification_and_the_resident_sees_each_step(
    browser, live_server, phone, make_user, village_a, tmp_path
):
    # given a poor household in Koba and the officers of the flow
    program("bpnt")
    home = household(village_a, desil=2, head_name="Siti Aminah")
    head_of_household = home.members.get()
    village_head = make_user(Role.VILLAGE_HEAD, village_a.code, username="kades.koba")
    verifier = make_user(Role.VERIFIER, "19.04", username="verif.dinsos")
    manager = make_user(Role.DATA_MANAGER, "19.04", username="data.dinsos")
    regent = make_user(Role.REGENT_OFFICE, "19.04", username="bag.bupati")

    # the resident applies on a phone, without an account, with a photo of the KTP and KK
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("Ajukan bantuan")).click()
    phone.get_by_role("link", name=re.compile("Ajukan BPNT")).click()
    phone.get_by_label("NIK").fill(head_of_household.nik)
    phone.get_by_label("Nama lengkap sesuai KTP").fill("Siti Aminah")
    phone.get_by_label("Desa/kelurahan tempat tinggal").select_option(village_a.code)
    phone.get_by_label("Alamat").fill("Jl. Merdeka No. 5, RT 001/RW 002")
    phone.get_by_label("Nomor HP atau WhatsApp").fill("0812 3456 7890")
    phone.get_by_label(re.compile(r"^KTP")).set_input_files(_jpeg(tmp_path, "ktp.jpg"))
    phone.get_by_label("Kartu Keluarga (KK)").set_input_files(_jpeg(tmp_path, "kk.jpg"))
    phone.get_by_role("button", name="Kirim usulan").click()
    code = phone.get_by_test_id("tracking-code").inner_text().strip()
    application = Application.objects.get(code=code)
    assert application.documents.count() == 2

    # the village head records the deliberation and approves
    context, page = _phone(browser, live_server)
    _sign_in(page, village_head)
    open_menu_entry(page, "Musyawarah")
    page.get_by_label("Musyawarah desa/kelurahan (musdes/muskel)").check()
    page.get_by_label("Jumlah peserta").fill("14")
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(b"%PDF-1.4\n% berita acara musdes\n")
    page.get_by_label("Berita acara atau SPTJM yang ditandatangani").set_input_files(str(minutes))
    page.get_by_test_id("decision-" + code).get_by_label("Keputusan").select_option("approve")
    page.get_by_role("button", name="Simpan musyawarah").click()
    expect(page.get_by_text("Musyawarah tercatat")).to_be_visible()
    context.close()

    # a Dinsos verifier verifies it from the worklist
    context, page = _phone(browser, live_server)
    _sign_in(page, verifier)
    open_menu_entry(page, "Usulan bantuan")
    page.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Verifikasi", exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text("Diverifikasi Dinsos")
    context.close()

    # the data manager finalises the period list
    context, page = _phone(browser, live_server)
    _sign_in(page, manager)
    open_menu_entry(page, "Daftar periode")
    page.get_by_label("Nama daftar").fill("Usulan Desember 2026")
    page.get_by_role("button", name="Buka daftar").click()
    page.get_by_role("button", name="Finalisasi daftar").click()
    expect(page.get_by_test_id("status")).to_contain_text("Difinalisasi")
    context.close()

    # the regent's office ratifies it
    context, page = _phone(browser, live_server)
    _sign_in(page, regent)
    open_menu_entry(page, "Daftar periode")
    page.get_by_role("link", name="Usulan Desember 2026").click()
    page.get_by_role("link", name="Sahkan").click()
    page.get_by_label("Nomor keputusan bupati").fill("188.45/321/2026")
    page.get_by_label("Tanggal keputusan").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Sahkan").click()
    expect(page.get_by_test_id("status")).to_have_text("Disahkan")
    context.close()

    # the resident follows the request with code + NIK and sees every step in plain words
    context, page = _phone(browser, live_server)
    page.goto("/")
    page.get_by_role("link", name=re.compile("Lacak usulan saya")).click()
    page.get_by_label("Kode usulan").fill(code)
    page.get_by_label("NIK").fill(head_of_household.nik)
    page.get_by_role("button", name="Tampilkan usulan saya").click()
    expect(page.get_by_test_id("status-now")).to_contain_text("Bupati sudah mengesahkan")
    steps = page.get_by_test_id("steps")
    for label in (
        "Masuk",
        "Menunggu musyawarah desa",
        "Disetujui desa",
        "Diverifikasi Dinsos",
        "Masuk daftar finalisasi",
        "Disahkan bupati",
    ):
        expect(steps).to_contain_text(label)
    context.close()
