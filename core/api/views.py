from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
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


class _GatewayView(APIView):
    """Signed by the gateway with SILAKSO_GATEWAY_SECRET, not by an API key."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []


_SIGNED = [
    OpenApiParameter("X-Silakso-Timestamp", str, OpenApiParameter.HEADER),
    OpenApiParameter("X-Silakso-Signature", str, OpenApiParameter.HEADER),
]


class InboundMessageView(_GatewayView):
    """A resident's SMS/WhatsApp message, passed on by the gateway: `{"id": "<gateway's id>",
    "from": "0812…", "text": "ADUAN …", "channel": "sms|whatsapp"}`, signed like SILAKSO's
    webhooks (`X-Silakso-Timestamp`, `X-Silakso-Signature: sha256=<hex HMAC-SHA256 of
    "<timestamp>.<body>">`) or by Standard Webhooks. `ADUAN <NIK> <text>` starts a complaint,
    `STOP`/`MULAI` switch messages off/on; the answer goes back through the outbox. A message is
    handled once per id (a retry gets the same answer)."""

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={200: {"type": "object"}},
        parameters=_SIGNED,
        examples=[
            OpenApiExample(
                "A complaint",
                value={"id": "gw-81", "from": "081234567890", "text": "ADUAN 1904… belum cair"},
                request_only=True,
            )
        ],
    )
    def post(self, request):
        from core.gateway import inbound_receive

        message = inbound_receive(headers=request.headers, body=request.body)
        return Response({"outcome": message.outcome, "code": message.object_code or None})


class DeliveryReceiptView(_GatewayView):
    """The gateway's delivery receipt: `{"id": "<its message id>"` (or `"reference": <our id>`)
    `, "status": "delivered|failed|…", "error": "…"}`, signed as incoming messages are."""

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={200: {"type": "object"}},
        parameters=_SIGNED,
    )
    def post(self, request):
        from core.gateway import delivery_receipt

        notification = delivery_receipt(headers=request.headers, body=request.body)
        return Response({"reference": notification.pk, "status": notification.delivery_status})
