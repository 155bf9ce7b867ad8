"""SLAs: each step has a deadline set per category by an administrator; the periodic job
escalates late complaints to the next level and the head of division."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints import services
from complaints.choices import ComplaintStatus as C
from complaints.models import Complaint, ComplaintEscalation, SlaRule
from complaints.tests.factories import complaint
from core.choices import Role
from core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user, village_a):
    return {
        "supervisor": make_user(Role.SUPERVISOR, village_a.code[:8], email="pengawas@example.test"),
        "other_supervisor": make_user(Role.SUPERVISOR, "19.04.02", email="lain@example.test"),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04", email="kabid@example.test"),
        "front": make_user(Role.FRONT_OFFICE, "19.04", email="fo@example.test"),
        "operator": make_user(Role.VILLAGE_OPERATOR, village_a.code),
    }


def test_the_deadline_follows_the_sla_of_the_category_and_step(village_a):
    before = timezone.now()
    health = complaint(village_a, category="health")
    other = complaint(village_a, category="housing", home=None)
    assert dt.timedelta(hours=23) < health.due_at - before <= dt.timedelta(hours=24, minutes=1)
    assert dt.timedelta(hours=71) < other.due_at - before <= dt.timedelta(hours=72, minutes=1)


def test_an_administrator_changes_the_sla(village_a, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, "19.04")
    rule = SlaRule.objects.get(category="education", status="received")
    rule.hours = 6
    services.sla_rule_save(rule=rule, actor=admin)
    created = complaint(village_a, category="education")
    assert created.due_at - timezone.now() <= dt.timedelta(hours=6)


def test_a_late_complaint_is_escalated_to_the_supervisor_and_the_head_of_division(
    village_a, officers
):
    created = complaint(village_a)
    # nothing is late yet
    assert services.complaints_escalate_overdue() == 0
    # when the clock passes the deadline of the step
    later = created.due_at + dt.timedelta(minutes=1)
    assert services.complaints_escalate_overdue(now=later) == 1
    created.refresh_from_db()
    assert created.escalation_level == 1 and created.due_at > later
    escalation = ComplaintEscalation.objects.get(complaint=created)
    assert escalation.escalated_to == "supervisor" and escalation.status == C.RECEIVED
    told = set(
        Notification.objects.filter(object_id=str(created.pk), channel="email").values_list(
            "recipient", flat=True
        )
    )
    assert {"pengawas@example.test", "kabid@example.test"} <= told
    assert "lain@example.test" not in told
    # the same late step is not escalated twice before its new deadline
    assert services.complaints_escalate_overdue(now=later + dt.timedelta(minutes=5)) == 0


def test_later_steps_escalate_to_dinsos_and_closed_ones_never(village_a, officers):
    created = complaint(village_a)
    services.complaint_forward(complaint=created, actor=officers["operator"])
    created.refresh_from_db()
    services.complaints_escalate_overdue(now=created.due_at + dt.timedelta(hours=1))
    assert ComplaintEscalation.objects.get(complaint=created).escalated_to == "front_office"
    done = complaint(village_a)
    services.complaint_resolve(
        complaint=done,
        actor=officers["operator"],
        resolution="Beres di desa",
        resolved_by_kind="village",
    )
    services.complaint_close(complaint=done, actor=officers["operator"], told_via="in_person")
    assert (
        services.complaints_escalate_overdue(now=timezone.now() + dt.timedelta(days=400)) == 1
    )  # only the first
    assert not ComplaintEscalation.objects.filter(complaint=done).exists()


def test_the_beat_task_runs_the_escalation(village_a, officers):
    from complaints.tasks import escalate_overdue_complaints_task

    created = complaint(village_a)
    Complaint.objects.filter(pk=created.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    assert escalate_overdue_complaints_task() == 1
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["escalate-overdue-complaints"]["task"] == (
        "complaints.tasks.escalate_overdue_complaints_task"
    )
