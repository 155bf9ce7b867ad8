"""Transition tables: each flow declares one TRANSITIONS dict, its single source of truth."""

from collections.abc import Mapping

from .exceptions import InvalidTransition


class Workflow:
    """Wraps ``{state: frozenset(next states)}`` with the two questions services ask."""

    def __init__(self, transitions: Mapping):
        self.transitions = {src: frozenset(dsts) for src, dsts in transitions.items()}

    def allowed_targets(self, state) -> frozenset:
        """States reachable from ``state`` in one step."""
        return self.transitions.get(state, frozenset())

    def can(self, source, target) -> bool:
        return target in self.allowed_targets(source)

    def assert_transition(self, source, target) -> None:
        """Raise InvalidTransition (HTTP 409) unless ``source -> target`` is in the table."""
        if not self.can(source, target):
            raise InvalidTransition(
                current=source, target=target, allowed=sorted(self.allowed_targets(source))
            )
