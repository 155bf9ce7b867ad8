"""Complaint pages: resident complaint and tracking (no enumeration, rate limited), script made
inert, bad input refused with nothing stored, staff queues, the report and its export."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.tests.factories import household, photo
from complaints import services
from complaints.models import Complaint
from complaints.tests.factories import complaint
from core.choices import Role
from silakso.idempotency import new_form_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(village_a):
    return household(village_a, head_name="Siti Aminah")


FORM_KEY = new_form_key()


def _form(home, **overrides):
    head = home.members.get()
    return {
        "category": "health",
        "village": home.village_id,
        "description": "Puskesmas menolak berobat karena KIS saya tidak aktif.",
        "nik": head.nik,
        "name": head.name,
        "phone": "0812 3456 7890",
        # the key a real form carries: issued and signed by the server when it drew the form
        "submission_key": FORM_KEY,
        **overrides,
    }


def test_a_resident_complains_and_follows_it_with_the_ticket_code(client, home):
    response = client.post(
        reverse("complaints:complaint_create"),
        {**_form(home), "attachment_0": photo()},
        follow=True,
    )
    created = Complaint.objects.get()
    assert created.code in response.content.decode()
    assert created.attachments.count() == 1
    assert client.get(reverse("complaints:status", args=[created.code])).status_code == 200


def test_script_in_the_description_is_shown_as_text(client, login, make_user, home):
    script = "<script>alert('x')</script> tolong bantu kami"
    client.post(reverse("complaints:complaint_create"), _form(home, description=script))
    created = Complaint.objects.get()
    assert created.description == script  # stored as typed
    login(client, make_user(Role.FRONT_OFFICE, "19.04"))
    page = client.get(reverse("complaints:complaint_detail", args=[created.pk])).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 4001}, "description"),
        ({"nik": "123"}, "nik"),
        ({"attachment_0": SimpleUploadedFile("x.exe", b"MZ\x90\x00 nope")}, "attachment_0"),
        (
            {
                "attachment_0": SimpleUploadedFile(
                    "big.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024)
                )
            },
            "attachment_0",
        ),
    ],
)
def test_bad_input_is_named_and_nothing_is_stored(client, home, overrides, field):
    response = client.post(reverse("complaints:complaint_create"), _form(home, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert Complaint.objects.count() == 0


def test_every_mistake_shows_on_the_first_submit_and_the_photo_is_kept(client, home):
    response = client.post(
        reverse("complaints:complaint_create"),
        _form(home, description="rusak", nik="", name="", phone="abc", email="siti@")
        | {"attachment_0": photo("jalan.jpg")},
    )
    errors = response.context["form"].errors
    assert {"description", "nik", "name", "phone", "email"} <= set(errors)
    page = response.content.decode()
    assert 'name="attachment_0__kept"' in page and "jalan.jpg" in page
    # the NIK and the name are marked as needed, though an anonymous misuse report goes without
    for field in ("nik", "name"):
        label = page.split('for="id_{}"'.format(field))[1].split("</label>")[0]
        assert 'class="req"' in label
    assert Complaint.objects.count() == 0


def test_a_double_clicked_submit_makes_one_complaint(client, home):
    client.post(reverse("complaints:complaint_create"), _form(home))
    client.post(reverse("complaints:complaint_create"), _form(home))
    assert Complaint.objects.count() == 1


def test_unknown_code_and_wrong_nik_get_the_same_answer_and_are_rate_limited(
    client, settings, home
):
    created = complaint(home.village, home=home)
    url = reverse("complaints:track")
    wrong_nik = client.post(url, {"code": created.code, "nik": "1904010101010001"})
    unknown = client.post(url, {"code": "P-AAAA-BBBB", "nik": created.complainant_nik})
    assert (
        wrong_nik.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    )
    settings.SILAKSO_TRACK_LIMIT_PER_IP = 2
    assert client.post(url, {"code": "P-AAAA-BBBB", "nik": "1904010101010001"}).status_code == 429


def test_officers_see_only_the_buttons_of_their_step(client, login, make_user, home):
    created = complaint(home.village, home=home)
    url = reverse("complaints:complaint_detail", args=[created.pk])
    login(client, make_user(Role.VILLAGE_OPERATOR, home.village_id))
    assert set(client.get(url).context["actions"]) == {"forward", "resolve"}
    login(client, make_user(Role.BACK_OFFICE, "19.04"))
    actions = client.get(url).context["actions"]
    assert "forward" not in actions and "resolve" not in actions
    # a refused step through the page leaves the complaint as it was
    client.post(
        reverse("complaints:complaint_action", args=[created.pk, "teruskan"]), {"note": "x"}
    )
    assert Complaint.objects.get(pk=created.pk).status == "received"


def test_the_report_counts_times_and_satisfaction(client, login, make_user, village_a):
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    for number, rating in enumerate((4, 4, 3, 2)):
        created = complaint(
            village_a, home=household(village_a, head_name="Warga {}".format("ABCD"[number]))
        )
        Complaint.objects.filter(pk=created.pk).update(
            created_at=created.created_at - dt.timedelta(hours=10 * (number + 1))
        )
        services.complaint_resolve(
            complaint=created,
            actor=operator,
            resolution="Ditangani desa",
            resolved_by_kind="village",
        )
        services.complaint_close(complaint=created, actor=operator, told_via="sms")
        services.complaint_rate(complaint=created, rating=rating)
    complaint(village_a, home=household(village_a, head_name="Belum Selesai"), category="education")
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    report = client.get(reverse("complaints:report")).context["report"]
    assert report["total"] == 5
    assert {row["key"]: row["total"] for row in report["by_category"]} == {
        "social_aid": 4,
        "education": 1,
    }
    times = report["time_to_resolve"]
    assert times["count"] == 4
    assert 24 < times["median_hours"] < 26 and 36 < times["p90_hours"] < 38
    month = report["satisfaction"][0]
    assert month["total"] == 4
    assert [bar["percent"] for bar in month["bars"]] == [50, 25, 25, 0]
    export = client.get(reverse("complaints:export"), {"category": "social_aid"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 5 and "Siti" not in "".join(lines)
    xlsx = client.get(reverse("complaints:export"), {"format": "xlsx"})
    assert xlsx["Content-Disposition"].endswith('pengaduan.xlsx"')


def test_residents_cannot_open_the_report(client, make_user):
    resident = make_user(Role.RESIDENT)
    client.force_login(resident)
    assert client.get(reverse("complaints:report")).status_code == 403
