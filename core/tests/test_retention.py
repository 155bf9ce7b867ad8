"""Personal data past its retention period is removed by the daily job; what is still needed,
and the decisions the state keeps, stay."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from applications.models import Application, ApplicationDocument
from applications.tests.factories import household, program, submit
from core.choices import AuditAction
from core.models import AuditEvent, Notification, SubmissionReceipt
from core.retention import apply_retention

pytestmark = pytest.mark.django_db


def _age(queryset, **fields):
    queryset.update(**fields)


def test_the_daily_job_removes_what_is_past_its_period_and_keeps_the_rest(
    village_a, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    bpnt = program("bpnt")
    long_ago = timezone.now() - dt.timedelta(days=6 * 365)
    # a request withdrawn six years ago (its KTP photo is no longer needed) ...
    withdrawn = submit(bpnt, household(village_a, head_name="Lama Sekali"))
    Application.objects.filter(pk=withdrawn.pk).update(
        status="withdrawn", status_changed_at=long_ago
    )
    old_document = ApplicationDocument.objects.get(application=withdrawn)
    old_file = old_document.file.name
    assert default_storage.exists(old_file)
    # ... and one still being handled, whose documents stay
    current = submit(bpnt, household(village_a, head_name="Masih Jalan"))
    current_document = ApplicationDocument.objects.get(application=current)
    # an old and a fresh message, an old and a fresh submission receipt
    Notification.objects.create(
        channel="sms", recipient="081234567890", subject="a", body="lama", status="sent"
    )
    Notification.objects.filter(body="lama").update(created_at=long_ago)
    fresh = Notification.objects.create(
        channel="sms", recipient="081234567891", subject="b", body="baru", status="sent"
    )
    SubmissionReceipt.objects.create(key="old", url="/x/")
    SubmissionReceipt.objects.filter(key="old").update(created_at=long_ago)
    SubmissionReceipt.objects.create(key="new", url="/y/")

    planned = apply_retention(dry_run=True)
    assert planned["closed_request_documents"] == 1 and planned["notifications"] >= 1
    assert ApplicationDocument.objects.filter(pk=old_document.pk).exists()  # a dry run only counts

    done = apply_retention()
    assert done["closed_request_documents"] == 1
    assert not ApplicationDocument.objects.filter(pk=old_document.pk).exists()
    assert not default_storage.exists(old_file)
    assert ApplicationDocument.objects.filter(pk=current_document.pk).exists()
    assert not Notification.objects.filter(body="lama").exists()
    assert Notification.objects.filter(pk=fresh.pk).exists()
    assert list(SubmissionReceipt.objects.values_list("key", flat=True)) == ["new"]
    # the request itself (a decision) stays; the removal is in the audit trail
    assert Application.objects.filter(pk=withdrawn.pk).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.DELETE, object_type="core.retention"
    ).exists()
    # run again: nothing more
    assert not any(apply_retention().values())


def test_periods_can_be_set_per_installation(village_a, settings):
    settings.SILAKSO_RETENTION_DAYS = {"submission_receipts": 1}
    SubmissionReceipt.objects.create(key="two-days", url="/x/")
    SubmissionReceipt.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    call_command("apply_retention")
    assert not SubmissionReceipt.objects.exists()
