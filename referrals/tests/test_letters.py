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
from dtks.tests.factories import make_household, make_period, make_program, nik_for
from referrals import selectors, services
from referrals.letters import verification_url
from referrals.models import Letter, LetterCounter
from silakso.exceptions import Forbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.FRONT_OFFICE, "19.04")


def _registered(village, name="Siti Aminah", **data):
    """A household of the registry whose head is ``name`` (born 1980-08-15, male)."""
    household = make_household(village, head_name=name, **data)
    return household, household.members.get()


def _lkm(officer, village, name="Siti Aminah", nik=None):
    if nik is None:
        _household, head = _registered(village, name)
        nik = head.nik
    return services.letter_issue(
        kind="lkm_nik",
        region=village,
        recipient_name=name,
        recipient_nik=nik,
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


# ---------------------------------------------------------------------------- checked letters
def test_a_health_letter_is_refused_for_a_name_that_is_not_the_niks(officer, village_a):
    household, head = _registered(village_a, "Ahmad Saputra")
    # the name of someone else on that NIK: refused, the field named, no number used
    with pytest.raises(ValidationError) as refused:
        _lkm(officer, village_a, "Budi Santoso", head.nik)
    assert "recipient_name" in refused.value.message_dict
    assert not Letter.objects.exists()
    # a typo and lower case are forgiven, as in Cek Bansos; the letter names the household
    letter = _lkm(officer, village_a, "ahmad saputro", head.nik)
    assert letter.household == household


def test_a_health_letter_needs_a_registered_resident_of_the_regency(officer, village_a, regions):
    # an unknown NIK
    with pytest.raises(ValidationError) as unknown:
        _lkm(officer, village_a, "Orang Asing", nik_for(village_a.code, dt.date(1990, 1, 1)))
    assert "registri" in " ".join(unknown.value.message_dict["recipient_nik"]).lower()
    # a person registered in another regency
    elsewhere = regions.filter(code__startswith="19.01.", level=4).first()
    _household, outsider = _registered(elsewhere, "Rudi Hartono")
    with pytest.raises(ValidationError) as away:
        _lkm(officer, village_a, "Rudi Hartono", outsider.nik)
    assert "kabupaten" in " ".join(away.value.message_dict["recipient_nik"]).lower()
    assert not Letter.objects.exists()


def test_a_letter_kinds_own_rules_refuse_with_the_rule_that_failed(officer, village_a):
    from dtks import services as registry
    from referrals.models import LetterTemplate

    pbi = make_program("pbi_jk", aid="health", max_desil=5)
    template = LetterTemplate.objects.create(kind="lkm_nik", max_desil=4)
    template.refused_programs.add(pbi)
    household, head = _registered(village_a, "Ahmad Saputra")
    manager = household.events.get().actor
    # desil 6: above the kind's limit
    registry.desil_record(
        household=household, desil=6, as_of=dt.date(2026, 7, 1), source="t", actor=manager
    )
    with pytest.raises(ValidationError) as too_rich:
        _lkm(officer, village_a, "Ahmad Saputra", head.nik)
    assert "desil 4" in " ".join(too_rich.value.message_dict["kind"])
    # desil 3, but already covered by PBI-JK this period
    registry.desil_record(
        household=household, desil=3, as_of=dt.date(2026, 8, 1), source="t", actor=manager
    )
    today = dt.date.today()
    period = make_period(
        pbi, starts=today - dt.timedelta(days=10), ends=today + dt.timedelta(days=80)
    )
    enrollment = registry.enrollment_create(
        program=pbi, period=period, household=household, actor=manager
    )
    with pytest.raises(ValidationError) as covered:
        _lkm(officer, village_a, "Ahmad Saputra", head.nik)
    assert "PBI_JK" in " ".join(covered.value.message_dict["kind"])
    assert not Letter.objects.exists()
    # once the cover has ended, the letter is issued
    registry.enrollment_end(enrollment=enrollment, actor=manager, reason="tidak aktif")
    assert _lkm(officer, village_a, "Ahmad Saputra", head.nik).number


def test_a_registration_receipt_needs_no_registry_entry_but_not_a_wrong_name(officer, village_a):
    nik = nik_for(village_a.code, dt.date(1970, 1, 2))
    receipt = services.letter_issue(
        kind="dtks_receipt",
        region=village_a,
        recipient_name="Pak Baru",
        recipient_nik=nik,
        actor=officer,
    )
    assert receipt.number
    _household, head = _registered(village_a, "Ahmad Saputra")
    with pytest.raises(ValidationError) as refused:
        services.letter_issue(
            kind="dtks_receipt",
            region=village_a,
            recipient_name="Pak Baru",
            recipient_nik=head.nik,
            actor=officer,
        )
    assert "recipient_name" in refused.value.message_dict
