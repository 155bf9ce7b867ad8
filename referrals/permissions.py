"""Who works cases, who answers referrals, who issues letters. Row scope: core.scope for case
workers; a provider's own referrals for its members."""

from rest_framework.permissions import BasePermission

from core.choices import Role
from core.permissions import CASE_WORKER_ROLES, REGIONAL_STAFF_ROLES, has_role

from .models import provider_of

# Who opens cases, assesses needs and refers: Puskesos / facilitators and the Dinsos offices.
CASE_WORKERS = CASE_WORKER_ROLES
READERS = REGIONAL_STAFF_ROLES | {Role.API_CLIENT}
LETTER_ISSUERS = frozenset({Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.HEAD_OF_DIVISION})
CATALOGUE_ADMINS = frozenset({Role.SYSTEM_ADMIN, Role.HEAD_OF_DIVISION})


def can_work_cases(user) -> bool:
    return has_role(user, *CASE_WORKERS)


def can_read(user) -> bool:
    return has_role(user, *READERS) or provider_of(user) is not None


def can_issue_letters(user) -> bool:
    return has_role(user, *LETTER_ISSUERS)


def is_provider_of(user, provider) -> bool:
    member = provider_of(user)
    return member is not None and provider is not None and member.pk == provider.pk


class ReferralPermission(BasePermission):
    """Case workers and providers' own accounts; each action checks its role in the service."""

    def has_permission(self, request, view) -> bool:
        return can_read(request.user)
