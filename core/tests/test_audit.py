"""The audit trail: written by services and sign-in, scoped for readers, never editable."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from core.choices import AuditAction, Role
from core.models import AuditEvent
from core.services import audit_log

pytestmark = pytest.mark.django_db


def test_audit_event_records_actor_request_id_and_ip(client, make_user, village_a, login):
    # given
    head = make_user(Role.VILLAGE_HEAD, village_a.code)
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, head)
    # when the village head deactivates the operator through the UI
    response = client.post(
        reverse("core:operator_deactivate", args=[operator.pk]),
        {"reason": "berhenti bekerja"},
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )
    # then one audit event names who, what, why, from where
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.DEACTIVATE)
    assert event.actor == head
    assert event.object_id == str(operator.pk)
    assert event.reason == "berhenti bekerja"
    assert event.request_id == "req-123"
    assert event.ip == "10.1.2.3"
    assert event.region_code == village_a.code


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_log(actor=None, action=AuditAction.VIEW, object_repr="x")
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_database_refuses_update_and_delete_of_audit_rows():
    event = audit_log(actor=None, action=AuditAction.VIEW, object_repr="x")
    for sql in (
        "UPDATE core_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()


def test_audit_list_shows_only_the_readers_region(client, make_user, login, village_a):
    audit_log(
        actor=None, action=AuditAction.UPDATE, object_repr="in-koba", region_code=village_a.code
    )
    audit_log(
        actor=None, action=AuditAction.UPDATE, object_repr="in-bangka", region_code="19.01.01.2001"
    )
    kabid = make_user(Role.HEAD_OF_DIVISION, "19.04")
    login(client, kabid)
    page = client.get(reverse("core:audit_event_list")).content.decode()
    assert "in-koba" in page
    assert "in-bangka" not in page
    api = client.get("/api/v1/audit-events/").json()
    names = {row["object_repr"] for row in api["results"]}
    assert "in-koba" in names
    assert "in-bangka" not in names


def test_audit_trail_is_closed_to_operators(client, make_user, login, village_a):
    operator = make_user(Role.VILLAGE_OPERATOR, village_a.code)
    login(client, operator)
    assert client.get(reverse("core:audit_event_list")).status_code == 403
    assert client.get("/api/v1/audit-events/").status_code == 403
