"""Dashboards: every figure against a counted fixture, each role sees its own area only, a
misuse report never reaches the village it is about, a figure leads to the list behind it,
and the figures come from a summary table rewritten whole (by a real worker when asked)."""

import datetime as dt
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Application
from applications.tests.factories import household, program, submit
from complaints.models import Complaint
from complaints.tests.factories import complaint, misuse_report
from core import dashboard
from core.choices import JobStatus, Role
from core.models import Job, SummaryCount
from dtks.models import Household
from dtks.tests.factories import make_household
from referrals.tests.factories import case, referral, service

pytestmark = pytest.mark.django_db

THREE_MONTHS_AGO = timezone.now() - dt.timedelta(days=92)


@pytest.fixture
def counted(village_a, village_b):
    """Counted by hand:
    village A (district A): 3 households of desil 2, 1 of desil 7, 1 without desil;
    village B (district B): 2 households of desil 3.
    Requests: 2 in A (one in its step for 60 days: late), 1 in B.
    Complaints: 2 in A (one past its step's deadline), 1 in B received three months ago,
    and a misuse report about A.
    A referral of a household of A, sent this month."""
    poor_a = [household(village_a, desil=2, head_name="Warga A{}".format(n)) for n in range(3)]
    household(village_a, desil=7, head_name="Warga Mampu")
    make_household(village_a, head_name="Warga Baru")
    poor_b = [household(village_b, desil=3, head_name="Warga B{}".format(n)) for n in range(2)]
    bpnt = program()
    late = submit(bpnt, poor_a[0])
    submit(bpnt, poor_a[1])
    submit(bpnt, poor_b[0])
    Application.objects.filter(pk=late.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=60)
    )
    overdue = complaint(village_a, home=poor_a[1])
    complaint(village_a, home=poor_a[2])
    Complaint.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    old = complaint(village_b, home=poor_b[1], category="health")
    Complaint.objects.filter(pk=old.pk).update(created_at=THREE_MONTHS_AGO)
    misuse_report(village_a)
    referral(case(village_a, home=poor_a[2]), service())
    dashboard.refresh()
    return {"late": late, "overdue": overdue}


def _figures(make_user, role, region):
    return dashboard.Figures(make_user(role, region))


def test_each_figure_is_the_count_of_the_fixture(counted, make_user, village_a, village_b):
    kabid = _figures(make_user, Role.HEAD_OF_DIVISION, "19.04")
    desil = kabid.by_key("households_desil")
    assert desil == {"2": 3, "7": 1, "": 1, "3": 2}
    assert kabid.total("people") == 7  # each household a head only
    district_a, district_b = village_a.parent_id, village_b.parent_id
    assert kabid.by_area("households_desil") == {district_a: 5, district_b: 2}
    assert sum(kabid.by_key("applications_open").values()) == 3
    assert sum(kabid.by_key("applications_late").values()) == 1
    assert kabid.by_area("applications_late") == {district_a: 1}
    # Dinsos counts the misuse report too
    open_complaints = sum(kabid.by_key("complaints_open").values())
    assert open_complaints == 3
    assert sum(kabid.by_key("misuse_open").values()) == 1
    assert sum(kabid.by_key("complaints_late").values()) == 1
    assert sum(kabid.by_key("referrals_open").values()) == 1
    # the months: the complaint of three months ago in its month, the others in this one
    received = kabid.trend("complaints_received")
    assert len(received) == 12 and received[-1] == 2 and sum(received) == 3
    month_of_old = timezone.localtime(THREE_MONTHS_AGO).date().replace(day=1)
    assert received[kabid.months.index(month_of_old)] == 1


def test_each_role_sees_only_its_own_area(counted, make_user, village_a, village_b):
    supervisor_b = _figures(make_user, Role.SUPERVISOR, village_b.parent_id)
    assert supervisor_b.by_key("households_desil") == {"3": 2}
    assert supervisor_b.by_area("households_desil") == {village_b.code: 2}
    assert sum(supervisor_b.by_key("complaints_open").values()) == 1
    head_a = _figures(make_user, Role.VILLAGE_HEAD, village_a.code)
    assert sum(head_a.by_key("households_desil").values()) == 5
    assert sum(head_a.by_key("applications_open").values()) == 2
    # the misuse report is counted apart, and its panel leaves it out for the village
    panels = {panel["title"]: panel for panel in dashboard_panels(head_a)}
    complaints = panels["Pengaduan"]
    assert _figure(complaints, "Pengaduan terbuka") == 2
    kabid = dashboard.Figures(make_user(Role.HEAD_OF_DIVISION, "19.04"))
    # Dinsos: the three ordinary complaints and the misuse report
    panels = {panel["title"]: panel for panel in dashboard_panels(kabid)}
    assert _figure(panels["Pengaduan"], "Pengaduan terbuka") == 4
    other = _figures(make_user, Role.HEAD_OF_DIVISION, "19.01")
    assert other.by_key("households_desil") == {}


