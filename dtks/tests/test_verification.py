"""Verification checks: each raises its flag on a fixture and stays silent on a clean one;
field campaigns apply their outcomes to the registry with history."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from core.choices import Role
from dtks import services, verification
from dtks.bulk import civil_registry_import
from dtks.choices import FlagKind
from dtks.models import Enrollment, Flag, Individual
from dtks.tests.factories import make_household, make_period, make_program, nik_for, person
from dtks.verification import run_checks
from silakso.exceptions import DomainError

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


@pytest.fixture
def manager(make_user):
    return make_user(Role.DATA_MANAGER, "19.04")


@pytest.fixture
def clean(village_a, manager):
    """A household with nothing wrong: head, ID card, desil 6, no program."""
    household = make_household(village_a, manager, head_name="Bersih Sekali")
    services.desil_record(
        household=household, desil=6, as_of=dt.date(2026, 7, 1), source="t", actor=manager
    )
    return household


def _flags(kind, household=None):
    flags = Flag.objects.filter(kind=kind, status="open")
    return flags.filter(household=household) if household else flags


def _current_period(program):
    return make_period(
        program, starts=TODAY - dt.timedelta(days=30), ends=TODAY + dt.timedelta(days=60)
    )


def test_clean_household_raises_no_flag(clean):
    run_checks()
    assert not Flag.objects.filter(household=clean, status="open").exists()


def test_duplicate_nik(clean, village_b, manager):
    other = make_household(village_b, manager)
    Individual.objects.filter(household=other).update(nik=clean.members.get().nik)
    run_checks()
    assert _flags(FlagKind.DUPLICATE_NIK).count() == 2
    assert not _flags(FlagKind.FUZZY_DUPLICATE, clean).exists()


def test_fuzzy_duplicate_in_the_same_village(clean, village_a, manager):
    head = clean.members.get()
    twin = make_household(village_a, manager, head_name="Ahmad Dummy")
    Individual.objects.filter(household=twin).update(
        name="Bersih Sekaly", birth_date=head.birth_date + dt.timedelta(days=1), sex=head.sex
    )
    run_checks()
    flag = _flags(FlagKind.FUZZY_DUPLICATE, clean).get()
    assert flag.evidence["other"] == twin.members.get().pk
    # a different person with a different name on the same day is not flagged
    assert not _flags(FlagKind.FUZZY_DUPLICATE, None).exclude(household__in=[clean, twin]).exists()


def test_near_birth_dates_with_consistent_niks_and_a_common_name_are_two_people(
    clean, village_a, manager
):
    # given "Bersih Sekali" and, in another household, "Bersih Sekaly" born a day later whose
    # own NIK spells that later date, in a village where many people carry that name
    head = clean.members.get()
    for number in range(verification.RARE_NAME_HOLDERS):
        make_household(village_a, manager, head_name="Bersih Sekali")
        Individual.objects.filter(household__village=village_a, name="Bersih Sekali").exclude(
            pk=head.pk
        ).update(birth_date=dt.date(1960 + number, 1, 1))
    born = head.birth_date + dt.timedelta(days=1)
    other = make_household(village_a, manager, head_name="Ahmad Dummy")
    Individual.objects.filter(household=other).update(
        name="Bersih Sekaly", birth_date=born, nik=nik_for(village_a.code, born)
    )
    # when the checks run
    run_checks()
    # then they are not flagged as one person: two NIKs issued, a name the village shares
    assert not _flags(FlagKind.FUZZY_DUPLICATE, other).exists()


def test_a_rare_name_registered_again_under_a_new_nik_a_day_off_is_found(clean, village_a, manager):
    # given "Bersih Sekali" registered again as "Bersih Sekaly" born a day later, under a new
    # NIK that spells the mistyped date (a new registration), born in the same town
    head = clean.members.get()
    born = head.birth_date + dt.timedelta(days=1)
    other = make_household(village_a, manager, head_name="Ahmad Dummy")
    Individual.objects.filter(household=other).update(
        name="Bersih Sekaly",
        birth_date=born,
        nik=nik_for(village_a.code, born),
        birth_place=head.birth_place,
    )
    # when the checks run
    run_checks()
    # then the pair is flagged, with the evidence a reviewer reads
    flag = _flags(FlagKind.FUZZY_DUPLICATE, clean).get()
    assert flag.evidence["nik"] == "different"
    assert flag.evidence["birth_date"] == "near"
    assert flag.evidence["rare_name"] is True


def test_different_known_first_names_are_two_people(clean, village_a, manager):
    # given Sri Wati and Tri Wati born the same day in the village, where both first names
    # are common (each carried by several people): two names, not a typo
    for first in ("Sri", "Tri"):
        for number in range(verification.KNOWN_FIRST_NAME):
            make_household(village_a, manager, head_name="{} Lain{}".format(first, "x" * number))
    head = clean.members.get()
    pair = []
    for name in ("Sri Wati", "Tri Wati"):
        household = make_household(village_a, manager, head_name=name)
        Individual.objects.filter(household=household).update(
            birth_date=head.birth_date, sex=head.sex, birth_place="Koba"
        )
        pair.append(household)
    # when the checks run
    run_checks()
    # then no flag pairs them
    assert not _flags(FlagKind.FUZZY_DUPLICATE).filter(household__in=pair).exists()


def test_nik_one_digit_off_makes_a_garbled_name_a_duplicate(clean, village_a, manager):
    # given a second record of "Bersih Sekali" typed as "Brsih Sekaali Putra" on the same
    # date of birth, whose NIK differs in one digit of the birth date part
    head = clean.members.get()
    digits = list(head.nik)
    digits[7] = str((int(digits[7]) + 1) % 10)
    other = make_household(village_a, manager, head_name="Ahmad Dummy")
    Individual.objects.filter(household=other).update(
        name="Brsih Sekaali Putra", birth_date=head.birth_date, nik="".join(digits)
    )
    # when the checks run
    run_checks()
    # then the pair is flagged, and the evidence names the NIK
    flag = _flags(FlagKind.FUZZY_DUPLICATE, clean).get()
    assert flag.evidence["nik"] == "one_digit"
    assert flag.evidence["birth_date"] == "exact"


def test_flag_list_explains_the_evidence_without_showing_records_outside_scope(
    client, login, clean, village_a, village_b, manager, make_user
):
    # given a NIK shared with a household in another village, and a likely duplicate in the
    # operator's own village
    head = clean.members.get()
    elsewhere = make_household(village_b, manager, head_name="Orang Lain")
    Individual.objects.filter(household=elsewhere).update(nik=head.nik)
    twin = make_household(village_a, manager, head_name="Ahmad Dummy")
    Individual.objects.filter(household=twin).update(
        name="Bersih Sekaly", birth_date=head.birth_date, sex=head.sex
    )
    run_checks()
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, operator)
    # when the village operator opens the worklist
    page = client.get("/registri/masalah-data/").content.decode()
    # then the duplicate in the village is named and linked, the other village only counted
    assert "Bersih Sekaly" in page
    assert "/registri/rumah-tangga/{}/".format(twin.pk) in page
    assert "Orang Lain" not in page
    assert "1 data di luar wilayah Anda" in page


def _dukcapil(people: list[dict], manager):
    """Load a civil-registry extract written with Dukcapil's own column names."""
    columns = [
        "NIK", "NAMA_LGKP", "TGL_LHR", "TMPT_LHR", "JENIS_KLMIN", "NO_KK", "KODE_DESA",
        "NO_RT", "NO_RW", "MENINGGAL", "TGL_MENINGGAL", "PINDAH", "TGL_PINDAH",
    ]  # fmt: skip
    lines = [",".join(columns)]
    for row in people:
        lines.append(",".join(str(row.get(column, "")) for column in columns))
    return civil_registry_import(
        handle=io.BytesIO("\n".join(lines).encode()), filename="dukcapil.csv", actor=manager
    )


