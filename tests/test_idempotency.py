"""Sent twice, made once — and a submission key is never a way into someone else's request."""

import re

import pytest
from django.urls import reverse

from applications.models import Application
from applications.tests.factories import applicant_of, household, photo, program
from core.choices import Role
from core.tests.factories import issue_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def bpnt():
    return program("bpnt", documents="KTP")


def _form_key(client, url) -> str:
    page = client.get(url).content.decode()
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def _apply_data(home, key):
    data = applicant_of(home)
    return {**data, "village": home.village_id, "submission_key": key, "document_0": photo()}


def test_a_request_sent_again_after_a_lost_answer_shows_the_same_code(client, bpnt, village_a):
    home = household(village_a, head_name="Warga Ulang")
    url = reverse("applications:apply", args=["bpnt"])
    key = _form_key(client, url)
    first = client.post(url, _apply_data(home, key))
    assert first.status_code == 302
    # the answer never arrived: the phone sends the same form again, from a fresh session
    retry = type(client)().post(url, _apply_data(home, key))
    assert retry.status_code == 302 and retry["Location"] == first["Location"]
    assert Application.objects.count() == 1
    done = type(client)().get(retry["Location"])
    assert Application.objects.get().code in done.content.decode()


def test_a_forged_or_borrowed_key_reaches_nobody_elses_request(client, bpnt, village_a):
    victim_home = household(village_a, head_name="Korban")
    attacker_home = household(village_a, head_name="Penyerang")
    url = reverse("applications:apply", args=["bpnt"])
    key = _form_key(client, url)
    client.post(url, _apply_data(victim_home, key))
    victim = Application.objects.get()
    # a key typed by hand (not issued by the server) is not a key
    other = type(client)()
    forged = other.post(url, _apply_data(attacker_home, "c-1"))
    assert forged.status_code == 302 and Application.objects.count() == 2
    # the partner-chosen key of an API request is not a form key either
    status = other.get(reverse("applications:status", args=[victim.code]))
    assert status.status_code == 404


def test_an_api_key_belongs_to_the_partner_that_chose_it(client, make_user, bpnt, village_a):
    home = household(village_a, head_name="Warga Api")
    payload = {
        "program": "bpnt",
        "village": village_a.code,
        "channel": "api",
        **{k: v for k, v in applicant_of(home).items() if k != "email"},
        "submission_key": "mpp-7781",
    }

    def send(user):
        token = issue_key(user)
        return client.post(
            "/api/v1/applications/",
            payload,
            content_type="application/json",
            HTTP_AUTHORIZATION="Token " + token.key,
        )

    first_partner = make_user(Role.API_CLIENT, "19.04")
    assert send(first_partner).status_code == 201
    again = send(first_partner)
    assert again.status_code == 201 and Application.objects.count() == 1
    # another partner with the same key gets its own answer, never the first one's record
    other = send(make_user(Role.API_CLIENT, "19.04"))
    assert other.status_code == 400
    assert other.json()["code"] == "duplicate_application"
    assert "applicant_nik" not in other.json()
