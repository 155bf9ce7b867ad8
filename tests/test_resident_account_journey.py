"""Headless Chromium at 360 px: a new resident signs up with the NIK and KK number of their
registry record and the code the (local) SMS gateway received, applies for aid while signed in,
and later finds the request, a referral and a letter on "Layanan saya" — and rates the letter.
Every new page passes axe-core."""

import io
import json
import re

import pytest
from django.test import override_settings
from PIL import Image
from playwright.sync_api import expect

from applications.models import Application
from applications.tests.factories import household, program
from core.choices import Role
from core.models import SurveyResponse, User
from core.services import notifications_send_due
from silakso.testing import HttpReceiver, page_problems, phone_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg(tmp_path, name):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _last_code(gateway, phone):
    notifications_send_due()
    texts = [json.loads(r["body"])["message"] for r in gateway.requests]
    texts = [
        t
        for t, r in zip(texts, gateway.requests, strict=True)
        if json.loads(r["body"])["to"] == phone
    ]
    return re.search(r"\b(\d{6})\b", texts[-1]).group(1)


def test_a_new_resident_signs_up_applies_and_follows_everything_on_one_page(
    browser, live_server, village_a, make_user, tmp_path
):
    from referrals import services as referral_services
    from referrals.tests import factories as ref

    program("bpnt")
    home = household(village_a, desil=2, head_name="Siti Aminah")
    head = home.members.get()
    gateway = HttpReceiver(answers=(200,))
    context = phone_context(browser, live_server)
    page = context.new_page()
    problems: list[str] = []
    try:
        with override_settings(
            SILAKSO_SMS_SENDER="core.notifications.HttpGatewaySender",
            SILAKSO_SMS_GATEWAY_URL=gateway.url,
        ):
            # from the front page: sign in → make a resident account
            page.goto("/")
            page.get_by_role("link", name="Masuk").first.click()
            page.get_by_role("link", name="Belum punya akun? Buat akun warga").click()
            problems += page_problems(page)
            page.get_by_label("NIK (16 angka di KTP Anda)").fill(head.nik)
            page.get_by_label("Nomor Kartu Keluarga (KK), 16 angka").fill(head.family.kk_number)
            page.get_by_label("Nomor HP (menerima SMS)").fill("0812 3456 7890")
            page.get_by_role("button", name="Kirimkan kodenya").click()
            expect(page.get_by_role("heading", name="Masukkan kode")).to_be_visible()
            problems += page_problems(page)
            page.get_by_label("Kode 6 angka dari SMS").fill(_last_code(gateway, "081234567890"))
            page.get_by_role("button", name="Lanjut").click()
            expect(page.get_by_role("heading", name="Pilih kata sandi")).to_be_visible()
            problems += page_problems(page)
            page.get_by_role("link", name="Lewati: ke layanan saya").click()
            expect(page.get_by_role("heading", name="Layanan saya")).to_be_visible()
            resident = User.objects.get(nik=head.nik)
            assert resident.role == Role.RESIDENT and resident.phone == "081234567890"

            # signed in, the request form is filled in from the registry: attach and send
            page.goto("/usulan/")
            page.get_by_role("link", name=re.compile("Ajukan BPNT")).click()
            expect(page.get_by_label("NIK")).to_have_value(head.nik)
            page.get_by_label(re.compile(r"^KTP")).set_input_files(_jpeg(tmp_path, "ktp.jpg"))
            page.get_by_label("Kartu Keluarga (KK)").set_input_files(_jpeg(tmp_path, "kk.jpg"))
            page.get_by_role("button", name="Kirim usulan").click()
            code = page.get_by_test_id("tracking-code").inner_text().strip()
            assert Application.objects.get(code=code).resident == resident

            # later an officer refers the household and issues a letter
            open_case = ref.case(village_a, home=home)
            referral = ref.referral(
                open_case, ref.service(ref.provider(), name="Bedah rumah", domain="housing")
            )
            letter = referral_services.letter_issue(
                kind="lkm_nik",
                region=village_a,
                recipient_name=head.name,
                recipient_nik=head.nik,
                details={"health_facility": "RSUD Koba", "purpose": "Rawat inap"},
                actor=make_user(Role.FRONT_OFFICE, "19.04"),
            )
            page.goto("/")
            mine = page.get_by_test_id("my-services")
            expect(mine.filter(has_text=code)).to_have_count(1)
            expect(mine.filter(has_text="Bedah rumah")).to_have_count(1)
            expect(mine.filter(has_text=referral.provider.name)).to_have_count(1)
            expect(mine.filter(has_text=letter.number)).to_have_count(1)
            problems += page_problems(page)

            # the issued letter is a finished service: rate it, once
            page.get_by_role("link", name="Nilai layanan ini").click()
            problems += page_problems(page)
            for number in range(1, 10):
                page.locator("input[name=u{}][value='4']".format(number)).check()
            page.get_by_role("button", name="Kirim jawaban saya").click()
            expect(page.get_by_text("Terima kasih!").first).to_be_visible()
            assert SurveyResponse.objects.get().service == "surat-layanan"
            page.goto("/")
            expect(page.get_by_role("link", name="Nilai layanan ini")).to_have_count(0)
    finally:
        context.close()
        gateway.stop()
    assert problems == []
