"""Registry API: scoped reads through selectors, every write through one service."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dtks import selectors, services
from dtks.filtersets import (
    EnrollmentFilterSet,
    FamilyFilterSet,
    HouseholdApiFilterSet,
    IndividualFilterSet,
    ProgramFilterSet,
    RegionFilterSet,
)
from dtks.models import Household, Individual, Program, ProgramPeriod
from dtks.nik import normalize_number
from dtks.permissions import ProgramPermission, RegistryPermission
from silakso.api.audit import AuditedListMixin
from silakso.api.scopes import ANY
from silakso.exceptions import NotFound
from silakso.replicas import replica_reads

from . import serializers as s


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The official Kemendagri region list, by code (`/regions/19.04/`) or by name (`?q=`)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY}

    serializer_class = s.RegionSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]
    lookup_value_regex = r"[0-9.]+"

    def get_queryset(self):
        return selectors.region_list()


def _member(household: Household, pk, field: str) -> Individual:
    if pk is None:
        return None
    member = household.members.filter(pk=pk).first()
    if member is None:
        raise ApiValidationError({field: [_("Not a member of this household.")]})
    return member


HOUSEHOLD_CREATE_EXAMPLE = OpenApiExample(
    "Register a household",
    value={
        "village": "19.04.01.1001",
        "address": "Jl. Merdeka No. 5",
        "rt": "002",
        "rw": "001",
        "kk_number": "1904011203150004",
        "head": {
            "nik": "1904011508800003",
            "name": "Ahmad Saputra",
            "birth_date": "1980-08-15",
            "sex": "male",
        },
        "floor_material": "cement",
        "reason": "Field visit, new household",
        "source": "field_visit",
    },
    request_only=True,
)


class HouseholdViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Households of your area. Member changes are explicit actions, each kept in the history."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "registry:read", "write": "registry:write"}

    audit_object_type = "dtks.household"

    permission_classes = [RegistryPermission]
    filterset_class = HouseholdApiFilterSet
    serializer_class = s.HouseholdSerializer
    ordering_fields = ["id", "desil", "member_count", "updated_at"]

    def get_queryset(self):
        return selectors.household_list(user=self.request.user).order_by("id")

    def get_object(self):
        try:
            return selectors.household_get(user=self.request.user, pk=self.kwargs["pk"])
        except (Household.DoesNotExist, ValueError) as exc:
            raise Http404 from exc

    def _detail(self, household, code=status.HTTP_200_OK):
        household = selectors.household_get(user=self.request.user, pk=household.pk)
        return Response(s.HouseholdDetailSerializer(household).data, status=code)

    @extend_schema(
        responses=s.HouseholdDetailSerializer,
        parameters=[
            OpenApiParameter(
                "as_of",
                OpenApiTypes.DATE,
                description="The official desil valid on this day (desil and desil_as_of).",
            )
        ],
    )
    def retrieve(self, request, *args, **kwargs):
        as_of = None
        if "as_of" in request.query_params:
            try:
                as_of = serializers.DateField().run_validation(request.query_params["as_of"])
            except ApiValidationError as exc:
                raise ApiValidationError({"as_of": exc.detail}) from exc
        try:
            household = services.household_open(user=request.user, pk=kwargs["pk"])
        except NotFound as exc:
            raise Http404 from exc
        if as_of is not None:
            household.desil_then, household.desil_then_as_of = selectors.desil_value_on(
                household=household, date=as_of
            )
        return Response(s.HouseholdDetailSerializer(household).data)

    @extend_schema(
        request=s.HouseholdCreateInputSerializer,
        responses={201: s.HouseholdDetailSerializer},
        examples=[HOUSEHOLD_CREATE_EXAMPLE],
    )
    def create(self, request):
        data = self._valid(s.HouseholdCreateInputSerializer)
        household = services.household_create(
            village=data.pop("village"),
            head=data.pop("head"),
            kk_number=data.pop("kk_number"),
            reason=data.pop("reason"),
            source=data.pop("source"),
            dtks_id=data.pop("dtks_id", None),
            data=data,
            actor=request.user,
        )
        return self._detail(household, status.HTTP_201_CREATED)

    @extend_schema(request=s.HouseholdUpdateInputSerializer, responses=s.HouseholdDetailSerializer)
    def partial_update(self, request, pk=None):
        household = self.get_object()
        serializer = s.HouseholdUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for required in ("version", "reason"):
            if required not in data:
                raise ApiValidationError({required: [_("This field is required.")]})
        services.household_update(
            household=household,
            version=data.pop("version"),
            reason=data.pop("reason"),
            source=data.pop("source", "office"),
            data=data,
            actor=request.user,
        )
        return self._detail(household)

    def _valid(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @staticmethod
    def _change(data) -> dict:
        return {
            "reason": data.pop("reason", ""),
            "source": data.pop("source", "office"),
            "version": data.pop("version", None),
        }

    @extend_schema(request=s.BirthInputSerializer, responses={201: s.HouseholdDetailSerializer})
    @action(detail=True, methods=["post"])
    def birth(self, request, pk=None):
        """A baby born into the household."""
        household = self.get_object()
        data = self._valid(s.BirthInputSerializer)
        change = self._change(data)
        family = household.families.filter(pk=data.pop("family", None)).first()
        services.member_birth(
            household=household,
            relation=data.pop("relation_to_head"),
            family=family,
            kk_number=data.pop("kk_number", None),
            person=data,
            actor=request.user,
            **change,
        )
        return self._detail(household, status.HTTP_201_CREATED)

    @extend_schema(request=s.MoveInInputSerializer, responses={201: s.HouseholdDetailSerializer})
    @action(detail=True, methods=["post"], url_path="move-in")
    def move_in(self, request, pk=None):
        """Someone joins the household (moved from elsewhere in your area, or new)."""
        household = self.get_object()
        data = self._valid(s.MoveInInputSerializer)
        change = self._change(data)
        family = household.families.filter(pk=data.pop("family", None)).first()
        services.member_move_in(
            household=household,
            relation=data.pop("relation_to_head"),
            family=family,
            kk_number=data.pop("kk_number", None),
            person=data,
            actor=request.user,
            **change,
        )
        return self._detail(household, status.HTTP_201_CREATED)

    def _leave(self, request, service):
        household = self.get_object()
        data = self._valid(s.LeaveInputSerializer)
        change = self._change(data)
        service(
            individual=_member(household, data["individual"], "individual"),
            date=data["date"],
            new_head=_member(household, data.get("new_head"), "new_head"),
            actor=request.user,
            **change,
        )
        return self._detail(household)

    @extend_schema(request=s.LeaveInputSerializer, responses=s.HouseholdDetailSerializer)
    @action(detail=True, methods=["post"])
    def death(self, request, pk=None):
        """A member died (name `new_head` when the head died)."""
        return self._leave(request, services.member_death)

    @extend_schema(request=s.LeaveInputSerializer, responses=s.HouseholdDetailSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request, pk=None):
        """A member left the household."""
        return self._leave(request, services.member_move_out)

    @extend_schema(request=s.HeadChangeInputSerializer, responses=s.HouseholdDetailSerializer)
    @action(detail=True, methods=["post"], url_path="change-head")
    def change_head(self, request, pk=None):
        household = self.get_object()
        data = self._valid(s.HeadChangeInputSerializer)
        change = self._change(data)
        services.head_change(
            household=household,
            new_head=_member(household, data["new_head"], "new_head"),
            old_head_relation=data["old_head_relation"],
            actor=request.user,
            **change,
        )
        return self._detail(household)

    @extend_schema(request=s.SplitInputSerializer, responses=s.HouseholdDetailSerializer)
    @action(detail=True, methods=["post"], url_path="split-kk")
    def split_kk(self, request, pk=None):
        """Members get a new KK, in this house or (with an address) as a new household."""
        household = self.get_object()
        data = self._valid(s.SplitInputSerializer)
        change = self._change(data)
        members = [
            (_member(household, item["individual"], "members"), item["relation_to_head"])
            for item in data["members"]
        ]
        services.family_split(
            household=household,
            members=members,
            kk_number=data["kk_number"],
            new_household_address=data.get("new_household_address") or None,
            actor=request.user,
            **change,
        )
        return self._detail(household)

    @extend_schema(responses=s.HouseholdEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """The household timeline, newest first (paginated)."""
        household = self.get_object()
        page = self.paginate_queryset(selectors.household_history(household=household))
        return self.get_paginated_response(s.HouseholdEventSerializer(page, many=True).data)


class IndividualViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """People of your area (NIK masked). Filter `?nik=` for an exact lookup."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {
        "read": "registry:read",
        "write": "registry:write",
        "nik": "registry:nik",
        "lookup": "registry:read",
    }

    audit_object_type = "dtks.individual"

    permission_classes = [RegistryPermission]
    serializer_class = s.IndividualSerializer
    filterset_class = IndividualFilterSet
    ordering_fields = ["id", "name", "birth_date"]

    def get_queryset(self):
        return selectors.individual_list(user=self.request.user).order_by("id")

    @extend_schema(request=s.BulkLookupInputSerializer, responses=s.BulkLookupSerializer)
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """Check a list of up to 1,000 NIKs (an OPD's own recipients): for each, whether the
        person is in your area, the name masked, the household's desil and current programs.
        Outside your area answers like not registered. Limited per hour; audited."""
        serializer = s.BulkLookupInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = services.people_lookup_bulk(
            actor=request.user, niks=serializer.validated_data["niks"]
        )
        return Response({"results": answers})

    @extend_schema(request=s.IndividualCorrectInputSerializer, responses=s.IndividualSerializer)
    def partial_update(self, request, pk=None):
        """Correct a person's data (reason required)."""
        person = self.get_object()
        serializer = s.IndividualCorrectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        change = HouseholdViewSet._change(data)
        person = services.individual_correct(
            individual=person, data=data, actor=request.user, **change
        )
        return Response(s.IndividualSerializer(person).data)

    @extend_schema(request=None, responses=s.NikRevealSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def nik(self, request, pk=None):
        """The full NIK and birth date of one person. Every call is in the audit trail."""
        person = self.get_object()
        nik = services.nik_reveal(individual=person, actor=request.user)
        return Response({"nik": nik, "birth_date": person.birth_date})


class FamilyViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Family cards (KK) of your area, KK numbers masked."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "registry:read", "write": "registry:write"}

    audit_object_type = "dtks.family"

    permission_classes = [RegistryPermission]
    serializer_class = s.FamilySerializer
    filterset_class = FamilyFilterSet

    def get_queryset(self):
        return selectors.family_list(user=self.request.user).order_by("id")


class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The program catalogue (national programs and the regional ones of your area)."""

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY, "write": "programs:write"}

    permission_classes = [ProgramPermission]
    serializer_class = s.ProgramSerializer
    filterset_class = ProgramFilterSet

    def get_queryset(self):
        return (
            selectors.program_list(user=self.request.user).select_related("region").order_by("name")
        )

    def perform_create(self, serializer):
        serializer.instance = services.program_save(
            program=Program(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        program = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(program, field, value)
        serializer.instance = services.program_save(program=program, actor=self.request.user)


class ProgramPeriodViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": ANY, "write": "programs:write"}

    permission_classes = [ProgramPermission]
    serializer_class = s.ProgramPeriodSerializer
    filterset_fields = ["program"]

    def get_queryset(self):
        return selectors.program_period_list(user=self.request.user).order_by("-starts_on", "id")

    def perform_create(self, serializer):
        if serializer.validated_data["program"] not in selectors.program_list(
            user=self.request.user
        ):
            raise Http404
        serializer.instance = services.program_period_save(
            period=ProgramPeriod(**serializer.validated_data), actor=self.request.user
        )

    def perform_update(self, serializer):
        period = serializer.instance
        for field, value in serializer.validated_data.items():
            setattr(period, field, value)
        serializer.instance = services.program_period_save(period=period, actor=self.request.user)


class EnrollmentViewSet(
    AuditedListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Who receives which program in which period, in your area."""

    # `?updated_since=` + cursor pages for partner systems (silakso.api.sync)
    sync_field = "updated_at"
    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "registry:read", "write": "registry:write"}

    audit_object_type = "dtks.enrollment"

    permission_classes = [ProgramPermission]
    serializer_class = s.EnrollmentSerializer
    filterset_class = EnrollmentFilterSet

    def get_queryset(self):
        return selectors.enrollment_list(user=self.request.user).order_by("id")

    @extend_schema(
        request=s.EnrollmentCreateInputSerializer, responses={201: s.EnrollmentSerializer}
    )
    def create(self, request):
        """Enroll a household. Same aid type from another funder in the period needs a reason."""
        serializer = s.EnrollmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        period = selectors.program_period_list(user=request.user).filter(pk=data["period"]).first()
        household = selectors.household_list(user=request.user).filter(pk=data["household"]).first()
        if period is None or household is None:
            raise Http404
        individual = _member(household, data.get("individual"), "individual")
        enrollment = services.enrollment_create(
            program=period.program,
            period=period,
            household=household,
            individual=individual,
            double_dip_reason=data["double_dip_reason"],
            actor=request.user,
        )
        return Response(s.EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EnrollmentEndInputSerializer, responses=s.EnrollmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        enrollment = self.get_object()
        serializer = s.EnrollmentEndInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = services.enrollment_end(
            enrollment=enrollment,
            reason=serializer.validated_data["reason"],
            ended_on=serializer.validated_data.get("ended_on"),
            actor=request.user,
        )
        return Response(s.EnrollmentSerializer(enrollment).data)


class CekBansosView(APIView):
    """Public status check: NIK + name as on the KTP → programs of the current period, masked.

    "Unknown NIK" and "name does not match" give the same answer. Limited to 20 checks per hour
    per address and 5 per NIK; every check is audited.
    """

    # what a partner system's key needs here (silakso.api.scopes)
    client_scopes = {"read": "registry:read", "write": "registry:read"}

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    @extend_schema(
        request=s.CekBansosInputSerializer,
        responses={200: s.CekBansosResultSerializer},
        examples=[
            OpenApiExample(
                "Found",
                value={
                    "found": True,
                    "name": "SI** RA****",
                    "village": "Koba",
                    "district": "Koba",
                    "regency": "Kabupaten Bangka Tengah",
                    "programs": [
                        {
                            "program": "PKH",
                            "period": "2026 Triwulan IV",
                            "status": "Menerima",
                            "active": True,
                        }
                    ],
                },
                response_only=True,
            ),
            OpenApiExample(
                "Not found (or name does not match)",
                value={"found": False, "detail": "Data tidak ditemukan."},
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        serializer = s.CekBansosInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        nik = normalize_number(serializer.validated_data["nik"])
        if not services.cek_bansos_allow(ip=getattr(request, "client_ip", None), nik=nik):
            return Response(
                {"code": "throttled", "detail": _("Too many checks. Please try again in an hour.")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        with replica_reads():  # a lookup, on the replica when there is one
            result = selectors.cek_bansos(nik=nik, name=serializer.validated_data["name"])
        services.cek_bansos_audit(nik=nik, result=result)
        if result is None:
            return Response({"found": False, "detail": _("No data found for this NIK and name.")})
        return Response(
            {
                "found": True,
                **{key: result[key] for key in ("name", "village", "district", "regency")},
                "programs": result["programs"],
            }
        )
