"""Who does which step of the application flow. Row scope is always core.scope."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.choices import Role
from core.permissions import DINSOS_ROLES, REGIONAL_STAFF_ROLES, has_role

# Who reads applications of their region.
READERS = REGIONAL_STAFF_ROLES | {Role.API_CLIENT}
# Who enters an application on a resident's behalf: village operator / facilitator (also at the
# Puskesos), the Dinsos front office at the MPP counter, partner systems.
INTAKE = frozenset({Role.VILLAGE_OPERATOR, Role.FRONT_OFFICE, Role.SYSTEM_ADMIN, Role.API_CLIENT})
# Who fills in update proposals and does ground checks: the village's operators and Dinsos.
FIELD = frozenset({Role.VILLAGE_OPERATOR, Role.FRONT_OFFICE, Role.VERIFIER, Role.SYSTEM_ADMIN})
# Who records the village deliberation or signs the SPTJM.
DELIBERATORS = frozenset({Role.VILLAGE_HEAD})
# Who verifies or rejects, and answers objections.
VERIFIERS = frozenset({Role.VERIFIER})
# Who opens and finalises period lists, exports them and imports the ministry's results.
BATCH_MANAGERS = frozenset({Role.DATA_MANAGER, Role.HEAD_OF_DIVISION})
# Who ratifies a period list.
RATIFIERS = frozenset({Role.REGENT_OFFICE})
# Who reads objections (the objector's identity is Dinsos-only).
OBJECTION_READERS = DINSOS_ROLES | {Role.SYSTEM_ADMIN}


def can_read(user) -> bool:
    return has_role(user, *READERS)


def can_intake(user) -> bool:
    return has_role(user, *INTAKE)


def can_field(user) -> bool:
    return has_role(user, *FIELD)


def can_deliberate(user) -> bool:
    return has_role(user, *DELIBERATORS)


def can_verify(user) -> bool:
    return has_role(user, *VERIFIERS)


def can_manage_batches(user) -> bool:
    return has_role(user, *BATCH_MANAGERS)


def can_ratify(user) -> bool:
    return has_role(user, *RATIFIERS)


def can_read_objections(user) -> bool:
    return has_role(user, *OBJECTION_READERS)


class ApplicationPermission(BasePermission):
    """Reads for staff of the region; creating is intake; actions check their role in services."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return can_read(request.user)
        if getattr(view, "action", None) == "create":
            return can_intake(request.user)
        return can_read(request.user)


class ReadOrServicePermission(BasePermission):
    """Reads for staff of the region; each write action checks its own role in the service."""

    def has_permission(self, request, view) -> bool:
        return can_read(request.user)
