"""What the steps of the application and update-proposal flows share: locking through the
actor's scope, moving along the table, and telling the resident."""

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.choices import NotificationChannel, Role
from core.messaging import render
from core.services import (
    notification_queue,
    notification_queue_many,
    object_lock,
    status_transition,
)
from dtks.models import Individual
from dtks.selectors import desil_value_on, names_match, registry_person
from silakso.links import public_url
from silakso.validation import required_text

from ..choices import (
    ApplicationChannel,
)
from ..models import (
    Application,
    ApplicationStatusChange,
    ProposalStatusChange,
    UpdateProposal,
)
from ..resident_texts import contact_text, step_text
from ..workflow import APPLICATION_FLOW, PROPOSAL_FLOW

STAFF_CHANNELS = (
    ApplicationChannel.VILLAGE_OFFICE,
    ApplicationChannel.PUSKESOS,
    ApplicationChannel.MPP_COUNTER,
    ApplicationChannel.HOME_VISIT,
    ApplicationChannel.API,
)


# ============================================================================ shared steps
def _require_reason(reason: str, field: str = "reason") -> str:
    return required_text(
        reason,
        field,
        message=_("Write the reason in a sentence: the resident will read it."),
        maximum=4000,
    )


def _recipients(application: Application) -> list[tuple[str, str]]:
    recipients: list[tuple[str, str]] = []
    if application.email:
        recipients.append((NotificationChannel.EMAIL, application.email))
    if application.phone:
        recipients.append((NotificationChannel.SMS, application.phone))
    resident = application.resident
    if resident is not None:
        if resident.email and resident.email != application.email:
            recipients.append((NotificationChannel.EMAIL, resident.email))
        if resident.phone and resident.phone != application.phone:
            recipients.append((NotificationChannel.SMS, resident.phone))
    return recipients


def _message(
    application: Application, status: str, note: str = "", lead: str = "", channel: str = "sms"
) -> tuple[str, str]:
    """Subject and body of the resident's notification, from the event's template (the
    administrator's text or the default, in Indonesian: the residents' language)."""
    with translation.override(settings.LANGUAGE_CODE):
        happened, following = step_text(status)
        context = {
            "code": application.code,
            "program": application.program.name,
            "lead": lead,
            "step": happened,
            "note": note,
            "next": following,
            "url": public_url("applications:track"),
            "contact": contact_text(),
        }
    return render("application.step", channel, context)


def _notify(application: Application, status: str, note: str = "", lead: str = "") -> None:
    """One message per step to each address the resident gave (email, phone)."""
    for channel, recipient in _recipients(application):
        subject, body = _message(application, status, note, lead, channel)
        notification_queue(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            obj=application,
            event="application.step",
        )


def _move(
    application: Application,
    target: str,
    *,
    actor,
    note: str = "",
    resident_note: str = "",
    extra_fields: Iterable[str] = (),
    lead: str = "",
) -> Application:
    """Apply one transition of the table to a locked application; log, audit and notify."""
    status_transition(
        application,
        target,
        flow=APPLICATION_FLOW,
        actor=actor,
        note=note,
        fields=tuple(extra_fields),
    )
    _notify(application, target, resident_note, lead)
    return application


def _lock(application: Application, actor=None, *, system: bool = False) -> Application:
    """The application, locked, through the actor's scope (``system``: the system's own move,
    or a resident who proved the tracking code and NIK)."""
    return object_lock(
        Application,
        application.pk,
        actor=actor,
        related=("program", "resident"),
        system=system or not _is_staff(actor),
    )


def _is_staff(actor) -> bool:
    return actor is not None and actor.is_authenticated and actor.role != Role.RESIDENT


