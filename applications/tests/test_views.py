"""The pages as residents and officers use them: apply without an account, follow a request with
code + NIK (no enumeration, rate limited), withdraw, object; officers see only allowed actions."""

import datetime as dt

import pytest
from django.urls import reverse

from applications import services
from applications.choices import ApplicationStatus
from applications.models import Application, Objection
from applications.tests.factories import household, pdf, photo, program, submit
from core.choices import AuditAction, Role
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def bpnt():
    return program("bpnt")


@pytest.fixture
def poor(village_a):
    return household(village_a, desil=2, head_name="Siti Aminah")


def _form(poor, **overrides):
    head = poor.members.get()
    return {
        "nik": head.nik,
        "name": "siti aminah",
        "village": poor.village_id,
        "address": "Jl. Merdeka No. 5, RT 001/RW 002",
        "phone": "0812 3456 7890",
        "submission_key": "k-1",
        "document_0": photo("ktp.jpg"),
        "document_1": photo("kk.jpg"),
        **overrides,
    }


def test_a_resident_applies_without_an_account_and_sees_the_tracking_code(client, bpnt, poor):
    page = client.get(reverse("applications:apply", args=["bpnt"]))
    assert "KTP" in page.content.decode()
    response = client.post(reverse("applications:apply", args=["bpnt"]), _form(poor), follow=True)
    application = Application.objects.get()
    body = response.content.decode()
    assert application.code in body
    assert application.status == ApplicationStatus.AWAITING_DELIBERATION
    assert application.documents.count() == 2
    # the tracking page opens straight away in this browser
    status = client.get(reverse("applications:status", args=[application.code]))
    assert status.status_code == 200
    assert "musyawarah" in status.content.decode().lower()


def test_a_double_clicked_submit_makes_one_request(client, bpnt, poor):
    url = reverse("applications:apply", args=["bpnt"])
    client.post(url, _form(poor))
    client.post(url, _form(poor))
    assert Application.objects.count() == 1


