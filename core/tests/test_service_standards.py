"""Public service standards: every service with what to bring, its steps and their time limits
as the system enforces them, free of charge, and where to complain."""

import pytest
from django.urls import reverse

from complaints.models import SlaRule
from core.models import AgencyProfile
from dtks.tests.factories import make_program

pytestmark = pytest.mark.django_db

SERVICES = ("usulan-bantuan", "pemutakhiran-data", "pengaduan", "rujukan", "surat-layanan")


def _page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_every_service_has_its_page_in_indonesian_by_default(client):
    listing = client.get(reverse("service_standards")).content.decode()
    assert "Standar layanan" in listing
    for slug in SERVICES:
        url = reverse("service_standard", args=[slug])
        assert url in listing
        page = client.get(url).content.decode()
        assert "Gratis" in page and "Langkah" in page
    assert client.get(reverse("service_standard", args=["tidak-ada"])).status_code == 404


def test_complaint_steps_show_the_time_the_administrator_set(client):
    page = _page(client, reverse("service_standard", args=["pengaduan"]))
    assert "Received <strong>(at most 3 days)</strong>" in page
    # a longer limit for one category: the page never promises less than any category gets
    SlaRule.objects.update_or_create(category="health", status="received", defaults={"hours": 120})
    page = _page(client, reverse("service_standard", args=["pengaduan"]))
    assert "Received <strong>(at most 5 days)</strong>" in page


def test_a_referral_shows_the_partners_answer_time_from_the_settings(client, settings):
    settings.SILAKSO_REFERRAL_RESPONSE_DAYS = 5
    page = _page(client, reverse("service_standard", args=["rujukan"]))
    assert "(within 5 days)" in page


def test_the_aid_request_lists_each_open_programs_documents_and_the_office(client):
    program = make_program("pkh")
    program.name = "Program Keluarga Harapan"
    program.required_documents = "Surat keterangan tidak mampu\nFoto rumah"
    program.save()
    closed = make_program("bpnt")
    closed.accepts_applications = False
    closed.save()
    AgencyProfile.objects.create(pk=1, name="Dinas Sosial", address="Jl. Pemuda 1")
    page = _page(client, reverse("service_standard", args=["usulan-bantuan"]))
    assert "Surat keterangan tidak mampu" in page and "Foto rumah" in page
    assert reverse("applications:apply", args=["pkh"]) in page
    assert reverse("applications:apply", args=["bpnt"]) not in page
    assert "Jl. Pemuda 1" in page
