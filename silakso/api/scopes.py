"""What each API endpoint asks of a partner system's key (core.apikeys.SCOPES).

Every API view declares ``client_scopes``: ``{"read": …, "write": …, "<action>": …}``, each value
a scope or a set of alternatives; ``ANY`` for reference data every key may read. A view that
declares nothing refuses every key (fail closed), and a test walks every view to see that each
has decided. Session users (officers) are governed by their roles and area, not by scopes.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from core.models import ApiKey

ANY = "*"


def required_scopes(view, request) -> set[str] | None:
    """The scopes (any one suffices) that ``request`` to ``view`` needs; None: undeclared."""
    declared = getattr(view, "client_scopes", None)
    if declared is None:
        return None
    action = getattr(view, "action", None)
    if action and action in declared:
        needed = declared[action]
    elif request.method in SAFE_METHODS:
        needed = declared.get("read")
    else:
        needed = declared.get("write")
    if needed is None:
        return None
    return {needed} if isinstance(needed, str) else set(needed)


def enforce_scopes(view, request, key: ApiKey) -> None:
    """Refuse (403, ``scope_missing``) a key without a scope the endpoint asks for. Called by
    the key's authentication itself, so that no view, whatever its permission classes, can
    forget it."""
    needed = required_scopes(view, request) if view is not None else None
    if needed is None:
        raise PermissionDenied(
            _("No partner system key may use this endpoint."), code="scope_missing"
        )
    if ANY in needed or needed & set(key.scopes):
        return
    raise PermissionDenied(
        _("This key lacks the scope {scope}.").format(scope=" / ".join(sorted(needed))),
        code="scope_missing",
    )
