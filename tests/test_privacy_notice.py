"""The public privacy notice says this installation's own retention periods and contact."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_notice_tells_the_periods_and_the_office_of_this_installation(client, settings):
    from core.services import agency_profile

    settings.SILAKSO_RETENTION_DAYS = {"notifications": 90}
    agency = agency_profile()
    page = client.get(reverse("privacy_notice"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "90 hari" in html  # the configured period, not a fixed text
    assert "1825 hari" in html  # documents of refused requests: the default five years
    assert agency.name in html
    # every page links to it
    assert reverse("privacy_notice") in client.get("/").content.decode()
