"""Referral API: case workers' cases and referrals; a provider's system lists what was sent to
it, accepts or declines, reports progress and outcome, reads the household summary it needs;
signed events from a provider's system; service letters."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dtks.models import Household, Individual, Region
from dtks.selectors import household_get
from silakso.api.audit import AuditedListMixin
from silakso.api.scopes import ANY
from silakso.api.steps import FlowStepActionMixin
from silakso.exceptions import NotFound

from .. import permissions as perms
from .. import selectors, services
from ..filtersets import ReferralFilterSet
from ..models import Provider, Referral
from ..workflow import REFERRAL_FLOW
from . import serializers as s


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProviderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Providers in your reach (a provider's own account: itself)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY}

    permission_classes = [perms.ReferralPermission]
    serializer_class = s.ProviderSerializer

    def get_queryset(self):
        return selectors.provider_list(user=self.request.user).order_by("pk")


class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The service catalogue (domain, eligibility, capacity per period, contact)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY}

    permission_classes = [perms.ReferralPermission]
    serializer_class = s.ServiceSerializer
    filterset_fields = ["domain", "provider", "is_active"]

    def get_queryset(self):
        return selectors.service_list(user=self.request.user).order_by("pk")


class CaseViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Cases of your area: one per household; `assess/` records a domain's need, `close/` closes
    it once every referral is settled and the follow-up is done."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "referrals:read", "write": "referrals:write"}

    audit_object_type = "referrals.case"

    permission_classes = [perms.ReferralPermission]
    serializer_class = s.CaseSerializer

    def get_queryset(self):
        return selectors.case_list(user=self.request.user).order_by("pk")

    @extend_schema(responses=s.CaseSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One case: an audited read, like opening its page."""
        try:
            case = services.case_open(user=request.user, pk=kwargs["pk"])
        except NotFound as exc:
            raise Http404 from exc
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=s.CaseCreateInputSerializer, responses={201: s.CaseSerializer})
    def create(self, request):
        data = _valid(s.CaseCreateInputSerializer, request)
        try:
            household = household_get(user=request.user, pk=data["household"])
        except (Household.DoesNotExist, ValueError) as exc:
            raise Http404 from exc
        complaint = application = None
        if data.get("complaint"):
            from complaints.selectors import complaint_list

            complaint = get_object_or_404(complaint_list(user=request.user), pk=data["complaint"])
        if data.get("application"):
            from applications.selectors import application_list

            application = get_object_or_404(
                application_list(user=request.user), pk=data["application"]
            )
        case = services.case_create(
            household=household,
            origin=data["origin"],
            complaint=complaint,
            application=application,
            plan=data.get("plan", ""),
            contact_phone=data.get("contact_phone", ""),
            actor=request.user,
        )
        return Response(s.CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.AssessInputSerializer, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        case = self.get_object()
        data = _valid(s.AssessInputSerializer, request)
        services.case_assess(
            case=case,
            domain=data["domain"],
            need=data["need"],
            notes=data.get("notes", ""),
            actor=request.user,
        )
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=None, responses=s.CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return Response(
            s.CaseSerializer(services.case_close(case=self.get_object(), actor=request.user)).data
        )


REFERRAL_EXAMPLE = OpenApiExample(
    "A referral as the provider's system sees it",
    value={
        "id": 41,
        "case": "K-7K3M-9P2Q",
        "service": {
            "id": 3,
            "provider": 2,
            "provider_name": "Dinas Kesehatan",
            "name": "Aktivasi PBI-JK",
            "domain": "health",
            "eligibility": "",
            "capacity": 50,
            "capacity_period": "month",
            "contact": "",
            "is_active": True,
        },
        "provider": 2,
        "status": "sent",
        "allowed_transitions": ["accepted", "cancelled", "declined"],
        "need": "KIS tidak aktif; perlu berobat rutin.",
        "sent_at": "2026-11-25T09:00:00+07:00",
        "response_due_at": "2026-11-28T09:00:00+07:00",
        "summary": {
            "name": "Siti Aminah",
            "nik": "1904014508800003",
            "sex": "female",
            "age": 46,
            "village": "Koba",
            "district": "Koba",
            "address": "Jl. Merdeka No. 5, RT 001 / RW 002",
            "members": 4,
            "desil": 2,
            "phone": "081234567890",
        },
    },
    response_only=True,
)


#: What a provider's system answers on a referral sent to it.
PROVIDER_ANSWERS = ("accept", "decline", "start", "complete", "fail", "notes", "step")


class ReferralViewSet(
    AuditedListMixin,
    FlowStepActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals. Case workers: their area (create, `send/`, `cancel/`, `notes/`). A provider's
    admin or API client: what was sent to it (`accept/`, `decline/`, `start/`, `complete/`,
    `fail/`, `notes/`) with the household summary it needs. 409 for an illegal step."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {
        "read": {"referrals:read", "provider"},
        "write": "referrals:write",
        **{step: {"provider", "referrals:write"} for step in PROVIDER_ANSWERS},
    }

    audit_object_type = "referrals.referral"

    flow = REFERRAL_FLOW

    def step_response(self, obj):
        return self._detail(obj)

    permission_classes = [perms.ReferralPermission]
    serializer_class = s.ReferralSerializer
    filterset_class = ReferralFilterSet

    def get_queryset(self):
        return selectors.referral_list(user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return selectors.referral_get(user=self.request.user, pk=self.kwargs["pk"])
        except (Referral.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _detail(self, referral, code=status.HTTP_200_OK):
        """The referral with its household summary: an audited read (services.referral_open)."""
        try:
            referral = services.referral_open(user=self.request.user, pk=referral.pk)
        except NotFound as exc:  # a provider's cancelled draft is no longer in its reach
            raise Http404 from exc
        return Response(
            s.ReferralDetailSerializer(referral, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(responses=s.ReferralDetailSerializer, examples=[REFERRAL_EXAMPLE])
    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.ReferralCreateInputSerializer, responses={201: s.ReferralDetailSerializer}
    )
    def create(self, request):
        data = _valid(s.ReferralCreateInputSerializer, request)
        case = get_object_or_404(selectors.case_list(user=request.user), pk=data["case"])
        service = get_object_or_404(selectors.service_list(user=request.user), pk=data["service"])
        individual = None
        if data.get("individual"):
            individual = get_object_or_404(
                Individual.objects.filter(household=case.household), pk=data["individual"]
            )
        referral = services.referral_create(
            case=case,
            service=service,
            need=data["need"],
            individual=individual,
            follow_up_on=data.get("follow_up_on"),
            actor=request.user,
        )
        return self._detail(referral, status.HTTP_201_CREATED)

    @extend_schema(request=s.SendInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.SendInputSerializer, request)
        return self._detail(
            services.referral_send(
                referral=referral,
                actor=request.user,
                duplicate_reason=data.get("duplicate_reason", ""),
            )
        )

    @extend_schema(request=None, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._detail(
            services.referral_respond(referral=self.get_object(), actor=request.user, accept=True)
        )

    @extend_schema(request=s.ReferralReasonInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.ReferralReasonInputSerializer, request)
        return self._detail(
            services.referral_respond(
                referral=referral, actor=request.user, accept=False, reason=data["reason"]
            )
        )

    @extend_schema(request=None, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._detail(services.referral_start(referral=self.get_object(), actor=request.user))

    @extend_schema(request=s.CompleteInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.CompleteInputSerializer, request)
        return self._detail(
            services.referral_complete(
                referral=referral,
                actor=request.user,
                outcome=data["outcome"],
                outcome_date=data.get("outcome_date"),
                value=data.get("value"),
            )
        )

    @extend_schema(request=s.ReferralReasonInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.ReferralReasonInputSerializer, request)
        return self._detail(
            services.referral_fail(referral=referral, actor=request.user, reason=data["reason"])
        )

    @extend_schema(request=s.ReferralReasonInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.ReferralReasonInputSerializer, request)
        return self._detail(
            services.referral_cancel(referral=referral, actor=request.user, reason=data["reason"])
        )

    @extend_schema(request=s.ReferralNoteInputSerializer, responses=s.ReferralDetailSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        referral = self.get_object()
        data = _valid(s.ReferralNoteInputSerializer, request)
        services.referral_note(referral=referral, actor=request.user, text=data["text"])
        return self._detail(referral)


class ProviderEventView(APIView):
    """Events from a provider's own system, signed like our webhooks: `X-Silakso-Timestamp`
    (Unix seconds), `X-Silakso-Event-Id` (unique per event) and `X-Silakso-Signature:
    sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the provider's webhook secret>`.
    Body: `{"referral": id, "action": "accepted|declined|started|completed|failed|note", ...}`.
    A forged signature answers 403, an old or replayed event 403/409."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={200: s.ReferralSerializer},
        parameters=[
            OpenApiParameter("X-Silakso-Timestamp", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Silakso-Event-Id", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Silakso-Signature", str, OpenApiParameter.HEADER, required=True),
        ],
        examples=[
            OpenApiExample(
                "The provider accepts",
                value={"referral": 41, "action": "accepted"},
                request_only=True,
            )
        ],
    )
    def post(self, request, provider_id):
        provider = get_object_or_404(Provider, pk=provider_id)
        referral = services.webhook_receive(
            provider=provider, headers=request.headers, body=request.body
        )
        return Response(s.ReferralSerializer(referral).data)


class LetterViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """SLRT service letters of your area; create issues a numbered PDF with a QR code."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": {"referrals:read", "provider"}, "write": "referrals:write"}

    audit_object_type = "referrals.letter"

    permission_classes = [perms.ReferralPermission]
    serializer_class = s.LetterSerializer

    def get_queryset(self):
        return selectors.letter_list(user=self.request.user).order_by("pk")

    @extend_schema(request=s.LetterCreateInputSerializer, responses={201: s.LetterSerializer})
    def create(self, request):
        data = _valid(s.LetterCreateInputSerializer, request)
        region = get_object_or_404(Region, code=data["region"], level=4)
        letter = services.letter_issue(
            kind=data["kind"],
            region=region,
            recipient_name=data["recipient_name"],
            recipient_nik=data.get("recipient_nik", ""),
            details=data.get("details", {}),
            valid_until=data.get("valid_until"),
            actor=request.user,
        )
        return Response(s.LetterSerializer(letter).data, status=status.HTTP_201_CREATED)
