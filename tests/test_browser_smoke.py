"""Headless Chromium on a phone-sized screen: sign in with two factors and do one real task."""

import re

import pytest
from playwright.sync_api import expect

from core.choices import Role
from core.models import User
from core.services import user_create
from core.tests.factories import PASSWORD, current_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_village_head_signs_in_with_2fa_and_activates_a_new_operator(phone, make_user, village_a):
    # given a village head and a new operator waiting for activation
    head = make_user(Role.VILLAGE_HEAD, village_a.code, username="kades.koba")
    user_create(
        username="operator.baru",
        full_name="Operator Baru",
        role=Role.VILLAGE_OPERATOR,
        region=village_a,
        actor=None,
    )
    # when the village head signs in on a phone
    phone.goto("/akun/masuk/")
    phone.get_by_label("Nama pengguna").fill("kades.koba")
    phone.get_by_label("Kata sandi").fill(PASSWORD)
    phone.get_by_role("button", name="Masuk").click()
    # the second step asks for the authenticator code
    expect(phone).to_have_url(re.compile(r"/akun/2fa/"))
    phone.get_by_label(re.compile("kode 6 digit", re.I)).fill(current_code(head))
    phone.get_by_role("button", name="Lanjut").click()
    # the landing page shows what waits for the village head
    expect(phone.get_by_text("Akun operator yang menunggu Anda")).to_be_visible()
    phone.get_by_role("link", name="Kelola operator").click()
    row = phone.get_by_role("row").filter(has_text="Operator Baru")
    expect(row.get_by_text("Menunggu diaktifkan")).to_be_visible()
    row.get_by_role("button", name="Aktifkan").click()
    # then the operator is active and can sign in
    expect(phone.get_by_text("Operator Baru sekarang bisa masuk.")).to_be_visible()
    expect(
        phone.get_by_role("row").filter(has_text="Operator Baru").get_by_text("Aktif", exact=True)
    ).to_be_visible()
    assert User.objects.get(username="operator.baru").is_active is True


def test_language_can_be_switched_to_english(phone):
    phone.goto("/")
    expect(phone.get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    phone.get_by_label("Bahasa").select_option("en")
    expect(phone.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
