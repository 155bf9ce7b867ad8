from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import selectors
from core.filtersets import AuditEventFilterSet
from core.permissions import CanReadAudit
from silakso.api.audit import AuditedListMixin
from silakso.api.scopes import ANY

from .serializers import AuditEventSerializer, JobSerializer, MeSerializer


class MeView(APIView):
    """Who am I: the account behind this session or token."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY}

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs the caller started, with live progress."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY}

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.job_list(user=self.request.user)


class AuditEventViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The audit trail of the caller's region (read-only, for audit readers)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "audit:read"}

    audit_object_type = "core.auditevent"

    serializer_class = AuditEventSerializer
    permission_classes = [CanReadAudit]
    filterset_class = AuditEventFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.audit_event_list(user=self.request.user)
