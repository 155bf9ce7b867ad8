"""SLRT service letters: numbered per kind and year, a PDF with the number, the text and a QR
code to the public page, which tells genuine, revoked and unknown letters apart."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.choices import Role
from dtks.tests.factories import nik_for
from referrals import selectors, services
from referrals.letters import verification_url
from referrals.models import Letter, LetterCounter
from silakso.exceptions import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FRONT_OFFICE, "19.04")


def _lkm(officer, village, name="Siti Aminah", nik=None):
    return services.letter_issue(
        kind="lkm_nik",
        region=village,
        recipient_name=name,
        recipient_nik=nik or nik_for(village.code, dt.date(1980, 5, 5), female=True),
        details={"health_facility": "RSUD Sungailiat", "purpose": "Rawat inap"},
        actor=officer,
    )


def _pdf_text(letter: Letter) -> str:
    with letter.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_letters_are_numbered_per_kind_and_year(officer, village_a):
    year = timezone.localdate().year
    first = _lkm(officer, village_a)
    second = _lkm(officer, village_a, name="Budi")
    repatriation = services.letter_issue(
        kind="repatriation",
        region=village_a,
        recipient_name="Orang Terlantar",
        details={"origin": "Koba", "destination": "Kupang", "transport": "Kapal laut"},
        actor=officer,
    )
    assert first.number == "0001/LKM/SLRT/{}".format(year)
    assert second.number == "0002/LKM/SLRT/{}".format(year)
    assert repatriation.number == "0001/PLG/SLRT/{}".format(year)
    # a new year starts from one again (the counter is per kind and year)
    LetterCounter.objects.create(kind="lkm_nik", year=year + 1, last=0)
    assert LetterCounter.objects.get(kind="lkm_nik", year=year).last == 2


def test_the_pdf_carries_the_letter_and_the_address_of_its_check(officer, village_a):
    letter = _lkm(officer, village_a)
    text = _pdf_text(letter)
    assert letter.number in text
    assert "Siti Aminah" in text and letter.recipient_nik in text
    assert "RSUD Sungailiat" in text
    assert verification_url(letter) in text.replace("\n", "")
    # the fingerprint the public page shows is that of the file handed out
    with letter.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == letter.sha256


def test_the_public_check_tells_genuine_revoked_and_unknown_letters(client, officer, village_a):
    letter = _lkm(officer, village_a)
    page = client.get(reverse("referrals:letter_verify", args=[letter.token]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="letter-genuine"' in body and letter.number in body
    assert letter.recipient_nik not in body and "Siti Aminah" not in body
    assert "SI** AM****" in body

    tampered = letter.token[:-1] + ("A" if letter.token[-1] != "A" else "B")
    unknown = client.get(reverse("referrals:letter_verify", args=[tampered]))
    assert unknown.status_code == 404
    assert 'data-testid="letter-unknown"' in unknown.content.decode()

    services.letter_revoke(letter=letter, actor=officer, reason="Salah nama penerima")
    revoked = client.get(reverse("referrals:letter_verify", args=[letter.token]))
    assert 'data-testid="letter-revoked"' in revoked.content.decode()


def test_an_expired_letter_says_so(client, officer, village_a):
    letter = _lkm(officer, village_a)
    Letter.objects.filter(pk=letter.pk).update(valid_until=dt.date(2020, 1, 1))
    body = client.get(reverse("referrals:letter_verify", args=[letter.token])).content.decode()
    assert "kedaluwarsa" in body or "expired" in body


def test_bad_letters_are_refused_with_the_field_named_and_no_number_used(officer, village_a):
    with pytest.raises(ValidationError) as refused:
        services.letter_issue(
            kind="lkm_nik",
            region=village_a,
            recipient_name="Siti",
            recipient_nik="1234",
            details={"health_facility": ""},
            actor=officer,
        )
    assert {"recipient_nik", "health_facility", "purpose"} <= set(refused.value.message_dict)
    assert not Letter.objects.exists()
    assert not LetterCounter.objects.filter(last__gt=0).exists()


def test_letters_stay_in_the_officers_area(make_user, officer, village_a, regions):
    letter = _lkm(officer, village_a)
    outsider = make_user(Role.FRONT_OFFICE, "19.01")
    assert not selectors.letter_list(user=outsider).filter(pk=letter.pk).exists()
    with pytest.raises(Forbidden):
        _lkm(outsider, village_a)
    with pytest.raises(Forbidden):
        services.letter_revoke(letter=letter, actor=outsider, reason="Bukan wilayah saya")
    with pytest.raises(Forbidden):
        _lkm(make_user(Role.VILLAGE_OPERATOR, village_a.code), village_a)


def test_the_officer_issues_a_letter_and_downloads_it(client, login, officer, village_a):
    login(client, officer)
    form = client.get(reverse("referrals:letter_create", args=["dtks_receipt"]))
    assert form.status_code == 200
    # no village is chosen for the officer: the first of the list would be a silent guess
    assert '<option value="" selected>' in form.content.decode()
    unchosen = client.post(
        reverse("referrals:letter_create", args=["dtks_receipt"]),
        {"region": "", "recipient_name": "Pak RS"},
    )
    assert "region" in unchosen.context["form"].errors
    nik = nik_for(village_a.code, dt.date(1970, 1, 2))
    response = client.post(
        reverse("referrals:letter_create", args=["dtks_receipt"]),
        {"region": village_a.code, "recipient_name": "Pak RS", "recipient_nik": nik},
    )
    assert response.status_code == 302, response.context["form"].errors
    letter = Letter.objects.get()
    listing = client.get(reverse("referrals:letter_list")).content.decode()
    assert letter.number in listing
    download = client.get(reverse("referrals:letter_pdf", args=[letter.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # a bad NIK comes back on the form, named
    again = client.post(
        reverse("referrals:letter_create", args=["dtks_receipt"]),
        {"region": village_a.code, "recipient_name": "Pak RS", "recipient_nik": "12"},
    )
    assert again.status_code == 200
    assert "recipient_nik" in again.context["form"].errors
    assert Letter.objects.count() == 1
