"""Headless Chromium at 360 px, the field app without a network: a village operator opens it
once online, goes offline, reloads (the page comes from the service worker), records ten items
— births, a death, a move, house photos, campaign visits, one with a wrong NIK — closes the
page and opens it again, then the network returns: the server holds each accepted item exactly
once (a complaint taken from a resident among them), the wrong one shows its reason and stays editable, the household changed meanwhile on the
server shows a conflict, resolved by sending again on the newest data. Signing out wipes what
the phone kept."""

import datetime as dt
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Complaint
from core.choices import Role
from core.models import FieldSubmission
from dtks.models import CampaignItem, Flag, HouseholdPhoto, Individual
from dtks.services import campaign_create, member_birth
from dtks.tests.factories import make_household, nik_for, person
from silakso.testing import page_problems, phone_context

from .test_registry_journey import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BORN = dt.date.today() - dt.timedelta(days=10)


def _big_photo(tmp_path, name):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "olive").save(buffer, format="JPEG", quality=95)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _keep(page):
    """Press save: the outbox holds one item more, and says so."""
    before = int(page.locator("#lapangan-count").inner_text())
    page.get_by_role("button", name="Simpan di kotak keluar").click()
    errors = page.locator(".error-text")
    if errors.count():
        raise AssertionError(errors.all_inner_texts())
    expect(page.locator("#lapangan-count")).to_have_text(str(before + 1))
    expect(page.locator("#lapangan-status")).to_contain_text("Disimpan di kotak keluar")


def _open(page, name):
    page.get_by_role("button", name="Rumah tangga", exact=True).click()
    page.get_by_label("Cari rumah tangga (nama atau alamat)").fill(name)
    page.get_by_role("button", name=re.compile(name)).click()


def _birth(page, home_name, nik, child, problems=None):
    _open(page, home_name)
    page.get_by_role("button", name="Kelahiran").click()
    if problems is not None:  # the form the phone draws offline: labelled, no axe violation
        problems += page_problems(page)
    page.get_by_label("NIK").fill(nik)
    page.get_by_label("Nama lengkap").fill(child)
    page.get_by_label("Tanggal lahir").fill(BORN.isoformat())
    page.get_by_label("Perempuan").check()
    page.get_by_label("Disabilitas").select_option("none")
    _keep(page)


def _leave(page, home_name, step, member):
    _open(page, home_name)
    page.get_by_role("button", name=step, exact=True).click()
    page.get_by_label("Siapa").select_option(label=member)
    page.get_by_label("Tanggal", exact=True).fill(dt.date.today().isoformat())
    page.get_by_label("Alasan perubahan").fill("Dikunjungi, keterangan tetangga dan RT")
    _keep(page)


def _photo(page, home_name, path):
    _open(page, home_name)
    page.get_by_role("button", name="Tambah foto").click()
    page.get_by_label("Foto rumah").set_input_files(path)
    _keep(page)


def _visit(page, home_name, outcome):
    page.get_by_role("button", name="Kunjungan").click()
    page.get_by_role("button", name=re.compile(home_name)).click()
    page.get_by_label(outcome).check()
    _keep(page)


def _complaint(page, village, home, path):
    page.get_by_role("button", name="Rumah tangga", exact=True).click()
    page.get_by_role("button", name="Pengaduan warga").click()
    page.get_by_label("Bantuan sosial").check()
    page.get_by_label("Desa/kelurahan tempat kejadian").select_option(village.code)
    page.get_by_label("Apa yang terjadi?").fill("Bantuan sembako bulan ini belum sampai ke rumah.")
    head = home.members.first()
    page.get_by_label("NIK Anda").fill(head.nik)
    page.get_by_label("Nama lengkap Anda").fill(head.name)
    page.get_by_label("Foto atau dokumen (boleh kosong)").set_input_files(path)
    _keep(page)