def test_a_missing_document_is_named_on_the_form_and_nothing_is_saved(client, bpnt, poor):
    data = _form(poor)
    del data["document_1"]
    response = client.post(reverse("applications:apply", args=["bpnt"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["document_1"]
    assert Application.objects.count() == 0


def test_a_second_request_gets_one_clear_answer(client, bpnt, poor):
    submit(bpnt, poor)
    response = client.post(reverse("applications:apply", args=["bpnt"]), _form(poor))
    text = response.content.decode().lower()
    assert "tidak dapat dikirim secara daring" in text and "kode lacak" in text
    assert Application.objects.count() == 1


def test_status_pages_need_the_code_and_the_nik_together(client, bpnt, poor):
    application = submit(bpnt, poor)
    # without tracking first, the page does not exist for this visitor
    assert client.get(reverse("applications:status", args=[application.code])).status_code == 404
    url = reverse("applications:track")
    wrong_nik = client.post(url, {"code": application.code, "nik": "1904010101010001"})
    wrong_code = client.post(url, {"code": "U-AAAA-BBBB", "nik": application.applicant_nik})
    # both mistakes give the very same answer
    assert wrong_nik.status_code == wrong_code.status_code == 200
    assert (
        wrong_nik.context["form"].non_field_errors()
        == wrong_code.context["form"].non_field_errors()
    )
    right = client.post(url, {"code": application.code.lower(), "nik": application.applicant_nik})
    assert right.status_code == 302
    page = client.get(right["Location"]).content.decode()
    assert application.code in page
    assert (
        AuditEvent.objects.filter(action=AuditAction.LOOKUP, object_repr__startswith="U-").count()
        == 3
    )


def test_tracking_is_rate_limited(client, settings, bpnt, poor):
    settings.SILAKSO_TRACK_LIMIT_PER_IP = 3
    url = reverse("applications:track")
    for _ in range(3):
        client.post(url, {"code": "U-AAAA-BBBB", "nik": "1904010101010001"})
    assert client.post(url, {"code": "U-AAAA-BBBB", "nik": "1904010101010001"}).status_code == 429


def test_the_resident_withdraws_from_the_status_page(client, bpnt, poor):
    application = submit(bpnt, poor)
    client.post(
        reverse("applications:track"), {"code": application.code, "nik": application.applicant_nik}
    )
    url = reverse("applications:withdraw", args=[application.code])
    assert client.post(url, {}).status_code == 200  # the confirmation box is required
    client.post(url, {"confirm": "on", "reason": "sudah dapat kerja"})
    assert Application.objects.get().status == ApplicationStatus.WITHDRAWN


def test_a_public_objection_is_stored_for_dinsos_only(
    client, bpnt, poor, village_a, login, make_user
):
    application = submit(bpnt, poor)
    response = client.post(
        reverse("applications:objection_create"),
        {
            "kind": "not_eligible",
            "village": village_a.code,
            "subject_name": "Siti Aminah",
            "reason": "Punya toko besar dan mobil di depan rumah",
            "objector_name": "Tetangga Jujur",
            "objector_phone": "081299999999",
        },
        follow=True,
    )
    assert response.status_code == 200
    objection = Objection.objects.get()
    assert objection.application == application  # matched for the verifier
    # the village operator cannot read objections, the verifier can, with the objector
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, operator)
    assert (
        client.get(reverse("applications:objection_detail", args=[objection.pk])).status_code == 403
    )
    verifier = make_user(Role.VERIFIER, "19.04")
    login(client, verifier)
    page = client.get(
        reverse("applications:objection_detail", args=[objection.pk])
    ).content.decode()
    assert "Tetangga Jujur" in page


def test_public_objections_are_rate_limited(client, settings, village_a):
    settings.SILAKSO_OBJECTION_LIMIT_PER_IP = 1
    data = {
        "kind": "missing",
        "village": village_a.code,
        "subject_name": "Mbah Sarni",
        "reason": "Janda lansia tinggal sendiri belum pernah didata",
    }
    client.post(reverse("applications:objection_create"), data)
    assert client.post(reverse("applications:objection_create"), data).status_code == 429
    assert Objection.objects.count() == 1


def test_an_objection_upheld_stops_the_request(bpnt, poor, make_user):
    head = make_user(Role.VILLAGE_HEAD, poor.village_id)
    verifier = make_user(Role.VERIFIER, "19.04")
    application = submit(bpnt, poor)
    services.deliberation_record(
        village=poor.village,
        kind="sptjm",
        held_on=dt.date.today(),
        document=pdf(),
        decisions={application.pk: (True, "")},
        actor=head,
    )
    objection = services.objection_submit(
        kind="not_eligible",
        village=poor.village,
        subject_name="Siti Aminah",
        reason="Suaminya pegawai negeri sipil",
    )
    services.objection_answer(
        objection=objection,
        actor=verifier,
        outcome="upheld",
        answer="Benar, suami PNS aktif",
        reject_application=True,
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert "Benar, suami PNS aktif" in application.decision_reason


def test_an_objector_is_told_the_answer_and_a_resident_follows_theirs(
    client, login, poor, make_user
):
    from core.models import Notification

    resident = make_user(Role.RESIDENT, phone="081277770000")
    stranger = make_user(Role.RESIDENT)
    mine = services.objection_submit(
        kind="not_eligible",
        village=poor.village,
        subject_name="Budi Santoso",
        reason="Punya toko besar di pasar",
        objector=resident,
    )
    by_phone = services.objection_submit(
        kind="not_eligible",
        village=poor.village,
        subject_name="Rina Wati",
        reason="Sudah pindah ke kota lain",
        objector_phone="0812 6666 5555",
    )
    login(client, resident)
    page = client.get(reverse("core:home")).content.decode()
    assert mine.code in page and by_phone.code not in page
    assert "Menunggu jawaban" in page
    verifier = make_user(Role.VERIFIER, "19.04")
    for objection in (mine, by_phone):
        services.objection_answer(
            objection=objection, actor=verifier, outcome="dismissed", answer="Data sudah benar"
        )
    page = client.get(reverse("core:home")).content.decode()
    assert "Data sudah benar" in page
    told = Notification.objects.filter(event="objection.answered")
    assert set(told.values_list("recipient", flat=True)) == {"081277770000", "081266665555"}
    login(client, stranger)
    assert mine.code not in client.get(reverse("core:home")).content.decode()


def test_officers_see_only_the_actions_their_role_may_take(client, login, bpnt, poor, make_user):
    application = submit(bpnt, poor)
    head = make_user(Role.VILLAGE_HEAD, poor.village_id)
    services.deliberation_record(
        village=poor.village,
        kind="sptjm",
        held_on=dt.date.today(),
        document=pdf(),
        decisions={application.pk: (True, "")},
        actor=head,
    )
    url = reverse("applications:application_detail", args=[application.pk])
    login(client, make_user(Role.VERIFIER, "19.04"))
    page = client.get(url)
    assert set(page.context["actions"]) >= {"verify", "reject", "field_check"}
    assert application.applicant_nik not in page.content.decode()  # masked
    login(client, make_user(Role.VILLAGE_OPERATOR, poor.village_id))
    page = client.get(url)
    assert "verify" not in page.context["actions"]
    assert (
        client.post(reverse("applications:application_verify", args=[application.pk])).status_code
        == 302
    )
    assert Application.objects.get().status == ApplicationStatus.DELIBERATED


def test_the_worklist_counts_what_waits_at_each_step(
    client, login, bpnt, poor, village_a, make_user
):
    submit(bpnt, poor)
    submit(bpnt, household(village_a, desil=9, head_name="Orang Mampu"))
    login(client, make_user(Role.VERIFIER, "19.04"))
    counters = {
        c["status"]: c
        for c in client.get(reverse("applications:application_list")).context["counters"]
    }
    assert counters["awaiting_deliberation"]["total"] == 1
    assert counters["needs_update"]["total"] == 1
    assert counters["awaiting_deliberation"]["oldest_days"] == 0


def test_documents_are_served_to_staff_in_scope_and_every_opening_is_audited(
    client, login, bpnt, poor, village_b, make_user
):
    application = submit(bpnt, poor)
    document = application.documents.get()
    url = reverse("applications:document_file", args=[application.pk, document.pk])
    assert client.get(url).status_code == 302  # sign in first
    login(client, make_user(Role.VILLAGE_OPERATOR, village_b.code))
    assert client.get(url).status_code == 404
    login(client, make_user(Role.VERIFIER, "19.04"))
    assert client.get(url)["Content-Type"] == "image/jpeg"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW_SENSITIVE, object_repr=application.code
    ).exists()


def test_a_resident_account_lists_its_own_requests(client, bpnt, poor, make_user):
    from django.contrib.auth import get_user_model

    application = submit(bpnt, poor)
    resident = make_user(Role.RESIDENT)
    get_user_model().objects.filter(pk=resident.pk).update(nik=application.applicant_nik)
    client.force_login(resident)
    page = client.get(reverse("applications:my_applications")).content.decode()
    assert application.code in page
    assert client.get(reverse("applications:status", args=[application.code])).status_code == 200


def test_a_code_typed_without_dashes_finds_the_request_and_shares_its_limit(
    client, settings, bpnt, poor
):
    application = submit(bpnt, poor)
    url = reverse("applications:track")
    typed = application.code.replace("-", "").lower()  # "usp4wkh87", as read over the phone
    found = client.post(url, {"code": typed, "nik": application.applicant_nik}, follow=True)
    assert application.code in found.content.decode()
    # every spelling of one code counts against the same limit
    settings.SILAKSO_TRACK_LIMIT_PER_IP = 1000
    settings.SILAKSO_TRACK_LIMIT_PER_CODE = 3
    from django.core.cache import cache

    cache.clear()
    for variant in ("U-AAAA-BBBB", "uaaaabbbb", "AAAA BBBB"):
        client.post(url, {"code": variant, "nik": "1904010101010001"})
    assert client.post(url, {"code": "u-aaaa-bbbb", "nik": "1904010101010001"}).status_code == 429


def test_every_mistake_shows_on_the_first_submit_and_the_chosen_photos_are_kept(client, bpnt, poor):
    import re

    url = reverse("applications:apply", args=["bpnt"])
    # a NIK one digit short, a phone number in letters, a broken email, two good photos
    first = client.post(
        url, _form(poor, nik=poor.members.get().nik[:15], phone="abc", email="siti@")
    )
    errors = first.context["form"].errors
    assert {"nik", "phone", "email"} <= set(errors)
    assert "15" in " ".join(errors["nik"])
    page = first.content.decode()
    kept = dict(re.findall(r'name="(document_\d)__kept" value="([^"]+)"', page))
    assert set(kept) == {"document_0", "document_1"}
    assert "ktp.jpg" in page and "kk.jpg" in page
    assert Application.objects.count() == 0
    # corrected, sent again without choosing the photos: the kept ones go with it
    data = _form(poor)
    del data["document_0"], data["document_1"]
    data.update({name + "__kept": token for name, token in kept.items()})
    client.post(url, data)
    application = Application.objects.get()
    assert (
        sorted(d.file.name.rsplit("/", 1)[-1][:3] for d in application.documents.all())
        == [
            "kk",
            "ktp",
        ]
        or application.documents.count() == 2
    )


def test_a_kept_file_token_cannot_be_forged(client, bpnt, poor):
    data = _form(poor)
    del data["document_1"]
    data["document_1__kept"] = "kept/../../settings.py"
    response = client.post(reverse("applications:apply", args=["bpnt"]), data)
    assert response.context["form"].errors["document_1"]
    assert Application.objects.count() == 0
