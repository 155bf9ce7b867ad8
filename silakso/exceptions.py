"""Domain errors raised by services and mapped to HTTP by one handler (silakso.api)."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the request. The message is shown to the user as is.

    ``fields`` maps form/API field names to messages when the problem belongs to a field.
    """

    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class Forbidden(DomainError):
    """The actor's role may not perform this action (HTTP 403). Named apart from Django's
    ``PermissionDenied``, which views raise for a whole page."""

    default_code = "permission_denied"


class SeparationOfDutiesError(Forbidden):
    """The actor entered or submitted the object and may not also approve it."""

    default_code = "separation_of_duties"


class NotFound(DomainError):
    """What the request names does not exist for the caller (404, no hint that it exists)."""

    default_code = "not_found"


class OutOfScope(NotFound, Forbidden):
    """The object lies outside the actor's area: refused, and answered as 404 so that nobody
    learns it exists. A Forbidden too, so a service's callers treat it as a refusal."""

    default_code = "not_found"


class Conflict(DomainError):
    """The request repeats something already done (a replayed event, a second rating): 409."""

    default_code = "conflict"


class Throttled(DomainError):
    """Too many of these in a short time (HTTP 429): try again after ``retry_after`` seconds
    (sent as the ``Retry-After`` header)."""

    default_code = "throttled"

    def __init__(self, message, *, retry_after: int = 3600, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = int(retry_after)


class StaleObjectError(DomainError):
    """Someone else saved the object after the actor loaded it (optimistic locking)."""

    default_code = "stale"

    def __init__(self, message, *, changes: dict | None = None, current_version: int | None = None):
        super().__init__(message)
        self.changes = changes or {}
        self.current_version = current_version


class InvalidTransition(DomainError):
    """A state machine refused to move from the current state to the requested one."""

    default_code = "invalid_transition"

    def __init__(self, *, current, target, allowed: Iterable, allowed_steps: Iterable = ()):
        allowed = list(allowed)
        message = _("Cannot move from “{current}” to “{target}”.").format(
            current=getattr(current, "label", current), target=getattr(target, "label", target)
        )
        super().__init__(message)
        self.current = current
        self.target = target
        self.allowed = allowed
        #: the step codes the caller may take now (the table's ``allowed`` ignores roles)
        self.allowed_steps = list(allowed_steps)


def require(condition: bool, message) -> None:
    """A service's role check: Forbidden with ``message`` unless ``condition`` holds."""
    if not condition:
        raise Forbidden(message)