def _as_dukcapil(person, **changes) -> dict:
    household = person.household
    row = {
        "NIK": person.nik,
        "NAMA_LGKP": person.name.upper(),  # Dukcapil writes names in capitals
        "TGL_LHR": person.birth_date.strftime("%d-%m-%Y"),
        "TMPT_LHR": person.birth_place,
        "JENIS_KLMIN": "1" if person.sex == "male" else "2",
        "NO_KK": person.family.kk_number,
        "KODE_DESA": household.village_id.replace(".", ""),
        "NO_RT": household.rt,
        "NO_RW": household.rw,
        "MENINGGAL": "0",
        "PINDAH": "0",
    }
    row.update(changes)
    return row


def test_each_difference_from_the_civil_registry_is_its_own_problem_with_both_values(
    clean, village_a, manager, client, login
):
    people = {}
    for name in ("Nama Beda", "Lahir Beda", "Kk Beda", "Alamat Beda", "Sudah Wafat", "Pindah"):
        people[name] = make_household(village_a, manager, head_name=name, rt="001", rw="002")
    head = {name: household.members.get() for name, household in people.items()}
    same = clean.members.get()
    missing = make_household(village_a, manager, head_name="Tak Ada").members.get()
    _dukcapil(
        [
            _as_dukcapil(same),  # the same person, in Dukcapil's spelling and codes
            _as_dukcapil(head["Nama Beda"], NAMA_LGKP="SITI AMINAH"),
            _as_dukcapil(head["Lahir Beda"], TMPT_LHR="Pangkalpinang"),
            _as_dukcapil(head["Kk Beda"], NO_KK="1904011111110001"),
            _as_dukcapil(head["Alamat Beda"], NO_RT="007"),
            _as_dukcapil(head["Sudah Wafat"], MENINGGAL="1", TGL_MENINGGAL="01-11-2026"),
            _as_dukcapil(head["Pindah"], PINDAH="1", TGL_PINDAH="15-10-2026"),
        ],
        manager,
    )
    run_checks()
    # nothing for the person Dukcapil agrees with, although it writes the name in capitals
    assert not Flag.objects.filter(individual=same, status="open").exists()
    expected = {
        "Nama Beda": FlagKind.CIVIL_NAME,
        "Lahir Beda": FlagKind.CIVIL_BIRTH,
        "Kk Beda": FlagKind.CIVIL_KK,
        "Alamat Beda": FlagKind.CIVIL_ADDRESS,
        "Sudah Wafat": FlagKind.CIVIL_DECEASED,
        "Pindah": FlagKind.CIVIL_MOVED,
    }
    for name, kind in expected.items():
        flags = Flag.objects.filter(individual=head[name], status="open")
        assert [flag.kind for flag in flags] == [kind], name
    name_flag = Flag.objects.get(individual=head["Nama Beda"], kind=FlagKind.CIVIL_NAME)
    assert name_flag.evidence["ours"] == "Nama Beda"
    assert name_flag.evidence["theirs"] == "SITI AMINAH"
    assert _flags(FlagKind.CIVIL_REGISTRY_MISMATCH).get().individual == missing
    # the worklist shows both values in words
    login(client, manager)
    page = client.get("/registri/masalah-data/").content.decode()
    assert "Di sini: Nama Beda · Dukcapil: SITI AMINAH" in page
    assert "RT 007" in page and village_a.name in page


