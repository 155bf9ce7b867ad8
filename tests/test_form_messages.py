"""What a person reads when a number is typed wrong: the problem in words, on the field, and
help texts a screen reader actually reaches."""

import re

import pytest
from django.urls import reverse

from dtks.nik import check_kk, check_nik

pytestmark = pytest.mark.django_db


def test_an_empty_or_mistyped_nik_is_explained_not_counted():
    assert "0" not in " ".join(check_nik("").errors.values())
    assert "16" in check_nik("").errors["format"]
    typed_letter = check_nik("32010115O8950001").errors["format"]
    assert "digits only" in typed_letter or "hanya berisi angka" in typed_letter
    assert "15" in check_nik("320101150895000").errors["format"]
    assert "0" not in check_kk("").errors["format"].replace("16", "")


def test_the_tracker_says_what_is_wrong_with_a_fifteen_digit_nik(client):
    answer = client.post(
        reverse("applications:track"), {"code": "U-7K3M-9P2Q", "nik": "320101150895000"}
    )
    form = answer.context["form"]
    assert "15" in " ".join(form.errors["nik"])


def test_cek_bansos_explains_an_impossible_nik_instead_of_not_found(client):
    # day 32 cannot be a date of birth (digits 7-12)
    answer = client.post(reverse("cek_bansos"), {"nik": "3201013213900001", "name": "Siti"})
    errors = " ".join(answer.context["form"].errors.get("nik", []))
    assert "7–12" in errors


@pytest.mark.parametrize(
    "url", ["applications:track", "complaints:track", "cek_bansos", "complaints:complaint_create"]
)
def test_every_aria_describedby_points_at_an_element_of_the_page(client, url):
    page = client.get(reverse(url)).content.decode()
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    described = [
        target
        for value in re.findall(r'aria-describedby="([^"]+)"', page)
        for target in value.split()
    ]
    assert described, "the page has help texts"
    assert [target for target in described if target not in ids] == []
