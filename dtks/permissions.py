"""Who may read and change the registry. Row scope is always core.scope; these are role checks."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.choices import Role
from core.permissions import REGIONAL_STAFF_ROLES, has_role

# Everyone who reads registry data of their region (the scope rule decides which rows).
REGISTRY_READERS = REGIONAL_STAFF_ROLES | {Role.API_CLIENT}
# Who records changes: field operators, Dinsos data managers and verifiers, partner systems.
REGISTRY_EDITORS = frozenset(
    {Role.VILLAGE_OPERATOR, Role.DATA_MANAGER, Role.VERIFIER, Role.SYSTEM_ADMIN, Role.API_CLIENT}
)
# Who maintains program catalogue entries, periods and enrollments.
PROGRAM_MANAGERS = frozenset({Role.DATA_MANAGER, Role.SYSTEM_ADMIN})


def can_read_registry(user) -> bool:
    return has_role(user, *REGISTRY_READERS)


def can_edit_registry(user) -> bool:
    return has_role(user, *REGISTRY_EDITORS)


#: Who approves a field outcome that ends or changes aid (now able, moved, deceased, not found).
FIELD_OUTCOME_REVIEWERS = frozenset({Role.VERIFIER, Role.DATA_MANAGER})


# A national extract's round: compared and proposed by the data manager, approved by the head
# of division (the one who answers for who leaves the registry).
ROUND_PROPOSERS = frozenset({Role.DATA_MANAGER})
ROUND_APPROVERS = frozenset({Role.HEAD_OF_DIVISION})
ROUND_READERS = ROUND_PROPOSERS | ROUND_APPROVERS | {Role.SYSTEM_ADMIN, Role.REGENT_OFFICE}


def can_read_rounds(user) -> bool:
    return has_role(user, *ROUND_READERS)


def can_start_round(user) -> bool:
    return has_role(user, *ROUND_PROPOSERS)


def can_import_registry(user) -> bool:
    """Bulk imports of ministry extracts are Dinsos data work."""
    return has_role(user, *PROGRAM_MANAGERS)


def can_manage_programs(user) -> bool:
    return has_role(user, *PROGRAM_MANAGERS)


def manages_program(user, program) -> bool:
    """A partner OPD's program manager named on ``program``: keeps its recipients only."""
    if program is None or program.pk is None or not has_role(user, Role.PROGRAM_MANAGER):
        return False
    if user.is_superuser:
        return False
    return program.managers.filter(pk=user.pk).exists()


def can_manage_recipients(user, program) -> bool:
    """Enroll, end and import the recipients of ``program``: Dinsos data managers and
    administrators for every program, a partner OPD's program manager for its own."""
    return can_manage_programs(user) or manages_program(user, program)


class RegistryPermission(BasePermission):
    """Read for registry readers; writes (and actions) for registry editors."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return can_read_registry(request.user)
        return can_edit_registry(request.user)


class ProgramPermission(BasePermission):
    """Read for registry readers; writes for data managers and administrators."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return can_read_registry(request.user)
        return can_manage_programs(request.user)