def test_a_civil_registry_value_is_accepted_into_the_registry_or_ours_kept_with_a_reason(
    village_a, manager, client, login
):
    named = make_household(village_a, manager, head_name="Nama Beda").members.get()
    passed = make_household(village_a, manager, head_name="Sudah Wafat").members.get()
    kept = make_household(village_a, manager, head_name="Nama Kita").members.get()
    _dukcapil(
        [
            _as_dukcapil(named, NAMA_LGKP="Siti Aminah"),
            _as_dukcapil(passed, MENINGGAL="1", TGL_MENINGGAL="01-11-2026"),
            _as_dukcapil(kept, NAMA_LGKP="Nama Lain Sekali"),
        ],
        manager,
    )
    run_checks()
    login(client, manager)
    # accept: the registry takes Dukcapil's value, with the civil registry as source
    flag = Flag.objects.get(individual=named, kind=FlagKind.CIVIL_NAME)
    response = client.post(
        "/registri/masalah-data/{}/selesai/".format(flag.pk), {"decision": "accept"}
    )
    assert response.status_code == 302
    named.refresh_from_db()
    assert named.name == "Siti Aminah"
    event = named.household.events.latest("version")
    assert event.source == "civil_registry" and event.kind == "member_corrected"
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.evidence["accepted"] is True
    # a death in Dukcapil, accepted, is recorded as a death on Dukcapil's date
    flag = Flag.objects.get(individual=passed, kind=FlagKind.CIVIL_DECEASED)
    client.post("/registri/masalah-data/{}/selesai/".format(flag.pk), {"decision": "accept"})
    passed.refresh_from_db()
    assert passed.status == "deceased" and passed.status_date == dt.date(2026, 11, 1)
    # keep ours: a reason is needed
    flag = Flag.objects.get(individual=kept, kind=FlagKind.CIVIL_NAME)
    page = client.post("/registri/masalah-data/{}/selesai/".format(flag.pk), {"decision": "keep"})
    assert page.status_code == 200 and "Tulis mengapa" in page.content.decode()
    client.post(
        "/registri/masalah-data/{}/selesai/".format(flag.pk),
        {"decision": "keep", "reason": "Sesuai KTP yang ditunjukkan"},
    )
    kept.refresh_from_db()
    assert kept.name == "Nama Kita"
    flag.refresh_from_db()
    assert flag.status == "resolved" and "Sesuai KTP" in flag.outcome
    # the next nightly check does not ask again about the same Dukcapil value...
    run_checks()
    assert not _flags(FlagKind.CIVIL_NAME).filter(individual=kept).exists()
    # ...but does when Dukcapil's value changes
    _dukcapil([_as_dukcapil(kept, NAMA_LGKP="Nama Ketiga Beda")], manager)
    run_checks()
    assert _flags(FlagKind.CIVIL_NAME).filter(individual=kept).exists()


