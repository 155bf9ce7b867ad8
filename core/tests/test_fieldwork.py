"""The field app's server side: the phone keeps only the operator's area, masked; an item is
recorded once however often it is sent; a refusal names its field in Indonesian; a household
changed meanwhile answers a conflict with the server's version; nobody else's items or
households; signing out tells the browser to wipe what it kept."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from core.choices import Role
from core.models import FieldSubmission
from dtks.models import Individual
from dtks.services import member_birth
from dtks.tests.factories import make_household, nik_for, person

pytestmark = pytest.mark.django_db

BORN = dt.date.today() - dt.timedelta(days=7)


@pytest.fixture
def operator(make_user, village_a):
    return make_user(Role.VILLAGE_OPERATOR, village_a.code)


def _birth_fields(home, village_code, **extra):
    return {
        "nik": nik_for(village_code, BORN, female=True),
        "name": "Putri Lapangan",
        "birth_date": BORN.isoformat(),
        "sex": "female",
        "marital_status": "single",
        "disability": "none",
        "id_card_status": "none",
        "relation_to_head": "child",
        "family": str(home.families.first().pk),
        "source": "field_visit",
        **extra,
    }


def _send(client, home, fields, *, key="kunci-0001", version=None, step="birth"):
    return client.post(
        reverse("core:field_submit"),
        {
            "key": key,
            "flow": "household",
            "step": step,
            "object": home.pk,
            "version": home.version if version is None else version,
            "fields": json.dumps(fields),
        },
    ).json()


def test_the_phone_keeps_the_operators_area_masked_with_the_forms(
    client, login, operator, village_a, village_b
):
    mine = make_household(village_a, head_name="Sumarni Desa A")
    make_household(village_b, head_name="Warga Desa B")
    login(client, operator)
    data = client.get(reverse("core:field_data")).json()
    assert [h["id"] for h in data["households"]] == [mine.pk]
    head = data["households"][0]["members"][0]
    assert head["name"] == "Sumarni Desa A" and head["nik"].startswith("****")
    assert mine.members.first().nik not in json.dumps(data)  # never a full NIK
    birth = data["forms"]["household:birth"]
    assert birth["label"] == "Kelahiran"
    names = {field["name"]: field for field in birth["fields"]}
    assert names["nik"]["required"] and names["family"]["type"] == "object"
    assert names["sex"]["type"] == "radio" and ["female", "Perempuan"] in names["sex"]["choices"]
    assert {"household:move_in", "household:death", "household:move_out", "household:photo"} <= set(
        data["forms"]
    )


def test_an_item_is_recorded_once_however_often_it_is_sent(client, login, operator, village_a):
    home = make_household(village_a)
    login(client, operator)
    first = _send(client, home, _birth_fields(home, village_a.code))
    assert first["status"] == "accepted" and first["object"]["version"] == home.version + 1
    again = _send(client, home, _birth_fields(home, village_a.code))  # the answer was lost
    assert again["status"] == "accepted" and again["again"] is True
    assert Individual.objects.filter(name="Putri Lapangan").count() == 1
    assert FieldSubmission.objects.filter(user=operator).count() == 1


def test_a_refusal_names_its_field_in_indonesian(client, login, operator, village_a):
    home = make_household(village_a)
    login(client, operator)
    answer = _send(client, home, _birth_fields(home, village_a.code, name="", sex="robot"))
    assert answer["status"] == "refused"
    assert set(answer["errors"]) >= {"name", "sex"}
    assert "wajib" in answer["errors"]["name"][0]
    assert not FieldSubmission.objects.exists()
    # corrected, the same item (same key) is accepted
    fixed = _send(client, home, _birth_fields(home, village_a.code))
    assert fixed["status"] == "accepted"


def test_a_household_changed_meanwhile_answers_a_conflict_with_the_servers_version(
    client, login, operator, village_a, make_user
):
    home = make_household(village_a)
    seen_version = home.version
    member_birth(
        household=home,
        person=person(village_a.code, name="Bayi Kantor", birth=BORN, female=False),
        actor=make_user(Role.DATA_MANAGER, "19.04"),
        relation="child",
        family=home.families.first(),
    )
    login(client, operator)
    answer = _send(client, home, _birth_fields(home, village_a.code), version=seen_version)
    assert answer["status"] == "conflict"
    assert answer["changes"][0]["event"] == "Kelahiran"
    assert "Bayi Kantor" in [m["name"] for m in answer["object"]["members"]]
    assert not Individual.objects.filter(name="Putri Lapangan").exists()
    newest = answer["object"]["version"]
    assert _send(client, home, _birth_fields(home, village_a.code), version=newest)["status"] == (
        "accepted"
    )


def test_nobody_reaches_another_area_or_another_accounts_item(
    client, login, operator, village_a, village_b, make_user
):
    theirs = make_household(village_b)
    login(client, operator)
    answer = _send(client, theirs, _birth_fields(theirs, village_b.code))
    assert answer["status"] == "refused" and "wilayah" in answer["message"]
    mine = make_household(village_a)
    assert (
        _send(client, mine, _birth_fields(mine, village_a.code), key="kunci-kita")["status"]
        == "accepted"
    )
    other = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, other)
    reused = _send(client, mine, _birth_fields(mine, village_a.code), key="kunci-kita")
    assert reused["status"] == "refused"
    # the app is for field staff: a verifier's session gets no village data
    login(client, make_user(Role.VERIFIER, "19.04"))
    assert client.get(reverse("core:field_data")).status_code == 403
    assert client.get(reverse("core:field_app")).status_code == 403


def test_a_deactivated_operators_phone_gets_nothing_and_sign_out_wipes_it(
    client, login, operator, village_a
):
    make_household(village_a)
    login(client, operator)
    assert client.get(reverse("core:field_data")).status_code == 200
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    answer = client.get(reverse("core:field_data"))
    assert answer.status_code == 302  # the session no longer signs in: the app wipes its copy
    assert client.post(reverse("core:field_submit"), {"key": "x" * 10}).status_code == 401
    operator.is_active = True
    operator.save(update_fields=["is_active"])
    login(client, operator)
    out = client.post(reverse("core:logout"))
    assert out["Clear-Site-Data"] == '"cache", "storage"'


def test_the_worker_and_the_manifest_make_it_installable(client, login, operator):
    worker = client.get(reverse("core:field_worker"))
    assert worker["Service-Worker-Allowed"] == "/lapangan/"
    assert worker["Content-Type"].startswith("application/javascript")
    body = worker.content.decode()
    assert "/static/js/field.js" in body and "/lapangan/" in body
    manifest = client.get(reverse("core:field_manifest")).json()
    assert manifest["start_url"] == "/lapangan/" and manifest["display"] == "standalone"
    assert any(icon["sizes"] == "192x192" for icon in manifest["icons"])


def test_a_complaint_taken_in_the_field_is_received_once_with_its_field_errors(
    client, login, operator, village_a
):
    from complaints.models import Complaint

    home = make_household(village_a, head_name="Pengadu Lapangan")
    login(client, operator)
    form = client.get(reverse("core:field_data")).json()["forms"]["complaint:create"]
    assert form["label"] == "Pengaduan warga"
    fields = {field["name"]: field for field in form["fields"]}
    assert fields["channel"]["initial"] == "home_visit"
    offered = {code: label.split(" · ")[0] for code, label in fields["village"]["choices"]}
    assert offered[village_a.code] == village_a.name

    def send(extra, key="aduan-0001"):
        data = {
            "category": "social_aid",
            "village": village_a.code,
            "description": "Bantuan sembako bulan ini belum sampai ke rumah kami.",
            "nik": home.members.first().nik,
            "name": "Pengadu Lapangan",
            "channel": "home_visit",
            **extra,
        }
        return client.post(
            reverse("core:field_submit"),
            {
                "key": key,
                "flow": "complaint",
                "step": "create",
                "object": "",
                "fields": json.dumps(data),
            },
        ).json()

    refused = send({"nik": ""})
    assert refused["status"] == "refused" and "nik" in refused["errors"]
    accepted = send({})
    assert accepted["status"] == "accepted" and "P-" in accepted["message"]
    assert send({})["again"] is True
    assert Complaint.objects.filter(entered_by=operator, channel="home_visit").count() == 1


def test_an_aid_request_taken_in_the_field_arrives_with_its_documents(
    client, login, operator, village_a
):
    from applications.models import Application
    from applications.tests.factories import household, photo, program

    bpnt = program()
    home = household(village_a, head_name="Pemohon Lapangan")
    login(client, operator)
    form = client.get(reverse("core:field_data")).json()["forms"]["application_bpnt:create"]
    documents = [field["name"] for field in form["fields"] if field["type"] == "photo"]
    assert len(documents) == 2  # KTP and KK, as the program asks
    head = home.members.first()
    data = {
        "nik": head.nik,
        "name": head.name,
        "village": village_a.code,
        "address": home.address,
        "phone": "081234567890",
        "reason": "Kepala keluarga sakit, tidak bisa bekerja.",
        "channel": "home_visit",
    }
    missing = client.post(
        reverse("core:field_submit"),
        {
            "key": "usulan-0001",
            "flow": "application_bpnt",
            "step": "create",
            "fields": json.dumps({**data, "nik": "12345"}),
        },
    ).json()
    assert missing["status"] == "refused" and "nik" in missing["errors"]
    sent = client.post(
        reverse("core:field_submit"),
        {
            "key": "usulan-0001",
            "flow": "application_bpnt",
            "step": "create",
            "fields": json.dumps(data),
            **{name: photo(name + ".jpg") for name in documents},
        },
    ).json()
    assert sent["status"] == "accepted" and "U-" in sent["message"]
    application = Application.objects.get(program=bpnt)
    assert application.channel == "home_visit" and application.entered_by == operator
    assert application.documents.count() == 2


def test_what_the_phone_keeps_is_a_read_in_the_audit_trail(client, login, operator, village_a):
    from core.models import AuditEvent

    make_household(village_a)
    login(client, operator)
    client.get(reverse("core:field_data"))
    event = AuditEvent.objects.filter(actor=operator, object_type="dtks.household").get()
    assert event.action == "view" and "1" in event.object_repr
