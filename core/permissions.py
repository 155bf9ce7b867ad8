"""Role groups, DRF permission classes and the separation-of-duties guard every flow uses."""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from silakso.exceptions import SeparationOfDutiesError

from .choices import Role

DINSOS_ROLES = frozenset(
    {
        Role.FRONT_OFFICE,
        Role.VERIFIER,
        Role.BACK_OFFICE,
        Role.DATA_MANAGER,
        Role.HEAD_OF_DIVISION,
    }
)
VILLAGE_ROLES = frozenset({Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD})
# Everyone who works in the registry for a region (reads scoped by region_q).
REGIONAL_STAFF_ROLES = (
    VILLAGE_ROLES | DINSOS_ROLES | {Role.SUPERVISOR, Role.REGENT_OFFICE, Role.SYSTEM_ADMIN}
)
# Who opens cases, assesses needs and refers (SLRT): Puskesos / facilitators and the Dinsos
# offices. Here because aid requests and complaints offer "open a case" too.
CASE_WORKER_ROLES = frozenset(
    {Role.VILLAGE_OPERATOR, Role.FRONT_OFFICE, Role.BACK_OFFICE, Role.HEAD_OF_DIVISION}
)
# Who may read the audit trail of their region.
AUDIT_READER_ROLES = frozenset({Role.HEAD_OF_DIVISION, Role.DATA_MANAGER, Role.SYSTEM_ADMIN})


def has_role(user, *roles) -> bool:
    """True for an active, signed-in user holding one of ``roles`` (superusers always)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role in roles


def configures_installation(user, *roles) -> bool:
    """Settings that hold for the whole installation (the agency's details, letter kinds,
    complaint service levels): one of ``roles`` whose area contains the installation's home
    regency. In a province installation another regency's administrator does not set them."""
    from django.conf import settings

    from .scope import region_in_scope

    return has_role(user, *roles) and region_in_scope(user, settings.SILAKSO_HOME_REGENCY)


def assert_separation_of_duties(*, actor, involved: Iterable, action: str) -> None:
    """Refuse when ``actor`` is one of the people who entered or submitted the object.

    ``involved`` lists the users (or user ids) who created, submitted or verified it; None
    entries (anonymous submissions, imports) are ignored. The guard is enforced, not advised:
    nobody approves, verifies or ratifies their own work (DESIGN.md §4).
    """
    actor_id = getattr(actor, "pk", actor)
    for person in involved:
        person_id = getattr(person, "pk", person)
        if person_id is not None and person_id == actor_id:
            raise SeparationOfDutiesError(
                _("You cannot {action}: another officer has to do it.").format(action=action)
            )


class IsActiveStaff(BasePermission):
    """Default for the API: a signed-in, active account that is not a resident."""

    message = _("Sign in with a staff or API client account.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and user.is_active and user.role != Role.RESIDENT
        )


class CanReadAudit(BasePermission):
    message = _("Only the head of division, data managers and administrators read the audit trail.")

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *AUDIT_READER_ROLES)