def test_deceased_and_moved_people_still_enrolled(clean, village_a, manager):
    program = make_program("pkh")
    period = _current_period(program)
    spouse = services.member_move_in(
        household=clean,
        actor=manager,
        relation="spouse",
        reason="x",
        person=person(village_a.code, name="Istri"),
    )
    services.enrollment_create(program=program, period=period, household=clean, actor=manager)
    run_checks()
    assert not _flags(FlagKind.DECEASED_ENROLLED).exists()
    services.member_death(
        individual=clean.members.get(relation_to_head="head"),
        date=TODAY - dt.timedelta(days=3),
        actor=manager,
        reason="x",
        new_head=spouse,
    )
    run_checks()
    assert _flags(FlagKind.DECEASED_ENROLLED, clean).count() == 1


def test_household_without_head_flag_closes_itself_when_fixed(clean, village_a, manager):
    other = services.member_move_in(
        household=clean,
        actor=manager,
        relation="child",
        reason="x",
        person=person(village_a.code, name="Anak", birth=dt.date(2000, 1, 1)),
    )
    Individual.objects.filter(household=clean, relation_to_head="head").update(
        relation_to_head="other"
    )
    run_checks()
    assert _flags(FlagKind.NO_HEAD, clean).exists()
    Individual.objects.filter(pk=other.pk).update(relation_to_head="head")
    run_checks()
    assert not _flags(FlagKind.NO_HEAD, clean).exists()
    assert Flag.objects.get(kind=FlagKind.NO_HEAD, household=clean).status == "resolved"


def test_turning_17_without_id_card(clean, village_a, manager):
    young = services.member_move_in(
        household=clean,
        actor=manager,
        relation="child",
        reason="x",
        person=person(
            village_a.code,
            name="Remaja",
            birth=TODAY.replace(year=TODAY.year - 16) - dt.timedelta(days=1),
            id_card_status="none",
        ),
    )
    run_checks()
    assert not _flags(FlagKind.TURNING_17_WITHOUT_ID, clean).exists()
    Individual.objects.filter(pk=young.pk).update(birth_date=dt.date(2000, 1, 1))
    run_checks()
    assert _flags(FlagKind.TURNING_17_WITHOUT_ID, clean).get().individual == young