def test_an_operator_works_offline_and_every_item_arrives_once(
    browser, live_server, village_a, make_user, tmp_path
):
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code, username="op.lapangan")
    homes = [
        make_household(village_a, operator, head_name="Warga Lapangan {}".format(n))
        for n in range(4)
    ]
    with_child = homes[3]
    member_birth(
        household=with_child,
        person=person(village_a.code, name="Anak Pindah", birth=dt.date(2023, 1, 5), female=False),
        actor=operator,
        relation="child",
        family=with_child.families.first(),
    )
    for home in homes[:2]:  # two households to check in a field campaign
        Flag.objects.create(household=home, kind="no_head", reason="Periksa kepala rumah tangga")
    campaign_create(name="Verifikasi Desember", region=village_a, actor=operator)
    context = phone_context(browser, live_server)
    page = context.new_page()
    try:
        _sign_in(page, operator)
        page.goto("/lapangan/")
        expect(page.locator("#lapangan-status")).to_contain_text("4 rumah tangga")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled by the service worker
        expect(page.locator("#lapangan-status")).to_contain_text("4 rumah tangga")

        # offline: the page itself comes from the service worker
        context.set_offline(True)
        page.reload()
        expect(page.locator("#lapangan-status")).to_contain_text("Tidak ada jaringan")
        problems: list[str] = []
        _birth(
            page,
            "Warga Lapangan 0",
            nik_for(village_a.code, BORN, female=True),
            "Putri Satu",
            problems,
        )
        _birth(page, "Warga Lapangan 1", nik_for(village_a.code, BORN, female=True), "Putri Dua")
        # a NIK whose birth date digits do not match: refused by the server, with its reason
        _birth(page, "Warga Lapangan 1", "1904010101900001", "Putri Salah")
        _leave(page, "Warga Lapangan 3", "Pindah", "Anak Pindah")
        for number, home in enumerate(homes[:3]):
            _photo(
                page, home.members.first().name, _big_photo(tmp_path, "rumah{}.jpg".format(number))
            )
        _visit(page, "Warga Lapangan 0", "Ditemukan, data benar")
        _complaint(page, village_a, homes[1], _big_photo(tmp_path, "bukti.jpg"))
        _leave(page, "Warga Lapangan 2", "Kematian", "Warga Lapangan 2")
        expect(page.locator("#lapangan-count")).to_have_text("10")

        # meanwhile another officer records a change on the server in household 0
        member_birth(
            household=homes[0],
            person=person(village_a.code, name="Bayi Kantor", birth=BORN, female=False),
            actor=make_user(Role.DATA_MANAGER, "19.04"),
            relation="child",
            family=homes[0].families.first(),
        )
        # the phone is closed and opened again, still offline: the outbox is still there
        page.close()
        page = context.new_page()
        page.goto("/lapangan/")
        expect(page.locator("#lapangan-count")).to_have_text("10")

        # the network returns
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        page.get_by_role("button", name=re.compile("Kotak keluar")).click()
        expect(page.locator("[data-state=waiting], [data-state=sending]")).to_have_count(0)
        refused = page.locator("[data-state=refused]")
        expect(refused).to_have_count(1)
        expect(refused).to_contain_text("NIK")
        # the birth in household 0 was recorded on a copy older than the office's change: both
        # are shown; the phone's own items on one household never conflict with each other
        expect(page.locator("[data-state=accepted]")).to_have_count(8)
        conflict = page.locator("[data-state=conflict]")
        expect(conflict).to_have_count(1)
        expect(conflict).to_contain_text("Putri Satu")
        expect(conflict).to_contain_text("Kelahiran")
        conflict.get_by_role("button", name="Kirim lagi dengan data terbaru").click()
        expect(page.locator("[data-state=accepted]")).to_have_count(9)
        # the refused one stays editable: corrected, it is accepted
        refused.get_by_role("button", name="Perbaiki lalu kirim lagi").click()
        expect(page.get_by_role("alert").first).to_be_visible()
        page.get_by_label("NIK").fill(nik_for(village_a.code, BORN, female=True))
        page.get_by_role("button", name="Simpan di kotak keluar").click()
        page.get_by_role("button", name=re.compile("Kotak keluar")).click()
        expect(page.locator("[data-state=accepted]")).to_have_count(10)
        expect(page.locator("#lapangan-count")).to_have_text("0")
        problems += page_problems(page)  # the outbox with every state it went through
        assert problems == []
    finally:
        pass

    # the server holds each item once
    assert FieldSubmission.objects.filter(user=operator).count() == 10
    assert (
        Individual.objects.filter(name__in=["Putri Satu", "Putri Dua", "Putri Salah"]).count() == 3
    )
    assert Individual.objects.get(name="Anak Pindah").status == "moved"
    assert Individual.objects.get(name="Warga Lapangan 2").status == "deceased"
    assert CampaignItem.objects.exclude(outcome="").count() == 1
    complaint = Complaint.objects.get()
    assert complaint.channel == "home_visit" and complaint.entered_by == operator
    with Image.open(complaint.attachments.get().file) as evidence:
        assert max(evidence.size) <= 1280
    photos = HouseholdPhoto.objects.filter(household__in=homes)
    assert photos.count() == 3
    with Image.open(photos.first().image) as kept:
        assert max(kept.size) <= 1280  # resized on the phone from 4000 × 3000

    # signing out wipes what the phone kept
    page.goto("/akun/keluar/")
    page.get_by_role("button", name="Keluar").click()
    page.goto("/")
    assert page.evaluate("indexedDB.databases().then(all => all.length)") == 0
    context.close()