def dashboard_panels(figures):
    from core.extensions import collect

    return collect("dashboard_panels", figures)


def _figure(panel, label):
    return next(figure["value"] for figure in panel["figures"] if figure["label"] == label)


def test_the_head_of_division_follows_a_figure_to_its_list(
    counted, client, login, make_user, village_a
):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(
        r'<h3>Terlambat di tahapnya</h3>\s*<p class="value"><a href="([^"]+)">1</a>', html
    )
    assert link, "the late requests figure links to its list"
    listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert counted["late"].code in listed
    others = Application.objects.exclude(pk=counted["late"].pk).values_list("code", flat=True)
    assert not any(code in listed for code in others)
    # the chart's coordinates are numbers an SVG reads, whatever the page's language
    assert not re.search(r'<rect x="\d+,\d', html)
    # a district opens its own dashboard, with its villages
    district = client.get(reverse("core:dashboard") + "?wilayah=" + village_a.parent_id)
    assert district.status_code == 200
    assert village_a.name in district.content.decode()


def test_an_area_outside_the_users_is_refused_with_a_message(
    counted, client, login, make_user, village_a, village_b
):
    login(client, make_user(Role.SUPERVISOR, village_b.parent_id))
    refused = client.get(reverse("core:dashboard") + "?wilayah=" + village_a.parent_id)
    assert refused.status_code == 404
    assert "di luar wilayah" in refused.content.decode()
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    assert client.get(reverse("core:dashboard") + "?wilayah=19.01").status_code == 404


@pytest.mark.parametrize("role", [Role.VILLAGE_OPERATOR, Role.VERIFIER, Role.FRONT_OFFICE])
def test_roles_without_a_dashboard_are_refused(client, login, make_user, village_a, role):
    login(client, make_user(role, village_a.code if role == Role.VILLAGE_OPERATOR else "19.04"))
    assert client.get(reverse("core:dashboard")).status_code == 403


def test_a_refresh_rewrites_the_whole_summary(counted, make_user, village_a):
    before = SummaryCount.objects.count()
    household(village_a, desil=2, head_name="Warga Kemudian")
    Household.objects.filter(desil=7).update(status="retired")
    dashboard.refresh()
    kabid = _figures(make_user, Role.HEAD_OF_DIVISION, "19.04")
    assert kabid.by_key("households_desil") == {"2": 4, "": 1, "3": 2}
    # the (village A, desil 7) row is gone; the new household is added to (A, 2), not twice
    assert SummaryCount.objects.count() == before - 1
    # the same counts as a plain GROUP BY over the registry, per village
    from django.db.models import Count

    direct = {
        (row["village_id"], str(row["desil"]) if row["desil"] else ""): row["n"]
        for row in Household.objects.filter(status="active")
        .values("village_id", "desil")
        .annotate(n=Count("pk"))
    }
    summary = {
        (row.region_code, row.key): row.value
        for row in SummaryCount.objects.filter(metric="households_desil")
    }
    assert summary == direct


def test_the_overdue_filter_lists_only_late_requests(counted, client, login, make_user):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    listed = client.get(reverse("applications:application_list"), {"overdue": "false"})
    text = listed.content.decode()
    assert counted["late"].code not in text
    assert Application.objects.exclude(pk=counted["late"].pk).first().code in text


def test_the_page_is_in_indonesian_and_english(counted, client, login, make_user):
    login(client, make_user(Role.HEAD_OF_DIVISION, "19.04"))
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Usulan bantuan" in page and "Aid requests" not in page
    with translation.override("en"):
        english = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content
    assert english


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_office_asks_for_a_count_and_a_worker_makes_it(
    client, login, make_user, village_a, celery_worker_thread
):
    household(village_a, desil=1, head_name="Warga Satu")
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    login(client, kabid)
    before = client.get(reverse("core:dashboard")).content.decode()
    assert "Belum dihitung" in before
    answer = client.post(reverse("core:dashboard"))
    job = Job.objects.get(started_by=kabid, kind="dashboard_refresh")
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "core:job_detail", args=[job.pk]
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
            break
        time.sleep(0.2)
    assert job.status == JobStatus.SUCCEEDED, job.message
    figures = dashboard.Figures(kabid)
    assert figures.by_key("households_desil") == {"1": 1}
    assert "Dihitung pada" in client.get(reverse("core:dashboard")).content.decode()
    login(client, make_user(Role.SUPERVISOR, village_a.parent_id))
    assert client.post(reverse("core:dashboard")).status_code == 302
    assert not Job.objects.filter(kind="dashboard_refresh").exclude(pk=job.pk).exists()