def test_inclusion_and_exclusion_errors(clean, village_a, manager):
    program = make_program("pkh", max_desil=4)
    services.enrollment_create(
        program=program, period=_current_period(program), household=clean, actor=manager
    )
    poor = make_household(village_a, manager, head_name="Miskin Tanpa Bantuan")
    services.desil_record(
        household=poor, desil=2, as_of=dt.date(2026, 7, 1), source="t", actor=manager
    )
    run_checks()
    assert _flags(FlagKind.INCLUSION_ERROR, clean).get().evidence["max_desil"] == 4
    assert _flags(FlagKind.EXCLUSION_ERROR, poor).exists()
    assert not _flags(FlagKind.EXCLUSION_ERROR, clean).exists()


def test_checks_of_a_regency_leave_another_regency_alone(clean, make_user, regions):
    other = make_user(Role.DATA_MANAGER, "19.01")
    elsewhere = make_household(regions.filter(code__startswith="19.01.", level=4).first(), other)
    Individual.objects.filter(household=elsewhere).update(relation_to_head="other")
    services.verification_run(actor=make_user(Role.DATA_MANAGER, "19.04"))
    assert not _flags(FlagKind.NO_HEAD, elsewhere).exists()


def test_campaign_outcomes_update_the_registry_with_history(clean, village_a, manager, make_user):
    program = make_program("pkh", max_desil=4)
    services.enrollment_create(
        program=program, period=_current_period(program), household=clean, actor=manager
    )
    deceased_household = make_household(village_a, manager, head_name="Almarhum")
    Individual.objects.filter(household=deceased_household).update(id_card_status="none")
    run_checks()
    campaign = services.campaign_create(name="Verivali Koba", region=village_a, actor=manager)
    items = {item.household_id: item for item in campaign.items.all()}
    assert set(items) == {clean.pk, deceased_household.pk}
    verifier = make_user(Role.VERIFIER, "19.04")
    # now able: once Dinsos approves, the program ends and the inclusion flag is resolved
    services.campaign_item_record(
        item=items[clean.pk], outcome="now_able", actor=manager, notes="punya toko"
    )
    services.campaign_item_review(item=items[clean.pk], actor=verifier, approve=True)
    assert Enrollment.objects.get(household=clean).status == "ended"
    assert not _flags(FlagKind.INCLUSION_ERROR, clean).exists()
    # deceased: the head dies in the registry, through the member-event service
    services.campaign_item_record(
        item=items[deceased_household.pk], outcome="deceased", actor=manager
    )
    services.campaign_item_review(item=items[deceased_household.pk], actor=verifier, approve=True)
    head = deceased_household.members.get()
    assert head.status == "deceased"
    assert deceased_household.events.filter(kind="death", source="verification").exists()
    with pytest.raises(DomainError, match=r"sudah dicek"):
        services.campaign_item_record(item=items[clean.pk], outcome="found", actor=manager)


def _enrolled_campaign(clean, village_a, manager):
    program = make_program("pkh", max_desil=4)
    services.enrollment_create(
        program=program, period=_current_period(program), household=clean, actor=manager
    )
    run_checks()
    campaign = services.campaign_create(name="Verivali", region=village_a, actor=manager)
    return campaign.items.get(household=clean)


