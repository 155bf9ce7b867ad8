"""The public forms are no oracle and no free-for-all: one answer for every refusal about a
person, limits per connection and per NIK; ratings only by the person who complained."""

import datetime as dt

import pytest
from django.urls import reverse

from applications.models import Application
from applications.tests.factories import household, photo, program, submit
from complaints.models import Complaint
from core import services as core_services
from core.choices import Role
from dtks import services as registry
from dtks.tests.factories import make_period, person
from silakso.idempotency import new_form_key

pytestmark = pytest.mark.django_db


def _apply_form(home, **overrides):
    head = home.members.get(relation_to_head="head")
    return {
        "nik": head.nik,
        "name": head.name,
        "village": home.village_id,
        "address": home.address,
        "phone": "0812 3456 7890",
        "submission_key": new_form_key(),
        "document_0": photo("ktp.jpg"),
        "document_1": photo("kk.jpg"),
        **overrides,
    }


def _answer(client, home, ip, **overrides):
    response = client.post(
        reverse("applications:apply", args=["bpnt"]), _apply_form(home, **overrides), REMOTE_ADDR=ip
    )
    form = response.context["form"] if response.context else None
    errors = {k: [str(m) for m in v] for k, v in form.errors.items()} if form else None
    return response.status_code, errors


def test_every_refusal_about_a_person_gets_the_same_answer(client, village_a, make_user):
    bpnt = program("bpnt")
    manager = make_user(Role.DATA_MANAGER, "19.04")
    # three people, each refused for a different reason
    open_request = household(village_a, desil=1, head_name="Punya Usulan")
    submit(bpnt, open_request)
    receiving = household(village_a, desil=1, head_name="Sudah Menerima")
    today = dt.date.today()
    period = make_period(
        bpnt, starts=today - dt.timedelta(days=5), ends=today + dt.timedelta(days=5)
    )
    registry.enrollment_create(program=bpnt, period=period, household=receiving, actor=manager)
    family = household(village_a, desil=1, head_name="Kepala Keluarga")
    spouse = registry.member_move_in(
        household=family,
        person=person(family.village_id, name="Istri Kepala", birth=dt.date(1985, 3, 4)),
        relation="spouse",
        actor=manager,
        reason="menikah",
    )
    submit(bpnt, family)
    answers = [
        _answer(client, open_request, "10.0.0.1"),
        _answer(client, receiving, "10.0.0.2"),
        _answer(client, family, "10.0.0.3", nik=spouse.nik, name=spouse.name),
    ]
    assert answers[0] == answers[1] == answers[2]
    status, errors = answers[0]
    assert status == 200 and "daring" in str(errors)
    assert Application.objects.count() == 2


def test_the_apply_form_is_limited_per_nik_and_per_connection(client, village_a, monkeypatch):
    program("bpnt")
    monkeypatch.setattr(core_services, "PUBLIC_PER_NIK_PER_DAY", 2)
    monkeypatch.setattr(core_services, "PUBLIC_PER_IP_PER_HOUR", 4)
    target = household(village_a, desil=1, head_name="Warga Sasaran")
    # someone tries the same NIK from different connections: the third try is refused
    for number in (1, 2):
        _answer(client, target, "10.1.0.{}".format(number), name="Nama Salah")
    _status, errors = _answer(client, target, "10.1.0.3")
    assert "Sudah banyak permintaan" in str(errors)
    assert Application.objects.count() == 1  # the first try went through, nothing after
    # one connection trying many NIKs is stopped after four
    others = [household(village_a, desil=1, head_name="Warga {}".format(n)) for n in "ABCDE"]
    results = [_answer(client, home, "10.2.0.9", name="Nama Salah") for home in others]
    assert "Sudah banyak permintaan" not in str(results[3]) and "Sudah banyak permintaan" in str(
        results[4]
    )


def test_the_complaint_form_is_limited_per_connection(client, village_a, monkeypatch):
    monkeypatch.setattr(core_services, "PUBLIC_PER_IP_PER_HOUR", 2)
    home = household(village_a, head_name="Siti Aminah")
    head = home.members.get()

    def complain(number):
        return client.post(
            reverse("complaints:complaint_create"),
            {
                "category": "health",
                "village": home.village_id,
                "description": "Puskesmas menolak berobat nomor {}.".format(number),
                "nik": head.nik,
                "name": head.name,
                "phone": "0812 3456 7890",
                "submission_key": new_form_key(),
            },
            REMOTE_ADDR="10.3.0.1",
        )

    complain(1)
    complain(2)
    refused = complain(3)
    assert "Sudah banyak permintaan" in refused.content.decode()
    assert Complaint.objects.count() == 2


def test_an_officer_cannot_rate_a_complaint_they_can_read(client, login, make_user, village_a):
    from complaints import services as complaints

    home = household(village_a, head_name="Siti Aminah")
    head = home.members.get()
    created, _secret = complaints.complaint_submit(
        category="health",
        description="Puskesmas menolak berobat karena KIS tidak aktif.",
        village=village_a,
        channel="online",
        actor=None,
        complainant={"nik": head.nik, "name": head.name, "phone": "081234567890"},
    )
    Complaint.objects.filter(pk=created.pk).update(status="closed")
    officer = make_user(Role.FRONT_OFFICE, "19.04")
    login(client, officer)
    assert client.get(reverse("complaints:status", args=[created.code])).status_code == 200
    response = client.post(reverse("complaints:rate", args=[created.code]), {"rating": 4})
    assert response.status_code == 404
    from silakso.exceptions import Forbidden

    with pytest.raises(Forbidden):
        complaints.complaint_rate(complaint=created, rating=4, actor=officer)
    created.refresh_from_db()
    assert created.rating is None
