"""Cases and referrals through the services: the flow, who may take each step, the
duplicate-service guard, capacity, inactive providers, escalation of unanswered referrals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications.tests.factories import household
from core.choices import Role
from core.models import Notification
from referrals import selectors, services
from referrals.models import Case, Referral, WebhookDelivery
from silakso.exceptions import DomainError, Forbidden, InvalidTransition

from .factories import case, case_worker, provider, provider_admin, referral, service

pytestmark = pytest.mark.django_db


def test_a_case_is_assessed_referred_followed_and_closed_when_everything_is_settled(
    make_user, village_a
):
    worker = case_worker(village_a)
    officer = make_user(Role.FRONT_OFFICE, "19.04")
    health = service(provider("Dinas Kesehatan"), "Aktivasi PBI-JK", domain="health")
    school = service(provider("Dinas Pendidikan"), "Program Indonesia Pintar", domain="education")
    health_admin = provider_admin(health.provider)
    school_admin = provider_admin(school.provider)

    opened = case(village_a, worker=worker)
    assert {a.domain for a in opened.assessments.all()} == {
        "health",
        "education",
        "housing",
        "economy",
        "civil_documents",
        "social_rehabilitation",
    }
    services.case_assess(
        case=opened, domain="health", need="urgent", notes="KIS tidak aktif", actor=worker
    )
    services.case_plan(
        case=opened,
        plan="Aktifkan KIS, ajukan PIP untuk anak.",
        follow_up_on=timezone.localdate() + dt.timedelta(days=30),
        actor=worker,
    )
    to_health = referral(opened, health, worker=officer)
    to_school = referral(opened, school, worker=officer)
    assert to_health.status == "sent" and to_health.response_due_at > timezone.now()

    services.referral_respond(referral=to_health, actor=health_admin, accept=True)
    services.referral_start(referral=to_health, actor=health_admin)
    services.referral_complete(
        referral=to_health,
        actor=health_admin,
        outcome="KIS PBI aktif kembali",
        outcome_date=timezone.localdate(),
        value="0",
    )
    with pytest.raises(DomainError) as refused:
        services.case_close(case=opened, actor=worker)
    assert refused.value.code == "referrals_open"

    services.referral_respond(
        referral=to_school, actor=school_admin, accept=False, reason="Anak sudah menerima PIP."
    )
    with pytest.raises(DomainError) as refused:
        services.case_close(case=opened, actor=worker)
    assert refused.value.code == "follow_up_open"

    services.case_follow_up_done(case=opened, notes="Berobat rutin sudah berjalan.", actor=worker)
    services.case_close(case=opened, actor=worker)
    opened.refresh_from_db()
    assert opened.status == "closed"
    with pytest.raises(InvalidTransition):
        services.case_close(case=opened, actor=worker)
    progress = selectors.case_progress(case=opened)
    assert (progress["total"], progress["settled"], progress["completed"]) == (2, 2, 1)
    steps = list(
        Referral.objects.get(pk=to_health.pk)
        .status_changes.order_by("pk")
        .values_list("to_status", flat=True)
    )
    assert steps == ["draft", "sent", "accepted", "in_service", "completed"]
    # a new case can be opened for the household once the first is closed
    assert services.case_create(household=opened.household, origin="walk_in", actor=worker).pk


def test_one_open_case_per_household(village_a):
    worker = case_worker(village_a)
    first = case(village_a, worker=worker)
    with pytest.raises(DomainError, match=first.code):
        services.case_create(household=first.household, origin="walk_in", actor=worker)
    assert Case.objects.filter(household=first.household).count() == 1


def test_only_case_workers_in_scope_open_cases_and_only_the_provider_answers(
    make_user, village_a, village_b
):
    home = household(village_a)
    for outsider in (
        make_user(Role.VILLAGE_OPERATOR, village_b.code),
        make_user(Role.VERIFIER, "19.04"),
        provider_admin(provider("Dinas Sosial Provinsi")),
    ):
        with pytest.raises(Forbidden):
            services.case_create(household=home, origin="walk_in", actor=outsider)

    health = service(provider("Dinas Kesehatan"))
    sent = referral(case(village_a, home=home), health)
    other_provider_admin = provider_admin(provider("BAZNAS", kind="baznas"))
    for stranger in (other_provider_admin, case_worker(village_a)):
        with pytest.raises(Forbidden):
            services.referral_respond(referral=sent, actor=stranger, accept=True)
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_illegal_steps_are_refused_and_nothing_changes(village_a):
    health = service()
    owner = provider_admin(health.provider)
    sent = referral(case(village_a), health)
    with pytest.raises(InvalidTransition):
        services.referral_complete(referral=sent, actor=owner, outcome="Sudah dilayani")
    services.referral_respond(referral=sent, actor=owner, accept=True)
    with pytest.raises(InvalidTransition):
        services.referral_respond(referral=sent, actor=owner, accept=True)
    with pytest.raises(InvalidTransition):
        services.referral_cancel(referral=sent, actor=case_worker(village_a), reason="Tidak jadi")
    sent.refresh_from_db()
    assert sent.status == "accepted" and sent.outcome == ""


def test_a_decline_needs_a_reason(village_a):
    health = service()
    sent = referral(case(village_a), health)
    with pytest.raises(ValidationError) as refused:
        services.referral_respond(
            referral=sent, actor=provider_admin(health.provider), accept=False, reason="  "
        )
    assert "reason" in refused.value.message_dict
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.responded_at is None


def test_an_inactive_provider_takes_no_referrals(village_a):
    health = service(provider("Dinas Kesehatan", webhook_url="http://127.0.0.1:9/hook"))
    provider_admin(health.provider)
    draft = referral(case(village_a), health, send=False)
    health.provider.is_active = False
    health.provider.save()
    with pytest.raises(DomainError) as refused:
        services.referral_send(referral=draft, actor=case_worker(village_a))
    assert refused.value.code == "provider_inactive"
    assert "Dinas Kesehatan" in str(refused.value.message)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.sent_at is None
    assert not WebhookDelivery.objects.exists()
    assert not Notification.objects.filter(subject__icontains="Aktivasi").exists()


def test_a_full_service_takes_no_more_until_room_is_freed(village_a, village_b):
    house_repair = service(
        provider("Dinas Perkim"), "Bedah rumah (RS-RTLH)", domain="housing", capacity=1
    )
    owner = provider_admin(house_repair.provider)
    first = referral(case(village_a, head_name="Satu"), house_repair)
    second_case = case(village_b, head_name="Dua")
    worker_b = case_worker(village_b)
    draft = referral(second_case, house_repair, worker=worker_b, send=False)
    with pytest.raises(DomainError) as refused:
        services.referral_send(referral=draft, actor=worker_b)
    assert refused.value.code == "capacity_full"
    assert selectors.services_with_capacity(provider=house_repair.provider)[0]["used"] == 1
    services.referral_respond(
        referral=first, actor=owner, accept=False, reason="Tanah belum bersertifikat."
    )
    services.referral_send(referral=draft, actor=worker_b)
    draft.refresh_from_db()
    assert draft.status == "sent"


def test_the_duplicate_service_guard_warns_and_needs_a_reason(village_a):
    worker = case_worker(village_a)
    pbi = service(provider("Dinas Kesehatan"), "Aktivasi PBI-JK", domain="health")
    jamkesda = service(provider("BAZNAS", kind="baznas"), "Biaya berobat", domain="health")
    umkm = service(provider("Dinas Koperasi"), "Modal usaha KUBE", domain="economy")
    opened = case(village_a, worker=worker)
    referral(opened, pbi, worker=worker)

    again = referral(opened, pbi, worker=worker, send=False)
    other_health = referral(opened, jamkesda, worker=worker, send=False)
    economy = referral(opened, umkm, worker=worker, send=False)
    for draft in (again, other_health):
        assert selectors.referral_duplicates(draft)
        with pytest.raises(DomainError) as refused:
            services.referral_send(referral=draft, actor=worker)
        assert refused.value.code == "duplicate_service"
        assert "Aktivasi PBI-JK" in str(refused.value.message)
        draft.refresh_from_db()
        assert draft.status == "draft"
    # another domain is no duplicate
    assert selectors.referral_duplicates(economy) == []
    services.referral_send(referral=economy, actor=worker)
    # with a reason it goes, and the reason stays on the referral and in its history
    reason = "PBI baru aktif bulan depan; berobat minggu ini."
    services.referral_send(referral=other_health, actor=worker, duplicate_reason=reason)
    other_health.refresh_from_db()
    assert other_health.status == "sent" and other_health.duplicate_reason == reason
    assert other_health.status_changes.get(to_status="sent").note == reason


def test_a_declined_or_old_service_is_no_duplicate(village_a):
    worker = case_worker(village_a)
    pbi = service(provider("Dinas Kesehatan"), "Aktivasi PBI-JK", domain="health")
    opened = case(village_a, worker=worker)
    declined = referral(opened, pbi, worker=worker)
    services.referral_respond(
        referral=declined, actor=provider_admin(pbi.provider), accept=False, reason="Sudah PBI."
    )
    assert selectors.referral_duplicates(referral(opened, pbi, worker=worker, send=False)) == []
    delivered_last_year = referral(opened, pbi, worker=worker)
    Referral.objects.filter(pk=delivered_last_year.pk).update(
        status="completed", sent_at=timezone.now() - dt.timedelta(days=400)
    )
    assert selectors.referral_duplicates(referral(opened, pbi, worker=worker, send=False)) == []


def test_a_referral_for_one_member_is_guarded_per_person(village_a):
    from dtks.tests.factories import add_member

    worker = case_worker(village_a)
    school = service(provider("Dinas Pendidikan"), "PIP", domain="education")
    opened = case(village_a, worker=worker)
    first_child = add_member(opened.household, "Anak Satu", "child")
    second_child = add_member(opened.household, "Anak Dua", "child")
    sent = services.referral_create(
        case=opened, service=school, need="Biaya sekolah", individual=first_child, actor=worker
    )
    services.referral_send(referral=sent, actor=worker)
    for_sibling = services.referral_create(
        case=opened, service=school, need="Biaya sekolah", individual=second_child, actor=worker
    )
    assert selectors.referral_duplicates(for_sibling) == []
    for_same_child = services.referral_create(
        case=opened, service=school, need="Seragam", individual=first_child, actor=worker
    )
    assert [d.pk for d in selectors.referral_duplicates(for_same_child)] == [sent.pk]


def test_a_member_of_another_household_cannot_be_referred(village_a):
    other_home = household(village_a, head_name="Bukan Anggota")
    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            case=case(village_a),
            service=service(),
            need="Butuh layanan",
            individual=other_home.members.get(),
            actor=case_worker(village_a),
        )
    assert "individual" in refused.value.message_dict


def test_unanswered_referrals_escalate_to_the_provider_and_the_dinsos_office(make_user, village_a):
    health = service()
    owner = provider_admin(health.provider)
    back_office = make_user(Role.BACK_OFFICE, "19.04")
    elsewhere = make_user(Role.BACK_OFFICE, "19.01")
    sent = referral(case(village_a), health)
    before = set(Notification.objects.values_list("pk", flat=True))
    assert services.referrals_escalate_overdue() == 0
    later = sent.response_due_at + dt.timedelta(hours=1)
    assert services.referrals_escalate_overdue(now=later) == 1
    sent.refresh_from_db()
    assert sent.escalation_level == 1 and sent.response_due_at > later
    assert services.referrals_escalate_overdue(now=later) == 0  # not again until the new date
    told = set(
        Notification.objects.exclude(pk__in=before)
        .filter(body__contains=sent.case.code)
        .values_list("recipient", flat=True)
    )
    assert {owner.email, back_office.email} <= told and elsewhere.email not in told
    # an answered referral never escalates
    services.referral_respond(referral=sent, actor=owner, accept=True)
    assert services.referrals_escalate_overdue(now=later + dt.timedelta(days=30)) == 0


def test_the_provider_sees_only_its_referrals_and_of_the_household_only_the_summary(village_a):
    from dtks.tests.factories import add_member

    health = service(provider("Dinas Kesehatan"))
    school = service(provider("Dinas Pendidikan"), "PIP", domain="education")
    opened = case(village_a)
    add_member(opened.household, "Anak Rahasia", "child")
    to_health = referral(opened, health)
    referral(opened, school)
    draft = referral(opened, health, send=False)
    health_admin = provider_admin(health.provider)

    visible = set(selectors.referral_list(user=health_admin).values_list("pk", flat=True))
    assert visible == {to_health.pk} and draft.pk not in visible
    assert selectors.case_list(user=health_admin).count() == 0
    summary = services.referral_open(user=health_admin, pk=to_health.pk).summary
    assert set(summary) == {
        "name",
        "nik",
        "sex",
        "age",
        "village",
        "district",
        "address",
        "members",
        "desil",
        "phone",
    }
    assert summary["name"] == "Rudi Santoso"
    assert "Anak Rahasia" not in str(summary)