def test_a_now_able_outcome_waits_for_a_dinsos_review_before_aid_ends(
    clean, village_a, manager, make_user
):
    from silakso.exceptions import Forbidden, SeparationOfDutiesError

    item = _enrolled_campaign(clean, village_a, manager)
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    # when the village operator records "now able" at the door
    services.campaign_item_record(item=item, outcome="now_able", actor=operator, notes="toko")
    item.refresh_from_db()
    # then nothing about aid has changed yet: it waits for Dinsos
    assert item.review == "pending"
    assert Enrollment.objects.get(household=clean).status == "active"
    assert _flags(FlagKind.INCLUSION_ERROR, clean).exists()
    # the operator cannot approve it, nor record it again
    with pytest.raises(Forbidden):
        services.campaign_item_review(item=item, actor=operator, approve=True)
    with pytest.raises(DomainError, match=r"sudah dicek"):
        services.campaign_item_record(item=item, outcome="found", actor=operator)
    # a data manager who made a visit does not review it
    second = services.campaign_create(name="Verivali ulang", region=village_a, actor=manager)
    own = second.items.get(household=clean)
    services.campaign_item_record(item=own, outcome="now_able", actor=manager)
    with pytest.raises(SeparationOfDutiesError):
        services.campaign_item_review(item=own, actor=manager, approve=True)
    # when a Dinsos verifier approves
    verifier = make_user(Role.VERIFIER, "19.04")
    services.campaign_item_review(item=item, actor=verifier, approve=True, note="cek foto")
    # then the enrollment ends with the visit as the reason, the flag is resolved
    enrollment = Enrollment.objects.get(household=clean)
    assert enrollment.status == "ended"
    assert "toko" in enrollment.end_reason
    assert not _flags(FlagKind.INCLUSION_ERROR, clean).exists()
    with pytest.raises(DomainError):
        services.campaign_item_review(item=item, actor=verifier, approve=True)


def test_a_field_outcome_not_accepted_changes_nothing_and_can_be_recorded_again(
    clean, village_a, manager, make_user
):
    item = _enrolled_campaign(clean, village_a, manager)
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    verifier = make_user(Role.VERIFIER, "19.04")
    services.campaign_item_record(item=item, outcome="deceased", actor=operator)
    # a refusal needs its reason
    with pytest.raises(ValidationError) as excinfo:
        services.campaign_item_review(item=item, actor=verifier, approve=False, note=" ")
    assert "note" in excinfo.value.message_dict
    services.campaign_item_review(
        item=item, actor=verifier, approve=False, note="Kepala RT masih hidup, salah orang"
    )
    assert clean.members.get(relation_to_head="head").status == "alive"
    assert Enrollment.objects.get(household=clean).status == "active"
    # the operator visits again and records what is true
    services.campaign_item_record(item=item, outcome="found", actor=operator)
    item.refresh_from_db()
    assert (item.outcome, item.review) == ("found", "")


def test_the_campaign_page_shows_the_review_to_a_verifier_and_applies_it(
    client, login, clean, village_a, manager, make_user
):
    item = _enrolled_campaign(clean, village_a, manager)
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, operator)
    response = client.post(
        "/registri/kampanye/rumah-tangga/{}/".format(item.pk),
        {"outcome": "moved", "notes": "rumah kosong"},
    )
    assert response.status_code == 302
    page = client.get("/registri/kampanye/{}/".format(item.campaign_id)).content.decode()
    assert "Dinsos meninjau hasil ini dulu" in page  # the operator is told it waits
    assert "Menunggu tinjauan Dinsos" in page
    assert "/setujui/" not in page  # not the operator's step
    verifier = make_user(Role.VERIFIER, "19.04")
    login(client, verifier)
    page = client.get("/registri/kampanye/{}/?tinjau=1".format(item.campaign_id)).content.decode()
    approve = "/registri/kampanye/rumah-tangga/{}/setujui/".format(item.pk)
    assert approve in page
    assert client.get(approve).status_code == 200
    response = client.post(approve, {"note": ""})
    assert response.status_code == 302
    assert not clean.members.filter(status="alive").exists()
    assert Enrollment.objects.get(household=clean).status == "ended"


def test_flags_can_be_taken_and_reopened(clean, manager, make_user, village_b):
    flag = services.flag_raise(household=clean, kind=FlagKind.NO_HEAD, reason="uji")
    services.flag_assign(flag=flag, assignee=manager, actor=manager)
    stranger = make_user(Role.VILLAGE_OPERATOR, village_b.code)
    with pytest.raises(ValidationError, match=r"wilayah"):
        services.flag_assign(flag=flag, assignee=stranger, actor=manager)
    services.flag_resolve(flag=flag, outcome="dicek", actor=manager)
    services.flag_reopen(flag=flag, actor=manager, reason="ternyata belum")
    flag.refresh_from_db()
    assert flag.status == "open"
    assert flag.assigned_to == manager
