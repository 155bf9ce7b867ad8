"""Headless Chromium at 360 px: the head of division opens the dashboard from the first page,
follows the late requests to the list behind them, and opens a home from the map. Both pages
pass axe-core and fit the screen."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Application
from applications.tests.factories import household, program, submit
from core import dashboard
from core.choices import Role
from dtks.models import Household
from silakso.testing import page_problems, phone_context

from .test_registry_journey import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_of_division_follows_a_figure_and_opens_a_home_from_the_map(
    browser, live_server, village_a, village_b, make_user
):
    bpnt = program()
    waiting = household(village_a, desil=2, head_name="Warga Menunggu")
    late = submit(bpnt, waiting)
    submit(bpnt, household(village_b, desil=3, head_name="Warga Tepat Waktu"))
    Application.objects.filter(pk=late.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=60)
    )
    # one home with a location: the map opens on it
    Household.objects.filter(pk=waiting.pk).update(
        latitude=Decimal("-2.350000"), longitude=Decimal("106.200000")
    )
    dashboard.refresh()
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04", username="kabid.peta")
    context = phone_context(browser, live_server)
    page = context.new_page()
    problems = []
    try:
        _sign_in(page, kabid)
        page.get_by_role("link", name="Buka dasbor").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Dasbor")
        problems += page_problems(page)
        requests = page.locator("section", has=page.get_by_role("heading", name="Usulan bantuan"))
        late_figure = requests.locator("[data-testid=figure]", has_text="Terlambat di tahapnya")
        expect(late_figure.locator(".value")).to_have_text("1")
        late_figure.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"overdue=true"))
        expect(page.get_by_text(late.code)).to_be_visible()
        expect(page.get_by_text("Warga Tepat Waktu")).to_have_count(0)
        # the map: the one located home, drawn and tappable
        page.goto("/registri/peta/")
        expect(page.locator("#peta")).to_have_attribute("data-total", "1")
        problems += page_problems(page)
        page.locator("#peta").scroll_into_view_if_needed()
        box = page.locator("#peta").bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page).to_have_url(re.compile(r"/registri/rumah-tangga/{}/".format(waiting.pk)))
        # moved away from the area, the map says so instead of showing an empty view
        page.goto("/registri/peta/")
        expect(page.locator("#peta")).to_have_attribute("data-total", "1")
        page.locator("#peta").scroll_into_view_if_needed()
        box = page.locator("#peta").bounding_box()
        middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(middle_x + 150, middle_y)
        page.mouse.down()
        for step in range(1, 11):  # drag the map 300 px to the left, as a finger would
            page.mouse.move(middle_x + 150 - 30 * step, middle_y)
        page.mouse.up()
        expect(page.locator("#peta-status")).to_contain_text("di luar wilayah Anda")
    finally:
        context.close()
    assert problems == []
