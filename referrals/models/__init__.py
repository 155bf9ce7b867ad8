"""Case management: providers and their services, cases and referrals, webhooks to providers'
systems, and SLRT service letters — one module per sub-domain, all re-exported here."""

from .cases import (
    Assessment,
    Case,
    CaseQuerySet,
    CaseStatusChange,
    Referral,
    ReferralNote,
    ReferralQuerySet,
    ReferralStatusChange,
)
from .letters import Letter, LetterCounter, LetterQuerySet, LetterTemplate
from .providers import (
    PROVIDER_ROLES,
    Provider,
    ProviderMember,
    ProviderQuerySet,
    Service,
    _secret,
    _token,
    provider_of,
)
from .webhooks import WebhookDelivery, WebhookReceipt

__all__ = [
    "PROVIDER_ROLES",
    "Assessment",
    "Case",
    "CaseQuerySet",
    "CaseStatusChange",
    "Letter",
    "LetterCounter",
    "LetterQuerySet",
    "LetterTemplate",
    "Provider",
    "ProviderMember",
    "ProviderQuerySet",
    "Referral",
    "ReferralNote",
    "ReferralQuerySet",
    "ReferralStatusChange",
    "Service",
    "WebhookDelivery",
    "WebhookReceipt",
    "_secret",
    "_token",
    "provider_of",
]
