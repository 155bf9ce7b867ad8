"""Registry pages: masked NIKs, audited opens, tolerant search, clear errors, stale edits."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.choices import AuditAction, Role
from core.models import AuditEvent
from dtks import services
from dtks.tests.factories import make_household, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(make_user, village_a):
    return make_user(Role.VILLAGE_OPERATOR, village_a.code)


@pytest.fixture
def household(village_a, operator):
    return make_household(village_a, operator, head_name="Sumarni Lestari")


def test_household_page_masks_nik_and_opening_it_is_audited(client, login, operator, household):
    login(client, operator)
    page = client.get(reverse("dtks:household_detail", args=[household.pk]))
    html = page.content.decode()
    head = household.members.get()
    assert page.status_code == 200
    assert head.nik not in html
    assert head.nik_masked in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(household.pk), actor=operator
    ).exists()


def test_show_nik_button_returns_the_full_nik_fragment(client, login, operator, household):
    login(client, operator)
    head = household.members.get()
    response = client.post(reverse("dtks:nik_reveal", args=[head.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert head.nik in response.content.decode()


def test_search_finds_a_misspelt_name(client, login, operator, household):
    login(client, operator)
    response = client.get(reverse("dtks:household_list"), {"q": "sumarny lestary"})
    assert household.address in response.content.decode()
    assert list(response.context["page"]) == [household]


def test_a_regency_officer_finds_the_same_people_as_the_village_operator(
    client, login, operator, household, make_user, village_b, regions
):
    # the regency-wide search probes each match's household instead of hashing the scope:
    # same answers, and nothing of another regency
    make_household(village_b, head_name="Sumarni Lestari")
    other_regency = regions.filter(code__startswith="19.01.", level=4).first()
    make_household(other_regency, head_name="Sumarni Lestari")
    login(client, operator)
    village = list(client.get(reverse("dtks:household_list"), {"q": "sumarni"}).context["page"])
    login(client, make_user(Role.DATA_MANAGER, "19.04"))
    regency = list(client.get(reverse("dtks:household_list"), {"q": "sumarni"}).context["page"])
    assert village == [household]
    assert household in regency and len(regency) == 2
    assert all(found.village_id.startswith("19.04.") for found in regency)


def test_stale_edit_shows_what_the_other_officer_changed(
    client, login, operator, household, make_user
):
    other = make_user(Role.DATA_MANAGER, "19.04", full_name="Pak Verif")
    services.household_update(
        household=household,
        data={"water_source": "rain"},
        version=1,
        reason="kunjungan",
        actor=other,
    )
    login(client, operator)
    form = client.get(reverse("dtks:household_update", args=[household.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        version=1,
        reason="saya juga",
        source="field_visit",
        water_source="bottled",
        address=household.address,
        livestock_count=0,
    )
    response = client.post(reverse("dtks:household_update", args=[household.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pak Verif" in html
    # the change in words: the field's name and the value's label, not `water_source: rain`
    conflict = html.split('class="card message warning" role="alert"')[1].split("</section>")[0]
    assert "water_source" not in conflict and "rain" not in conflict
    assert "Sumber air minum" in conflict and "hujan" in conflict.lower()
    household.refresh_from_db()
    assert household.water_source == "rain"


def test_the_map_link_keeps_decimal_points_in_indonesian(client, login, operator, household):
    from dtks.models import Household

    Household.objects.filter(pk=household.pk).update(latitude="-2.361200", longitude="106.100400")
    login(client, operator)
    html = client.get(reverse("dtks:household_detail", args=[household.pk])).content.decode()
    assert "mlat=-2.361200&amp;mlon=106.100400" in html


def test_birth_form_puts_nik_errors_on_the_nik_field(client, login, operator, household, village_a):
    login(client, operator)
    baby = person(village_a.code, name="Bayi", birth=dt.date.today() - dt.timedelta(days=5))
    response = client.post(
        reverse("dtks:member_event", args=[household.pk, "kelahiran"]),
        {
            **baby,
            "nik": baby["nik"][:15],
            "family": household.families.get().pk,
            "relation_to_head": "child",
            "version": household.version,
            "source": "field_visit",
            "marital_status": "single",
            "disability": "none",
            "id_card_status": "none",
        },
    )
    assert response.status_code == 200
    assert "nik" in response.context["form"].errors
    assert "16" in response.context["form"].errors["nik"][0]
    assert household.members.count() == 1


def test_photos_are_served_only_inside_the_scope(
    client, login, operator, household, make_user, village_b, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    photo = services.photo_add(
        household=household,
        actor=operator,
        upload=SimpleUploadedFile("r.png", buffer.getvalue(), content_type="image/png"),
    )
    url = reverse("dtks:photo_file", args=[household.pk, photo.pk])
    login(client, operator)
    assert client.get(url).status_code == 200
    stranger = login(type(client)(), make_user(Role.VILLAGE_OPERATOR, village_b.code))
    assert stranger.get(url).status_code == 404
    assert type(client)().get(url).status_code == 302  # anonymous: to the sign-in page


def test_village_head_sees_but_cannot_open_edit_forms(
    client, login, make_user, household, village_a
):
    login(client, make_user(Role.VILLAGE_HEAD, village_a.code))
    assert client.get(reverse("dtks:household_detail", args=[household.pk])).status_code == 200
    assert client.get(reverse("dtks:household_update", args=[household.pk])).status_code == 403


def test_pmt_page_starts_a_ranking_job_for_data_managers_only(client, login, make_user, operator):
    from core.models import Job

    login(client, operator)
    assert client.post(reverse("dtks:pmt_overview")).status_code == 403
    manager = make_user(Role.DATA_MANAGER, "19.04")
    login(client, manager)
    page = client.get(reverse("dtks:pmt_overview"))
    # the weights in words: the field's name and each material's label, no raw codes
    html = page.content.decode()
    assert "floor_material" not in html and '<th scope="row">Lantai</th>' in html
    assert "ceramic" not in html
    response = client.post(reverse("dtks:pmt_overview"))
    job = Job.objects.get(started_by=manager)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.task_name == "dtks.tasks.rank_pmt_task"


def test_household_page_explains_the_local_estimate(client, login, operator, household):
    from dtks import pmt
    from dtks.models import PmtWeightSet

    pmt.run_ranking(weight_set=PmtWeightSet.objects.get(is_active=True))
    login(client, operator)
    html = client.get(reverse("dtks:household_detail", args=[household.pk])).content.decode()
    assert "v1 SILAKSO default" in html
    assert "lantai" in html  # the floor variable's contribution, labelled in Indonesian


def test_a_photo_uploaded_as_a_recipient_list_is_refused_on_the_form(client, login, make_user):
    from core.models import Job
    from dtks.tests.factories import make_period, make_program

    manager = make_user(Role.DATA_MANAGER, "19.04")
    period = make_period(make_program("bpnt", aid="food"))
    login(client, manager)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(picture, "PNG")
    response = client.post(
        reverse("dtks:period_detail", args=[period.pk]),
        {"file": SimpleUploadedFile("penerima.csv", picture.getvalue(), "text/csv")},
    )
    assert response.status_code == 400
    message = " ".join(response.context["import_form"].errors["file"])
    assert "CSV" in message and "text" not in message.lower().split()
    assert not Job.objects.filter(started_by=manager).exists()
