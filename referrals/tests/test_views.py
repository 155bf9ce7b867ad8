"""The pages: a case worker opens a case from the household page, assesses, refers and is
warned of duplicates on the form; the provider admin answers in its portal and keeps its
catalogue; the report and its downloads; nobody reaches what is not theirs."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.choices import Role
from referrals.models import Case, Referral, Service

from .factories import case, provider, provider_admin, referral, service

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_user, village_a):
    return make_user(Role.VILLAGE_OPERATOR, village_a.code)


def test_a_case_worker_opens_a_case_assesses_and_refers(client, login, worker, village_a):
    from applications.tests.factories import household

    pbi = service(provider("Dinas Kesehatan"))
    home = household(village_a, head_name="Pak RS")
    login(client, worker)
    page = client.get(reverse("dtks:household_detail", args=[home.pk])).content.decode()
    create_url = reverse("referrals:case_create", args=[home.pk])
    assert create_url in page
    response = client.post(create_url, {"contact_phone": "0812 1111 2222", "plan": ""})
    opened = Case.objects.get(household=home)
    assert response["Location"] == reverse("referrals:case_detail", args=[opened.pk])
    # the household page now leads to the open case instead of offering a new one
    page = client.get(reverse("dtks:household_detail", args=[home.pk])).content.decode()
    assert opened.code in page and create_url not in page

    assess = {"need_" + d: "none" for d in ("health", "education", "housing", "economy")}
    assess.update(
        {"need_civil_documents": "none", "need_social_rehabilitation": "none"},
        need_health="urgent",
        notes_health="KIS tidak aktif",
    )
    client.post(reverse("referrals:case_assess", args=[opened.pk]), assess)
    assert opened.assessments.get(domain="health").need == "urgent"

    form = client.get(reverse("referrals:referral_create", args=[opened.pk]))
    assert "Aktivasi PBI-JK" in form.content.decode()
    response = client.post(
        reverse("referrals:referral_create", args=[opened.pk]),
        {
            "service": pbi.pk,
            "need": "Aktifkan KIS untuk berobat rutin",
            "individual": "",
            "follow_up_on": "2026-12-20",
        },
    )
    first = Referral.objects.get(case=opened)
    assert response["Location"] == reverse("referrals:referral_detail", args=[first.pk])
    assert "20-12-2026" in client.get(response["Location"]).content.decode()
    sent = client.post(reverse("referrals:referral_action", args=[first.pk, "kirim"]))
    assert sent.status_code == 302, sent.context["form"].errors
    first.refresh_from_db()
    assert first.status == "sent"

    # a second referral to the same service warns on its page and needs a reason on the form
    client.post(
        reverse("referrals:referral_create", args=[opened.pk]),
        {"service": pbi.pk, "need": "Sekali lagi", "individual": ""},
    )
    second = Referral.objects.filter(case=opened).latest("pk")
    detail = client.get(reverse("referrals:referral_detail", args=[second.pk])).content.decode()
    assert 'data-testid="duplicates"' in detail
    refused = client.post(reverse("referrals:referral_action", args=[second.pk, "kirim"]))
    assert refused.status_code == 200
    assert "duplicate_reason" in refused.context["form"].errors
    second.refresh_from_db()
    assert second.status == "draft"
    # the case worker sees the NIK masked on the referral page
    head = home.members.get()
    assert head.nik not in detail and head.nik[-4:] in detail


def test_the_provider_admin_answers_in_the_portal(client, login, village_a):
    pbi = service(provider("Dinas Kesehatan"), capacity=10)
    owner = provider_admin(pbi.provider)
    sent = referral(case(village_a), pbi)
    login(client, owner)
    portal = client.get(reverse("referrals:portal")).content.decode()
    assert "Aktivasi PBI-JK" in portal and "1 / 10" in portal
    detail = client.get(reverse("referrals:referral_detail", args=[sent.pk]))
    assert detail.status_code == 200
    assert sent.case.household.members.get().nik in detail.content.decode()

    refused = client.post(
        reverse("referrals:referral_action", args=[sent.pk, "tolak"]), {"reason": ""}
    )
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    client.post(reverse("referrals:referral_action", args=[sent.pk, "terima"]))
    # with nothing new waiting, the portal opens on what is in service, not on an empty tab
    row_link = reverse("referrals:referral_detail", args=[sent.pk])
    assert row_link in client.get(reverse("referrals:portal")).content.decode()
    client.post(reverse("referrals:referral_action", args=[sent.pk, "mulai"]))
    client.post(
        reverse("referrals:referral_action", args=[sent.pk, "selesai"]),
        {"outcome": "KIS PBI aktif", "outcome_date": "", "value": ""},
    )
    sent.refresh_from_db()
    assert sent.status == "completed" and sent.outcome == "KIS PBI aktif"
    # cases and other pages of case workers are closed to the provider
    assert client.get(reverse("referrals:case_list")).status_code == 403
    assert client.get(reverse("referrals:case_detail", args=[sent.case_id])).status_code == 403


def test_a_provider_never_opens_another_providers_referral(client, login, village_a):
    pbi = service(provider("Dinas Kesehatan"))
    sent = referral(case(village_a), pbi)
    stranger = provider_admin(provider("BAZNAS", kind="baznas"))
    login(client, stranger)
    assert client.get(reverse("referrals:referral_detail", args=[sent.pk])).status_code == 404
    for action in ("terima", "mulai"):
        url = reverse("referrals:referral_action", args=[sent.pk, action])
        assert client.post(url).status_code == 404
    assert "Aktivasi" not in client.get(reverse("referrals:portal")).content.decode()
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_the_provider_admin_keeps_its_own_catalogue(client, login):
    mine = provider("Dinas Perkim")
    theirs = service(provider("Dinas Kesehatan"))
    login(client, provider_admin(mine))
    response = client.post(
        reverse("referrals:service_create"),
        {
            "name": "Bedah rumah (RS-RTLH)",
            "domain": "housing",
            "eligibility": "Rumah tidak layak huni, tanah milik sendiri",
            "capacity": "25",
            "capacity_period": "year",
            "contact": "Bidang Perumahan, 0717-123",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    created = Service.objects.get(name="Bedah rumah (RS-RTLH)")
    assert created.provider == mine and created.capacity == 25
    bad = client.post(
        reverse("referrals:service_create"),
        {"name": "", "domain": "housing", "capacity_period": "year"},
    )
    assert bad.status_code == 200 and "name" in bad.context["form"].errors
    assert client.get(reverse("referrals:service_edit", args=[theirs.pk])).status_code == 404


def test_the_report_counts_referrals_and_letters_and_downloads(client, login, make_user, village_a):
    from referrals import services

    officer = make_user(Role.BACK_OFFICE, "19.04")
    pbi = service(provider("Dinas Kesehatan"))
    school = service(provider("Dinas Pendidikan"), "PIP", domain="education")
    owner = provider_admin(pbi.provider)
    opened = case(village_a)
    done = referral(opened, pbi, worker=officer)
    services.referral_respond(referral=done, actor=owner, accept=True)
    services.referral_start(referral=done, actor=owner)
    services.referral_complete(referral=done, actor=owner, outcome="KIS aktif")
    referral(opened, school, worker=officer)
    services.letter_issue(
        kind="repatriation",
        region=village_a,
        recipient_name="Orang Terlantar",
        details={"origin": "Koba", "destination": "Kupang", "transport": "Kapal"},
        actor=officer,
    )
    login(client, officer)
    report = client.get(reverse("referrals:report")).context["report"]
    assert report["referrals"] == 2
    assert {row["provider__name"]: row["completed"] for row in report["by_provider"]} == {
        "Dinas Kesehatan": 1,
        "Dinas Pendidikan": 0,
    }
    assert {row["key"]: row["total"] for row in report["by_domain"]} == {
        "health": 1,
        "education": 1,
    }
    assert {row["key"]: row["total"] for row in report["letters"]}["repatriation"] == 1
    assert report["completion"]["count"] == 1

    csv_text = b"".join(client.get(reverse("referrals:export")).streaming_content).decode()
    lines = csv_text.strip().splitlines()
    assert len(lines) == 3 and opened.code in csv_text
    assert "Rudi" not in csv_text
    xlsx = client.get(reverse("referrals:export"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert sheet.max_row == 3

    outsider = make_user(Role.BACK_OFFICE, "19.01")
    login(client, outsider)
    assert client.get(reverse("referrals:report")).context["report"]["referrals"] == 0


def test_the_provider_admin_connects_its_system_and_can_renew_the_secret(client, login):
    mine = provider("Dinas Kesehatan")
    login(client, provider_admin(mine))
    page = client.get(reverse("referrals:portal_services")).content.decode()
    assert mine.webhook_secret in page
    assert reverse("referrals-api:provider-events", args=[mine.pk]) in page
    bad = client.post(reverse("referrals:portal_services"), {"webhook_url": "bukan alamat"})
    assert bad.status_code == 200 and "webhook_url" in bad.context["form"].errors
    old_secret = mine.webhook_secret
    client.post(
        reverse("referrals:portal_services"),
        {"webhook_url": "https://sik.dinkes.example.id/silakso", "new_secret": "on"},
    )
    mine.refresh_from_db()
    assert mine.webhook_url == "https://sik.dinkes.example.id/silakso"
    assert mine.webhook_secret != old_secret


def test_a_case_opened_from_an_aid_request_or_a_complaint_remembers_where_it_came_from(
    client, login, make_user, village_a
):
    from applications.tests.factories import household, program, submit
    from complaints.tests.factories import complaint

    officer = make_user(Role.FRONT_OFFICE, "19.04")
    home = household(village_a, head_name="Pak RS")
    request = submit(program("pip"), home)
    login(client, officer)
    detail = client.get(reverse("applications:application_detail", args=[request.pk]))
    link = "{}?application={}".format(reverse("referrals:case_create", args=[home.pk]), request.pk)
    assert link in detail.content.decode()
    assert client.post(link, {"contact_phone": "", "plan": ""}).status_code == 302
    opened = Case.objects.get(household=home)
    assert (opened.origin, opened.application_id) == ("application", request.pk)
    # the household now has its open case: no second one is offered
    detail = client.get(reverse("applications:application_detail", args=[request.pk]))
    assert link not in detail.content.decode()

    other = household(village_a, head_name="Bu Ani")
    filed = complaint(village_a, home=other, category="health")
    url = "{}?complaint={}".format(reverse("referrals:case_create", args=[other.pk]), filed.pk)
    assert client.post(url, {}).status_code == 302
    assert Case.objects.get(household=other).complaint_id == filed.pk
