"""Workload per officer: open items assigned, steps done this month, the median time a step
waited — for supervisors and the head of division, never for peers or the officers
themselves."""

import datetime as dt

import pytest
from django.urls import reverse

from complaints.models import Complaint, ComplaintStatusChange
from complaints.tests.factories import complaint
from core.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, village_a):
    return {
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code, full_name="Operator Koba"),
        "supervisor": make_user(Role.SUPERVISOR, village_a.parent_id, full_name="Pengawas Koba"),
        "other_supervisor": make_user(
            Role.SUPERVISOR, village_a.parent_id, full_name="Pengawas Dua"
        ),
        "verifier": make_user(Role.VERIFIER, "19.04", full_name="Verifikator Satu"),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04", full_name="Kabid"),
    }


def test_the_head_of_division_sees_each_officers_open_and_done_work(
    client, login, staff, village_a
):
    operator = staff["operator"]
    first, second = complaint(village_a), complaint(village_a)
    Complaint.objects.filter(pk__in=[first.pk, second.pk]).update(assigned_to=operator)
    # on the first complaint the operator recorded two steps, 2 h and 4 h after the step before
    start = first.status_changes.get().created_at
    for hours in (2, 6):
        ComplaintStatusChange.objects.create(
            complaint=first,
            from_status="received",
            to_status="received",
            actor=operator,
            created_at=start + dt.timedelta(hours=hours),
        )
    login(client, staff["kabid"])
    page = client.get(reverse("core:workload"))
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["officer"] == operator)
    cell = next(c for c in row["cells"] if c["label"] == "Pengaduan")
    assert (cell["open"], cell["done"], cell["hours"]) == (2, 2, 3.0)
    officers = {r["officer"] for r in page.context["rows"]}
    assert staff["supervisor"] in officers and staff["kabid"] not in officers


def test_a_supervisor_sees_the_village_staff_not_peers_and_officers_see_nothing(
    client, login, staff
):
    login(client, staff["supervisor"])
    officers = {r["officer"] for r in client.get(reverse("core:workload")).context["rows"]}
    assert staff["operator"] in officers
    assert staff["other_supervisor"] not in officers and staff["verifier"] not in officers
    login(client, staff["operator"])
    assert client.get(reverse("core:workload")).status_code == 403
