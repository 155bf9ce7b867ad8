"""Step deadlines of aid requests: a request in its step longer than the step allows is late,
listed by the worklist's filter, and escalated once per step (again after a week) to the next
level and the head of division, one message per officer."""

import datetime as dt

import pytest
from django.utils import timezone

from applications.models import Application
from applications.sla import AGAIN_AFTER_DAYS, applications_escalate_late, step_days
from applications.tests.factories import household, program, submit
from core.choices import Role
from core.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(make_user, village_a, village_b):
    return {
        "supervisor_a": make_user(
            Role.SUPERVISOR, village_a.parent_id, email="pengawas.a@example.test"
        ),
        "supervisor_b": make_user(
            Role.SUPERVISOR, village_b.parent_id, email="pengawas.b@example.test"
        ),
        "kabid": make_user(Role.HEAD_OF_DIVISION, "19.04", email="kabid@example.test"),
    }


def _told(recipient):
    return Notification.objects.filter(channel="email", recipient=recipient)


def test_a_late_request_goes_up_once_per_step_with_one_message(village_a, village_b, officers):
    bpnt = program()
    first = submit(bpnt, household(village_a, head_name="Warga Satu"))
    second = submit(bpnt, household(village_a, head_name="Warga Dua"))
    on_time = submit(bpnt, household(village_b, head_name="Warga Tiga"))
    first.refresh_from_db()
    allowed = dt.timedelta(days=step_days()[first.status])
    assert applications_escalate_late() == 0  # nothing is late yet
    later = timezone.now() + allowed + dt.timedelta(hours=1)
    Application.objects.filter(pk=on_time.pk).update(status_changed_at=later)
    assert applications_escalate_late(now=later) == 2
    first.refresh_from_db()
    assert first.escalation_level == 1 and first.last_escalated_at == later
    # one message each for the district's supervisor and the head of division, with the count
    for recipient in ("pengawas.a@example.test", "kabid@example.test"):
        messages = _told(recipient)
        assert messages.count() == 1 and "2 usulan" in messages.get().subject
        assert "overdue=true" in messages.get().body
    assert not _told("pengawas.b@example.test").exists()
    # not again in the same step before a week, then again
    assert applications_escalate_late(now=later + dt.timedelta(days=1)) == 0
    again = later + dt.timedelta(days=AGAIN_AFTER_DAYS, hours=1)
    assert applications_escalate_late(now=again) == 2
    second.refresh_from_db()
    assert second.escalation_level == 2


def test_the_beat_task_runs_it(village_a, officers):
    from applications.tasks import escalate_late_applications_task

    late = submit(program(), household(village_a))
    Application.objects.filter(pk=late.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=200)
    )
    assert escalate_late_applications_task() == 1
    assert _told("kabid@example.test").count() == 1
