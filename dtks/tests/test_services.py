"""Registry services: validation, member events, history, concurrent edits, photos, desil."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.choices import AuditAction, Role
from core.models import AuditEvent
from dtks import services
from dtks.choices import FlagKind, HouseholdEventKind, IndividualStatus, RelationToHead
from dtks.models import Family, Flag, Household, Individual
from dtks.selectors import household_desil_on
from dtks.tests.factories import kk_for, make_household, person
from silakso.exceptions import DomainError, Forbidden, StaleObjectError

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user, village_a):
    return make_user(Role.VILLAGE_OPERATOR, village_a.code)


@pytest.fixture
def household(village_a, operator):
    return make_household(village_a, operator)


def _kinds(household):
    return list(household.events.order_by("version").values_list("kind", flat=True))


# ---------------------------------------------------------------------------- create
def test_registering_a_household_creates_head_kk_history_and_audit(household, operator):
    head = household.members.get()
    assert head.relation_to_head == RelationToHead.HEAD
    assert household.member_count == 1
    assert household.families.count() == 1
    assert _kinds(household) == [HouseholdEventKind.CREATED]
    assert household.version == 1
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="dtks.individual", actor=operator
    ).exists()


def test_invalid_head_nik_names_the_field_and_part(village_a, operator):
    bad = person(village_a.code, name="X")
    bad["nik"] = bad["nik"][:12] + "0000"
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(
            village=village_a,
            data={"address": "Jl. A"},
            head=bad,
            kk_number=kk_for(village_a.code),
            actor=operator,
        )
    assert "head_nik" in excinfo.value.message_dict
    assert "0000" in excinfo.value.message_dict["head_nik"][0]
    assert not Household.objects.filter(address="Jl. A").exists()


def test_nik_that_disagrees_with_birth_date_and_sex_is_refused(village_a, operator):
    data = person(village_a.code, birth=dt.date(1990, 5, 1), female=True)
    data["birth_date"] = dt.date(1990, 5, 2)
    data["sex"] = "male"
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(
            village=village_a,
            data={"address": "Jl. B"},
            head=data,
            kk_number=kk_for(village_a.code),
            actor=operator,
        )
    assert {"head_birth_date", "head_sex"} <= set(excinfo.value.message_dict)


def test_unknown_district_code_is_saved_with_a_warning_and_a_flag(village_a, operator):
    head = person(village_a.code, female=False, birth=dt.date(1970, 1, 2))
    head["nik"] = "917199" + head["nik"][6:]  # a pre-split code of Kota Jayapura
    household = services.household_create(
        village=village_a,
        data={"address": "Jl. C"},
        head=head,
        kk_number=kk_for(village_a.code),
        actor=operator,
    )
    member = household.members.get()
    assert member.nik_warning
    assert Flag.objects.filter(household=household, kind=FlagKind.NIK_UNKNOWN_REGION).exists()


def test_operator_cannot_register_in_another_village(village_b, operator):
    with pytest.raises(Forbidden):
        make_household(village_b, operator)


def test_duplicate_nik_is_refused(household, operator, village_a):
    existing = household.members.get()
    twin = {
        "nik": existing.nik,
        "name": "Orang Lain",
        "birth_date": existing.birth_date,
        "sex": existing.sex,
    }
    with pytest.raises(ValidationError) as excinfo:
        services.household_create(
            village=village_a,
            data={"address": "Jl. D"},
            head=twin,
            kk_number=kk_for(village_a.code),
            actor=operator,
        )
    assert (
        "sudah ada" in excinfo.value.message_dict["head_nik"][0]
        or "already" in (excinfo.value.message_dict["head_nik"][0])
    )
    assert Individual.objects.filter(nik=existing.nik).count() == 1


# ---------------------------------------------------------------------------- update, versions
def test_update_records_before_and_after_and_needs_a_reason(household, operator):
    with pytest.raises(ValidationError) as excinfo:
        services.household_update(
            household=household,
            data={"floor_material": "earth"},
            version=1,
            reason="",
            actor=operator,
        )
    assert "reason" in excinfo.value.message_dict
    services.household_update(
        household=household,
        data={"floor_material": "earth", "has_car": False},
        version=1,
        reason="visit",
        actor=operator,
    )
    household.refresh_from_db()
    event = household.events.get(kind=HouseholdEventKind.UPDATED)
    assert event.changes == {"floor_material": ["", "earth"]}
    assert event.reason == "visit"
    assert household.version == 2


def test_second_officer_with_a_stale_version_is_refused_and_told_what_changed(
    household, operator, make_user, village_a
):
    # given two officers who opened the household at version 1
    other = make_user(Role.DATA_MANAGER, "19.04", full_name="Bu Data")
    services.household_update(
        household=household,
        data={"roof_material": "zinc"},
        version=1,
        reason="first",
        actor=other,
    )
    # when the second one saves from version 1
    with pytest.raises(StaleObjectError) as excinfo:
        services.household_update(
            household=household,
            data={"roof_material": "clay_tile"},
            version=1,
            reason="second",
            actor=operator,
        )
    # then nothing of theirs is saved and they learn who changed what
    household.refresh_from_db()
    assert household.roof_material == "zinc"
    assert excinfo.value.current_version == 2
    events = excinfo.value.changes["events"]
    assert events[0]["by"] == "Bu Data"
    assert events[0]["changes"] == {"roof_material": ["", "zinc"]}


# ---------------------------------------------------------------------------- member events
def test_birth_adds_a_member_and_a_history_entry(household, operator, village_a):
    baby = services.member_birth(
        household=household,
        actor=operator,
        reason="lahir di puskesmas",
        person=person(
            village_a.code,
            name="Bayi",
            birth=dt.date.today() - dt.timedelta(days=10),
            marital_status="single",
        ),
    )
    household.refresh_from_db()
    assert baby.relation_to_head == RelationToHead.CHILD
    assert baby.family == household.families.get()
    assert household.member_count == 2
    assert _kinds(household)[-1] == HouseholdEventKind.BIRTH


def test_a_second_head_is_refused(household, operator, village_a):
    with pytest.raises(ValidationError) as excinfo:
        services.member_move_in(
            household=household,
            actor=operator,
            relation=RelationToHead.HEAD,
            reason="x",
            person=person(village_a.code, name="Kepala Kedua", female=False),
        )
    assert "relation_to_head" in excinfo.value.message_dict


def test_death_before_birth_or_in_the_future_is_refused(household, operator):
    head = household.members.get()
    for date in (head.birth_date - dt.timedelta(days=1), dt.date.today() + dt.timedelta(days=2)):
        with pytest.raises(ValidationError) as excinfo:
            services.member_death(individual=head, date=date, actor=operator, reason="x")
        assert "date" in excinfo.value.message_dict
    head.refresh_from_db()
    assert head.status == IndividualStatus.ALIVE


def test_death_of_the_head_without_successor_raises_a_no_head_flag(household, operator, village_a):
    spouse = services.member_move_in(
        household=household,
        actor=operator,
        relation=RelationToHead.SPOUSE,
        reason="menikah",
        person=person(village_a.code, name="Istri"),
    )
    head = household.members.get(relation_to_head=RelationToHead.HEAD)
    services.member_death(individual=head, date=dt.date(2026, 1, 5), actor=operator, reason="sakit")
    assert Flag.objects.filter(household=household, kind=FlagKind.NO_HEAD, status="open").exists()
    # the flag closes when a new head is recorded
    services.head_change(
        household=household,
        new_head=spouse,
        old_head_relation=RelationToHead.SPOUSE,
        actor=operator,
        reason="istri menjadi kepala",
    )
    assert not Flag.objects.filter(
        household=household, kind=FlagKind.NO_HEAD, status="open"
    ).exists()
    spouse.refresh_from_db()
    assert spouse.relation_to_head == RelationToHead.HEAD


def test_death_with_a_new_head_changes_the_head_in_one_step(household, operator, village_a):
    son = services.member_move_in(
        household=household,
        actor=operator,
        relation=RelationToHead.CHILD,
        reason="pulang",
        person=person(village_a.code, name="Anak", birth=dt.date(2000, 2, 2), female=False),
    )
    head = household.members.get(relation_to_head=RelationToHead.HEAD)
    services.member_death(
        individual=head, date=dt.date(2026, 1, 5), actor=operator, reason="x", new_head=son
    )
    son.refresh_from_db()
    household.refresh_from_db()
    assert son.relation_to_head == RelationToHead.HEAD
    assert household.member_count == 1
    assert not Flag.objects.filter(household=household, kind=FlagKind.NO_HEAD).exists()
    with pytest.raises(DomainError):
        services.member_death(individual=head, date=dt.date(2026, 1, 6), actor=operator, reason="x")


def test_moving_in_someone_registered_elsewhere_in_scope_moves_them(village_a, make_user, regions):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    origin = make_household(village_a, manager, head_name="Asal")
    mover = services.member_move_in(
        household=origin,
        actor=manager,
        relation=RelationToHead.CHILD,
        reason="x",
        person=person(village_a.code, name="Pindahan", birth=dt.date(1999, 9, 9)),
    )
    target = make_household(village_a, manager, head_name="Tujuan", address="Jl. Baru")
    services.member_move_in(
        household=target,
        actor=manager,
        relation=RelationToHead.OTHER_RELATIVE,
        reason="menumpang",
        person={"nik": mover.nik},
    )
    mover.refresh_from_db()
    assert mover.household == target
    assert HouseholdEventKind.MOVED_OUT in _kinds(origin)
    assert HouseholdEventKind.MOVED_IN in _kinds(target)


def test_village_operator_cannot_take_a_member_of_another_village(
    village_a, village_b, make_user, operator
):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    elsewhere = make_household(village_b, manager)
    person_b = elsewhere.members.get()
    mine = make_household(village_a, operator)
    with pytest.raises(Forbidden):
        services.member_move_in(
            household=mine,
            actor=operator,
            relation=RelationToHead.OTHER_RELATIVE,
            reason="x",
            person={"nik": person_b.nik},
        )
    person_b.refresh_from_db()
    assert person_b.household == elsewhere


def test_split_kk_into_a_new_household(household, operator, village_a):
    child = services.member_move_in(
        household=household,
        actor=operator,
        relation=RelationToHead.CHILD,
        reason="x",
        person=person(village_a.code, name="Anak Dewasa", birth=dt.date(1998, 4, 4)),
    )
    new_kk = kk_for(village_a.code)
    family = services.family_split(
        household=household,
        members=[(child, RelationToHead.HEAD)],
        kk_number=new_kk,
        new_household_address="Jl. Pisah No. 1",
        actor=operator,
        reason="pecah KK",
    )
    child.refresh_from_db()
    assert family.kk_number == new_kk
    assert child.household != household
    assert child.household.address == "Jl. Pisah No. 1"
    assert child.relation_to_head == RelationToHead.HEAD
    household.refresh_from_db()
    assert household.member_count == 1
    assert HouseholdEventKind.KK_SPLIT in _kinds(household)


def test_split_kk_refuses_an_invalid_kk_and_changes_nothing(household, operator, village_a):
    child = services.member_move_in(
        household=household,
        actor=operator,
        relation=RelationToHead.CHILD,
        reason="x",
        person=person(village_a.code, name="Anak", birth=dt.date(1998, 4, 4)),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.family_split(
            household=household,
            members=[(child, RelationToHead.CHILD)],
            kk_number="123",
            actor=operator,
            reason="x",
        )
    assert "kk_number" in excinfo.value.message_dict
    child.refresh_from_db()
    assert child.family.household == household
    assert Family.objects.filter(household=household).count() == 1


def test_correcting_a_name_keeps_the_history(household, operator):
    head = household.members.get()
    services.individual_correct(
        individual=head, data={"name": "Achmad Saputra"}, actor=operator, reason="sesuai KTP"
    )
    event = household.events.get(kind=HouseholdEventKind.MEMBER_CORRECTED)
    assert event.changes == {"name": ["Ahmad Saputra", "Achmad Saputra"]}


# ---------------------------------------------------------------------------- reads, photos, desil
def test_revealing_a_nik_is_audited(household, operator):
    head = household.members.get()
    assert services.nik_reveal(individual=head, actor=operator) == head.nik
    event = AuditEvent.objects.get(action=AuditAction.VIEW_SENSITIVE)
    assert event.actor == operator
    assert event.object_repr == head.nik_masked
    assert event.region_code == household.village_id


def _jpeg_with_gps(width=3000, height=2000) -> bytes:
    image = Image.new("RGB", (width, height), (120, 80, 40))
    exif = Image.Exif()
    gps = {1: "S", 2: (2.0, 21.0, 36.0), 3: "E", 4: (106.0, 12.0, 0.0)}
    exif[34853] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_house_photo_is_shrunk_and_keeps_its_gps_position(household, operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("rumah.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    photo = services.photo_add(household=household, upload=upload, actor=operator, caption="depan")
    with Image.open(photo.image.path) as stored:
        assert max(stored.size) == 1600
    assert float(photo.latitude) == pytest.approx(-2.36, abs=0.001)
    assert float(photo.longitude) == pytest.approx(106.2, abs=0.001)
    household.refresh_from_db()
    assert household.latitude == photo.latitude


def test_a_file_that_is_not_a_photo_is_refused(household, operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    upload = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as excinfo:
        services.photo_add(household=household, upload=upload, actor=operator)
    assert "image" in excinfo.value.message_dict
    assert not household.photos.exists()


def test_every_official_desil_is_kept_with_its_date(household, make_user):
    manager = make_user(Role.DATA_MANAGER, "19.04")
    services.desil_record(
        household=household,
        desil=3,
        as_of=dt.date(2025, 7, 1),
        source="DTSEN 2025-Q3",
        actor=manager,
    )
    services.desil_record(
        household=household,
        desil=5,
        as_of=dt.date(2026, 1, 1),
        source="DTSEN 2026-Q1",
        actor=manager,
    )
    # an older value arriving late does not replace the current one
    services.desil_record(
        household=household,
        desil=2,
        as_of=dt.date(2025, 1, 1),
        source="DTSEN 2025-Q1",
        actor=manager,
    )
    household.refresh_from_db()
    assert (household.desil, household.desil_as_of) == (5, dt.date(2026, 1, 1))
    assert household_desil_on(household=household, date=dt.date(2025, 9, 30)).desil == 3
    assert household_desil_on(household=household, date=dt.date(2024, 12, 31)) is None
    assert Individual.objects.filter(household=household).count() == 1
