"""Who does which step of the complaint flow. Row scope is always core.scope (and, for misuse
reports, Dinsos only: see Complaint.objects.visible_to)."""

from rest_framework.permissions import BasePermission

from core.choices import Role
from core.permissions import DINSOS_ROLES, REGIONAL_STAFF_ROLES, has_role

READERS = REGIONAL_STAFF_ROLES | {Role.API_CLIENT}
# Who takes a complaint in for a resident: facilitators and Puskesos (village operators), the
# SLRT secretariat and MPP counter (front office), partner systems.
INTAKE = frozenset({Role.VILLAGE_OPERATOR, Role.FRONT_OFFICE, Role.API_CLIENT, Role.SYSTEM_ADMIN})
VILLAGE = frozenset({Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD})
SUPERVISORS = frozenset({Role.SUPERVISOR})
FRONT_OFFICE = frozenset({Role.FRONT_OFFICE, Role.HEAD_OF_DIVISION})
BACK_OFFICE = frozenset({Role.BACK_OFFICE, Role.HEAD_OF_DIVISION})
DINSOS = DINSOS_ROLES
REPORTERS = DINSOS_ROLES | {Role.SYSTEM_ADMIN}


def can_read(user) -> bool:
    return has_role(user, *READERS)


def can_intake(user) -> bool:
    return has_role(user, *INTAKE)


def can_report(user) -> bool:
    return has_role(user, *REPORTERS)


class ComplaintPermission(BasePermission):
    """Reads and actions for staff of the region (each action checks its role in the service)."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "create":
            return can_intake(request.user)
        return can_read(request.user)
