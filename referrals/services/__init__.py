"""Writes of case management and referrals: cases per household, referrals to providers with a
duplicate-service guard and capacity, the providers' answers, signed webhooks retried from the
database, and numbered service letters with a verification QR code.

One module per sub-domain (as ``models/``), everything re-exported here.
"""

from ._common import (
    MAX_DELIVERY_ATTEMPTS,
    SIGNATURE_TOLERANCE_SECONDS,
    STATUS_EVENTS,
    referral_payload,
    sign,
    webhook_queue,
)
from .cases import (
    case_assess,
    case_close,
    case_create,
    case_follow_up_done,
    case_plan,
)
from .letters import (
    LETTER_CODES,
    LETTER_FIELDS,
    letter_issue,
    letter_revoke,
    letter_template_save,
)
from .providers import (
    provider_connection_save,
    provider_member_add,
    provider_save,
    provider_webhook_approve,
    service_save,
)
from .reads import (
    case_open,
    letter_pdf_open,
    referral_export_audit,
    referral_open,
)
from .referrals import (
    referral_cancel,
    referral_complete,
    referral_create,
    referral_fail,
    referral_note,
    referral_respond,
    referral_send,
    referral_start,
    referrals_escalate_overdue,
)
from .webhooks import (
    INBOUND_ACTIONS,
    webhook_deliver,
    webhook_receive,
    webhooks_deliver_due,
)

__all__ = [
    "INBOUND_ACTIONS",
    "LETTER_CODES",
    "LETTER_FIELDS",
    "MAX_DELIVERY_ATTEMPTS",
    "SIGNATURE_TOLERANCE_SECONDS",
    "STATUS_EVENTS",
    "case_assess",
    "case_close",
    "case_create",
    "case_follow_up_done",
    "case_open",
    "case_plan",
    "letter_issue",
    "letter_pdf_open",
    "letter_revoke",
    "letter_template_save",
    "provider_connection_save",
    "provider_member_add",
    "provider_save",
    "provider_webhook_approve",
    "referral_cancel",
    "referral_complete",
    "referral_create",
    "referral_export_audit",
    "referral_fail",
    "referral_note",
    "referral_open",
    "referral_payload",
    "referral_respond",
    "referral_send",
    "referral_start",
    "referrals_escalate_overdue",
    "service_save",
    "sign",
    "webhook_deliver",
    "webhook_queue",
    "webhook_receive",
    "webhooks_deliver_due",
]
