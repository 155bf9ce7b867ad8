"""Application API: scoped reads through selectors, each transition one POST action calling one
service. An illegal transition answers 409 with the allowed next steps."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from silakso.api.audit import AuditedListMixin
from silakso.api.steps import FlowStepActionMixin
from silakso.exceptions import Forbidden, NotFound
from silakso.idempotency import caller_scope

from .. import permissions as perms
from .. import selectors, services
from ..filtersets import (
    ApplicationFilterSet,
    BatchFilterSet,
    ObjectionFilterSet,
    UpdateProposalFilterSet,
)
from ..models import Application, Batch, Objection, UpdateProposal
from ..workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW
from . import serializers as s

CONFLICT_EXAMPLE = OpenApiExample(
    "Illegal transition",
    value={
        "code": "invalid_transition",
        "detail": "Tidak dapat berpindah dari “Diterima” ke “Diverifikasi Dinsos”.",
        "current": "submitted",
        "allowed_transitions": ["awaiting_deliberation", "needs_update", "withdrawn"],
    },
    response_only=True,
    status_codes=["409"],
)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ApplicationViewSet(
    AuditedListMixin,
    FlowStepActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Aid applications of your area. Create = intake for a resident (channel recorded); each
    step is its own action (`verify/`, `reject/`, `withdraw/`, `take/`, `field-check/`)."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {
        "read": "applications:read",
        "write": "applications:write",
        "create": "applications:intake",
    }

    audit_object_type = "applications.application"

    flow = APPLICATION_FLOW

    def step_response(self, obj):
        return self._detail(obj)

    permission_classes = [perms.ApplicationPermission]
    filterset_class = ApplicationFilterSet
    serializer_class = s.ApplicationSerializer
    ordering_fields = ["status_changed_at", "created_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.application_list(user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return selectors.application_get(user=self.request.user, pk=self.kwargs["pk"])
        except (Application.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _detail(self, application, code=status.HTTP_200_OK):
        """The application after a step (the step itself is in the audit trail)."""
        application = Application.objects.prefetch_related("status_changes__actor").get(
            pk=application.pk
        )
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(responses=s.ApplicationDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One application: an audited read, like opening its page."""
        try:
            application = services.application_open(user=request.user, pk=kwargs["pk"])
        except NotFound as exc:
            raise Http404 from exc
        return Response(
            s.ApplicationDetailSerializer(application, context={"request": request}).data
        )

    @extend_schema(
        request=s.ApplicationCreateInputSerializer,
        responses={201: s.ApplicationDetailSerializer},
        examples=[
            OpenApiExample(
                "Intake at the MPP counter",
                value={
                    "program": "bpnt",
                    "village": "19.04.01.1001",
                    "channel": "mpp_counter",
                    "nik": "1904011508800003",
                    "name": "Ahmad Saputra",
                    "phone": "081234567890",
                    "address": "Jl. Merdeka No. 5, RT 001/RW 002",
                    "submission_key": "7f1c9e0a-counter-3",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request):
        data = dict(_valid(s.ApplicationCreateInputSerializer, request))
        application = services.application_submit(
            program=data.pop("program"),
            village=data.pop("village"),
            channel=data.pop("channel"),
            # a partner's own key, scoped to that partner (silakso.idempotency)
            submission_key=caller_scope(data.pop("submission_key", None), request.user),
            applicant=data,
            actor=request.user,
        )
        return self._detail(application, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.NoteInputSerializer,
        responses={200: s.ApplicationDetailSerializer},
        examples=[CONFLICT_EXAMPLE],
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Dinsos verification (verifiers; not the officer who entered it)."""
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.NoteInputSerializer, request)
        application = services.application_verify(
            application=obj, actor=request.user, note=data.get("note", "")
        )
        return self._detail(application)

    @extend_schema(request=s.ReasonInputSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason the resident reads."""
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ReasonInputSerializer, request)
        application = services.application_reject(
            application=obj, actor=request.user, reason=data["reason"]
        )
        return self._detail(application)

    @extend_schema(request=s.NoteInputSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw for the resident (before finalisation)."""
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.NoteInputSerializer, request)
        application = services.application_withdraw(
            application=obj, actor=request.user, reason=data.get("note", "")
        )
        return self._detail(application)

    @extend_schema(request=None, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """Put the application on my own verification worklist."""
        return self._detail(
            services.application_take(application=self.get_object(), actor=request.user)
        )

    @extend_schema(request=s.FieldCheckInputSerializer, responses=s.ApplicationDetailSerializer)
    @action(detail=True, methods=["post"], url_path="field-check")
    def field_check(self, request, pk=None):
        """Record a field visit (photo with GPS, notes)."""
        application = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.FieldCheckInputSerializer, request)
        services.field_check_record(
            application=application,
            actor=request.user,
            notes=data["notes"],
            photo=data.get("photo"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )
        return self._detail(application)


class UpdateProposalViewSet(
    AuditedListMixin,
    FlowStepActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Update proposals (usulan pembaruan): fill → ground check → deliberation → verify (applied
    to the registry) or reject."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "applications:read", "write": "applications:write"}

    audit_object_type = "applications.updateproposal"

    flow = PROPOSAL_FLOW

    def step_response(self, obj):
        return self._out(obj)

    permission_classes = [perms.ReadOrServicePermission]
    filterset_class = UpdateProposalFilterSet
    serializer_class = s.UpdateProposalSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.proposal_list(user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return selectors.proposal_get(user=self.request.user, pk=self.kwargs["pk"])
        except (UpdateProposal.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _out(self, proposal):
        return Response(
            s.UpdateProposalSerializer(
                UpdateProposal.objects.get(pk=proposal.pk), context={"request": self.request}
            ).data
        )

    @extend_schema(responses=s.UpdateProposalSerializer)
    def retrieve(self, request, *args, **kwargs):
        """One update proposal: an audited read, like opening its page."""
        try:
            proposal = services.proposal_open(user=request.user, pk=kwargs["pk"])
        except NotFound as exc:
            raise Http404 from exc
        return Response(s.UpdateProposalSerializer(proposal, context={"request": request}).data)

    @extend_schema(request=s.ProposalFillInputSerializer, responses=s.UpdateProposalSerializer)
    @action(detail=True, methods=["post"])
    def fill(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ProposalFillInputSerializer, request)
        return self._out(
            services.proposal_fill(
                proposal=obj,
                variables=data["variables"],
                head=data.get("head"),
                kk_number=data.get("kk_number", ""),
                actor=request.user,
            )
        )

    @extend_schema(request=s.FieldCheckInputSerializer, responses=s.UpdateProposalSerializer)
    @action(detail=True, methods=["post"], url_path="ground-check")
    def ground_check(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.FieldCheckInputSerializer, request)
        return self._out(
            services.proposal_ground_check(
                proposal=obj,
                actor=request.user,
                notes=data["notes"],
                photo=data.get("photo"),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        )

    @extend_schema(request=s.NoteInputSerializer, responses=s.UpdateProposalSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.NoteInputSerializer, request)
        return self._out(
            services.proposal_verify(proposal=obj, actor=request.user, note=data.get("note", ""))
        )

    @extend_schema(request=s.ReasonInputSerializer, responses=s.UpdateProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ReasonInputSerializer, request)
        return self._out(
            services.proposal_reject(proposal=obj, actor=request.user, reason=data["reason"])
        )


class DeliberationViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Village deliberations. Create (village heads): the meeting or SPTJM with its document
    and a decision per waiting application and update proposal."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "applications:read", "write": "applications:write"}

    audit_object_type = "applications.deliberation"

    permission_classes = [perms.ReadOrServicePermission]
    serializer_class = s.DeliberationSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.deliberation_list(user=self.request.user).order_by("pk")

    @extend_schema(
        request=s.DeliberationCreateInputSerializer, responses={201: s.DeliberationSerializer}
    )
    def create(self, request):
        data = _valid(s.DeliberationCreateInputSerializer, request)
        village = request.user.region
        if not perms.can_deliberate(request.user) or village is None:
            raise Forbidden(_("Only the village head records the deliberation."))
        decisions = dict.fromkeys(data.get("approve", []), (True, ""))
        decisions.update(
            {int(pk): (False, reason) for pk, reason in data.get("reject", {}).items()}
        )
        deliberation = services.deliberation_record(
            village=village,
            kind=data["kind"],
            held_on=data["held_on"],
            attendees=data.get("attendees"),
            document=data["document"],
            notes=data.get("notes", ""),
            decisions=decisions,
            proposal_decisions={int(pk): v for pk, v in data.get("proposals", {}).items()},
            actor=request.user,
        )
        return Response(s.DeliberationSerializer(deliberation).data, status=status.HTTP_201_CREATED)


class BatchViewSet(
    AuditedListMixin,
    FlowStepActionMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Period lists: create → `finalise/` → `ratify/` (annex PDF job) → `export/` (ministry
    file job) → `results/` (the ministry's answer)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "applications:read", "write": "applications:write"}

    audit_object_type = "applications.batch"

    flow = BATCH_FLOW

    def step_response(self, obj):
        return self._out(obj)

    permission_classes = [perms.ReadOrServicePermission]
    filterset_class = BatchFilterSet
    serializer_class = s.BatchSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.batch_list(user=self.request.user).order_by("pk")

    def get_object(self):
        try:
            return selectors.batch_get(user=self.request.user, pk=self.kwargs["pk"])
        except (Batch.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _out(self, batch, code=status.HTTP_200_OK):
        batch = selectors.batch_list(user=self.request.user).get(pk=batch.pk)
        return Response(
            s.BatchSerializer(batch, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=s.BatchCreateInputSerializer, responses={201: s.BatchSerializer})
    def create(self, request):
        data = _valid(s.BatchCreateInputSerializer, request)
        batch = services.batch_create(
            regency=data["regency"], name=data["name"], cutoff=data["cutoff"], actor=request.user
        )
        return self._out(batch, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.BatchSerializer, examples=[CONFLICT_EXAMPLE])
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        return self._out(services.batch_finalise(batch=self.get_object(), actor=request.user))

    @extend_schema(request=s.RatifyInputSerializer, responses=s.BatchSerializer)
    @action(detail=True, methods=["post"])
    def ratify(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.RatifyInputSerializer, request)
        return self._out(
            services.batch_ratify(
                batch=obj,
                actor=request.user,
                number=data["number"],
                date=data["date"],
            )
        )

    @extend_schema(request=None, responses={202: None})
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        """Queue the ministry upload file; follow the job at /api/v1/jobs/{id}/."""
        job = services.batch_export_start(batch=self.get_object(), actor=request.user)
        return Response({"job": str(job.pk)}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=s.ResultsInputSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        obj = self.get_object()  # outside your area: 404 before any input check
        data = _valid(s.ResultsInputSerializer, request)
        return Response(
            services.batch_results_import(batch=obj, handle=data["file"], actor=request.user)
        )


class ObjectionViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Public objections (sanggah) of your regency, for Dinsos; `answer/` by verifiers."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "applications:read", "write": "applications:write"}

    audit_object_type = "applications.objection"

    permission_classes = [perms.ReadOrServicePermission]
    filterset_class = ObjectionFilterSet
    serializer_class = s.ObjectionSerializer

    def get_queryset(self):
        return selectors.objection_list(user=self.request.user).order_by("pk")

    @extend_schema(request=s.ObjectionAnswerInputSerializer, responses=s.ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        objection = self.get_object()
        data = _valid(s.ObjectionAnswerInputSerializer, request)
        application = None
        if data.get("application"):
            application = (
                selectors.application_list(user=request.user).filter(pk=data["application"]).first()
            )
            if application is None:
                raise Http404
        objection = services.objection_answer(
            objection=objection,
            actor=request.user,
            outcome=data["outcome"],
            answer=data["answer"],
            application=application,
            reject_application=data.get("reject_application", False),
        )
        return Response(s.ObjectionSerializer(Objection.objects.get(pk=objection.pk)).data)
