"""The public page of recipients per area: right where shown, small cells and what would reveal
them hidden, no names, and a k below 2 refused at start-up."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from dtks.models import Enrollment
from dtks.tests.factories import make_household, make_period, make_program

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def recipients(village_a, regions):
    """Koba: 7 households in BPNT, 2 of them also in PKH; a second village of the district:
    12 in BPNT, 6 of them also in PKH."""
    other = regions.filter(parent_id=village_a.parent_id, level=4).exclude(pk=village_a.pk)[0]
    today = timezone.localdate()
    bpnt, pkh = make_program("bpnt", aid="food"), make_program("pkh")
    periods = {
        program: make_period(
            program, starts=today - dt.timedelta(days=30), ends=today + dt.timedelta(days=30)
        )
        for program in (bpnt, pkh)
    }
    rows = []
    for village, (in_bpnt, in_pkh) in ((village_a, (7, 2)), (other, (12, 6))):
        for number in range(in_bpnt):
            home = make_household(village, head_name="Kepala Nomor {}".format(number))
            for program in [bpnt] + ([pkh] if number < in_pkh else []):
                rows.append(
                    Enrollment(
                        program=program,
                        period=periods[program],
                        household=home,
                        status="active",
                        source="manual",
                        started_on=today,
                    )
                )
    Enrollment.objects.bulk_create(rows)
    return village_a, other


def _cells(page: str) -> list[str]:
    table = page.split('data-testid="recipients"')[1].split("</table>")[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", table)


def test_the_district_page_hides_the_small_cell_and_what_would_reveal_it(client, recipients):
    koba, _other = recipients
    page = client.get(reverse("transparency"), {"kecamatan": koba.parent_id}).content.decode()
    cells = _cells(page)
    # BPNT, PKH, sum per village; then the district's totals
    figures = [cell for cell in cells if cell != "*"]
    assert "*" in cells
    assert all(
        int(value.replace(".", "")) == 0 or int(value.replace(".", "")) >= 5 for value in figures
    )
    # the district's totals are shown and true: 19 in BPNT, 8 in PKH, 27 in all
    totals = page.split('data-testid="totals"')[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)</td>", totals) == ["19", "8", "27"]
    assert "Kepala Nomor" not in page and "NIK" not in page


def test_the_regency_page_counts_per_district(client, recipients):
    koba, _other = recipients
    page = client.get(reverse("transparency")).content.decode()
    assert koba.parent.name in page
    assert _cells(page)  # the districts' table
    # an unknown district falls back to the regency, it is not an error
    assert client.get(reverse("transparency"), {"kecamatan": "99.99"}).status_code == 200


def test_a_k_below_two_stops_the_site_with_a_clear_message():
    env = {**os.environ, "SILAKSO_DISCLOSURE_K": "1"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "silakso.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode != 0
    assert "SILAKSO_DISCLOSURE_K must be 2 or more" in started.stderr
