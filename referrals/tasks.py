"""Celery tasks of case management: webhook deliveries and the escalation of unanswered
referrals (retries live in the database rows, not in Celery)."""

from celery import shared_task


@shared_task(ignore_result=True)
def deliver_webhook_task(delivery_id: int) -> None:
    from .services import webhook_deliver

    webhook_deliver(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def deliver_due_webhooks_task() -> int:
    """Periodic: deliveries due for another attempt (a provider's system was down)."""
    from .services import webhooks_deliver_due

    return webhooks_deliver_due()


@shared_task(ignore_result=True)
def escalate_unanswered_referrals_task() -> int:
    """Periodic: referrals not accepted or declined in time are escalated."""
    from .services import referrals_escalate_overdue

    return referrals_escalate_overdue()