def _move_many(
    applications, target: str, *, actor, note: str = "", extra: Mapping[str, Any] | None = None
) -> int:
    """The same transition for a whole period list, set-based: one UPDATE, bulk history rows,
    one audit event and one notification sweep (a list can hold thousands of applications)."""
    rows = list(
        applications.select_for_update(of=("self",))
        .select_related("program", "resident")
        .order_by("pk")
    )
    if not rows:
        return 0
    sources = {row.status for row in rows}
    for source in sources:
        APPLICATION_FLOW.assert_transition(source, target)
    now = timezone.now()
    Application.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=target, status_changed_at=now, updated_at=now, **(extra or {})
    )
    real_actor = actor if actor is not None and actor.is_authenticated else None
    ApplicationStatusChange.objects.bulk_create(
        [
            ApplicationStatusChange(
                application=row,
                from_status=row.status,
                to_status=target,
                actor=real_actor,
                note=note,
                created_at=now,
            )
            for row in rows
        ],
        batch_size=1000,
    )
    messages = []
    for row in rows:
        for channel, recipient in _recipients(row):
            subject, body = _message(row, target, channel=channel)
            messages.append(
                {
                    "channel": channel,
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "obj": row,
                    "event": "application.step",
                }
            )
    from core.satisfaction import invitations_many

    # a ratified list finishes its requests: each resident is invited to rate the service
    messages += invitations_many(rows, target, _recipients)
    notification_queue_many(messages=messages)
    return len(rows)


def _registry_person(nik: str) -> Individual | None:
    return registry_person(nik)


def _jsonable(value):
    """Dates as ISO text, decimals as text: proposed values wait in a JSON field until applied."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _proposal_move(proposal: UpdateProposal, target: str, *, actor, note: str = "", fields=()):
    status_transition(
        proposal,
        target,
        flow=PROPOSAL_FLOW,
        history=partial(ProposalStatusChange.objects.create, proposal=proposal),
        actor=actor,
        note=note,
        fields=tuple(fields),
        region_code=proposal.village_id,
    )
    return proposal


def _lock_proposal(proposal: UpdateProposal, actor=None, *, system=False) -> UpdateProposal:
    return object_lock(UpdateProposal, proposal.pk, actor=actor, system=system)


def registered_elsewhere(person: Individual | None, officer) -> bool:
    """Whether the registry has ``person`` in a household outside ``officer``'s area: an
    officer's (or partner system's) intake then learns only that, never the household, its
    desil, programs or requests, and the request stays in the officer's area."""
    from core.scope import region_in_scope

    if person is None or officer is None or not _is_staff(officer):
        return False
    return not region_in_scope(officer, person.household.village_id)


def _screening_checks(application: Application) -> tuple[list[dict], Individual | None]:
    """The automatic checks against the registry, as (code, ok, detail) records."""
    program = application.program
    person = _registry_person(application.applicant_nik)
    if registered_elsewhere(person, application.entered_by):
        return [{"code": "person_found", "ok": False, "elsewhere": True}], None
    checks = [{"code": "person_found", "ok": person is not None}]
    if person is None:
        return checks, None
    household = person.household
    checks.append(
        {"code": "name_matches", "ok": names_match(application.applicant_name, person.name)}
    )
    checks.append({"code": "household_found", "ok": household.status == "active"})
    # the official desil valid on the day of the application, not a later ranking's
    applied_on = timezone.localdate(application.created_at) if application.created_at else None
    desil, desil_as_of = desil_value_on(
        household=household, date=applied_on or timezone.localdate()
    )
    dated = desil_as_of.isoformat() if desil_as_of else None
    if program.max_desil is None:
        checks.append({"code": "desil", "ok": True, "desil": desil, "limit": None, "as_of": dated})
    else:
        checks.append(
            {
                "code": "desil",
                "ok": desil is not None and desil <= program.max_desil,
                "desil": desil,
                "as_of": dated,
                "limit": program.max_desil,
                "local_pmt_desil": household.pmt_desil,
            }
        )
    checks.append({"code": "not_enrolled", "ok": True})
    checks.append({"code": "no_open_application", "ok": True})
    return checks, person
