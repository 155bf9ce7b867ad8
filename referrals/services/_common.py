"""What the case-management writes share: locking a case, the events a provider's system
receives, and queueing them in the outbox."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from core import webhooks as webhook_signing
from core.services import (
    object_lock,
)
from silakso.celery import enqueue_on_commit
from silakso.exceptions import (
    DomainError,
    InvalidTransition,
)

from ..choices import ReferralStatus as R
from ..models import (
    Case,
    Referral,
    WebhookDelivery,
)
from ..workflow import CASE_FLOW

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 10
SIGNATURE_TOLERANCE_SECONDS = 300
# The event a provider's system receives for each step after "sent".
STATUS_EVENTS: dict[str, str] = {
    R.CANCELLED: "referral.cancelled",
    R.ACCEPTED: "referral.accepted",
    R.DECLINED: "referral.declined",
    R.IN_SERVICE: "referral.started",
    R.COMPLETED: "referral.completed",
    R.FAILED: "referral.failed",
}


def _authorize_case_work(case: Case, actor, code: str) -> None:
    try:
        CASE_FLOW.authorize(code, case, actor)
    except InvalidTransition as exc:
        raise DomainError(_("The case is closed.")) from exc


def _lock_case(case: Case, actor) -> Case:
    """The case, locked, through the actor's scope."""
    return object_lock(Case, case.pk, actor=actor)


# one signing for every event SILAKSO sends (providers' systems and subscribed API clients)
standard_secret = webhook_signing.standard_secret
standard_signature = webhook_signing.standard_signature
sign = webhook_signing.sign


def referral_payload(referral: Referral) -> dict:
    """What a provider's system receives: the referral and the summary it needs, no more."""
    from ..selectors import referral_summary

    return {
        "referral": referral.pk,
        "case": referral.case.code,
        "service": {
            "id": referral.service_id,
            "name": referral.service.name,
            "domain": referral.service.domain,
        },
        "status": referral.status,
        "need": referral.need,
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "respond_by": referral.response_due_at.isoformat() if referral.response_due_at else None,
        "person": referral_summary(referral=referral),
    }


def webhook_queue(*, referral: Referral, event: str) -> WebhookDelivery:
    """Store the delivery first (in the transaction of the change); the task sends it after
    commit, retried from the database. ``sequence`` numbers the events of one referral so the
    provider's system can put them in order and drop a duplicate (same ``event_id``)."""
    sequence = WebhookDelivery.objects.filter(referral=referral).count() + 1
    delivery = WebhookDelivery.objects.create(
        provider=referral.provider,
        referral=referral,
        event=event,
        sequence=sequence,
        url=referral.provider.webhook_approved_url,
        payload={},
        next_attempt_at=timezone.now(),
    )
    delivery.payload = {
        "event": event,
        "event_id": delivery.event_id,
        "sequence": sequence,
        **referral_payload(referral),
    }
    delivery.save(update_fields=["payload"])
    from ..tasks import deliver_webhook_task

    enqueue_on_commit(deliver_webhook_task, delivery.pk)
    return delivery
