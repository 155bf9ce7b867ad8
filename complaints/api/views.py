"""Complaint API: partners submit complaints and read their status; officers take each step
as an action. An illegal step answers 409 with the allowed next steps."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from silakso.api.audit import AuditedListMixin
from silakso.api.steps import FlowStepActionMixin
from silakso.exceptions import NotFound
from silakso.idempotency import caller_scope

from .. import permissions as perms
from .. import selectors, services
from ..filtersets import ComplaintFilterSet
from ..models import Complaint
from ..workflow import COMPLAINT_FLOW
from . import serializers as s


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ComplaintViewSet(
    AuditedListMixin,
    FlowStepActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Complaints of your area (misuse reports: Dinsos only, reporter hidden but for the officer
    in charge). Steps: `forward/`, `approve/`, `return/`, `review/`, `resolve/`, `close/`,
    `take/`, `update-proposal/`, `link-program/`."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {
        "read": "complaints:read",
        "write": "complaints:write",
        "create": "complaints:intake",
    }

    audit_object_type = "complaints.complaint"

    flow = COMPLAINT_FLOW

    def step_response(self, obj):
        return self._detail(obj)

    permission_classes = [perms.ComplaintPermission]
    filterset_class = ComplaintFilterSet
    serializer_class = s.ComplaintSerializer
    ordering_fields = ["due_at", "created_at"]

    def get_queryset(self):
        return selectors.complaint_list(user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return selectors.complaint_get(user=self.request.user, pk=self.kwargs["pk"])
        except (Complaint.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _detail(self, complaint, code=status.HTTP_200_OK):
        """The complaint after a step (the step itself is in the audit trail)."""
        complaint = Complaint.objects.prefetch_related("status_changes").get(pk=complaint.pk)
        complaint = services.mask_reporter(
            complaint, show=selectors.reporter_visible(complaint=complaint, user=self.request.user)
        )
        return Response(
            s.ComplaintDetailSerializer(complaint, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(responses=s.ComplaintDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One complaint: an audited read, like opening its page."""
        try:
            complaint = services.complaint_open(user=request.user, pk=kwargs["pk"])
        except NotFound as exc:
            raise Http404 from exc
        return Response(s.ComplaintDetailSerializer(complaint, context={"request": request}).data)

    @extend_schema(
        request=s.ComplaintCreateInputSerializer,
        responses={201: s.ComplaintDetailSerializer},
        examples=[
            OpenApiExample(
                "From the MPP counter system",
                value={
                    "category": "health",
                    "channel": "api",
                    "village": "19.04.01.1001",
                    "description": "Ditolak di puskesmas karena kartu KIS tidak aktif.",
                    "nik": "1904011508800003",
                    "name": "Ahmad Saputra",
                    "phone": "081234567890",
                    "submission_key": "mpp-7781",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        data = dict(_valid(s.ComplaintCreateInputSerializer, request))
        complaint, _secret = services.complaint_submit(
            category=data.pop("category"),
            description=data.pop("description"),
            village=data.pop("village"),
            channel=data.pop("channel"),
            membership_related=data.pop("membership_related"),
            anonymous=data.pop("anonymous"),
            # a partner's own key, scoped to that partner (silakso.idempotency)
            submission_key=caller_scope(data.pop("submission_key", None), request.user),
            complainant=data,
            actor=request.user,
        )
        return self._detail(complaint, status.HTTP_201_CREATED)

    @extend_schema(request=s.ComplaintNoteInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ComplaintNoteInputSerializer, request)
        return self._detail(
            services.complaint_forward(complaint=obj, actor=request.user, note=data.get("note", ""))
        )

    @extend_schema(request=s.ComplaintNoteInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ComplaintNoteInputSerializer, request)
        return self._detail(
            services.complaint_supervise(
                complaint=obj,
                actor=request.user,
                approve=True,
                note=data.get("note", ""),
            )
        )

    @extend_schema(request=s.ComplaintNoteInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ComplaintNoteInputSerializer, request)
        return self._detail(
            services.complaint_supervise(
                complaint=obj,
                actor=request.user,
                approve=False,
                note=data.get("note", ""),
            )
        )

    @extend_schema(request=s.ReviewInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ReviewInputSerializer, request)
        return self._detail(
            services.complaint_review(
                complaint=obj,
                actor=request.user,
                analysis=data["analysis"],
                hand_over=data["hand_over"],
            )
        )

    @extend_schema(request=s.ResolveInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ResolveInputSerializer, request)
        return self._detail(
            services.complaint_resolve(
                complaint=obj,
                actor=request.user,
                resolution=data["resolution"],
                resolved_by_kind=data["resolved_by_kind"],
            )
        )

    @extend_schema(request=s.CloseInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.CloseInputSerializer, request)
        return self._detail(
            services.complaint_close(complaint=obj, actor=request.user, told_via=data["told_via"])
        )

    @extend_schema(request=None, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        return self._detail(
            services.complaint_take(complaint=self.get_object(), actor=request.user)
        )

    @extend_schema(request=None, responses={201: None})
    @action(detail=True, methods=["post"], url_path="update-proposal")
    def update_proposal(self, request, pk=None):
        """Open an update proposal (applications app) for the complainant's household."""
        proposal = services.complaint_open_update_proposal(
            complaint=self.get_object(), actor=request.user
        )
        return Response(
            {"update_proposal": proposal.pk, "code": proposal.code}, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.ProgramInputSerializer, responses=s.ComplaintDetailSerializer)
    @action(detail=True, methods=["post"], url_path="link-program")
    def link_program(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ProgramInputSerializer, request)
        return self._detail(
            services.complaint_link_program(
                complaint=obj, actor=request.user, program=data["program"]
            )
        )
