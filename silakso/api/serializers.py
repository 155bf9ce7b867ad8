"""Serializer pieces every app's API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def caller(serializer):
    """The user the response is for (None outside a request)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class FlowStepsMixin(serializers.Serializer):
    """``allowed_transitions`` (statuses) and ``allowed_steps`` (step codes) that the caller
    may take now, derived from the flow's step declarations: another role sees other steps.
    Subclasses set ``flow``."""

    flow = None

    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("Statuses you can move this to now (your role's steps only).")
    )
    allowed_steps = serializers.SerializerMethodField(
        help_text=_("Steps you can take now, by code (your role's steps only).")
    )

    def get_allowed_transitions(self, obj) -> list[str]:
        return self.flow.allowed_transitions(obj, caller(self))

    def get_allowed_steps(self, obj) -> list[str]:
        return self.flow.allowed_steps(obj, caller(self))
