"""Serializers of the referral API. A provider's own accounts get each referral with the
household summary it needs (and nothing of other providers)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from silakso.api.serializers import FlowStepsMixin

from ..choices import CaseOrigin, Domain, LetterKind, NeedLevel
from ..models import Case, Letter, Provider, Referral, ReferralStatusChange, Service
from ..workflow import REFERRAL_FLOW


class ProviderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "description",
            "contact_person",
            "phone",
            "email",
            "is_active",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "domain",
            "eligibility",
            "capacity",
            "capacity_period",
            "contact",
            "is_active",
        ]
        read_only_fields = fields


class ReferralStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralStatusChange
        fields = ["from_status", "to_status", "note", "created_at"]
        read_only_fields = fields


class SummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    nik = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    village = serializers.CharField()
    district = serializers.CharField()
    address = serializers.CharField()
    members = serializers.IntegerField()
    desil = serializers.IntegerField(allow_null=True)
    phone = serializers.CharField()


class ReferralSerializer(FlowStepsMixin, serializers.ModelSerializer):
    flow = REFERRAL_FLOW
    case = serializers.CharField(source="case.code", read_only=True)
    service = ServiceSerializer(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service",
            "provider",
            "status",
            "allowed_transitions",
            "allowed_steps",
            "need",
            "sent_at",
            "response_due_at",
            "responded_at",
            "decline_reason",
            "started_at",
            "completed_at",
            "outcome",
            "outcome_date",
            "value",
            "follow_up_on",
            "escalation_level",
        ]
        read_only_fields = fields


class ReferralDetailSerializer(ReferralSerializer):
    steps = ReferralStepSerializer(source="status_changes", many=True, read_only=True)
    summary = SummarySerializer(
        read_only=True,
        help_text=_("What the provider needs; the full NIK only for the provider it was sent to."),
    )

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "steps", "summary"]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id",
            "code",
            "household",
            "village",
            "origin",
            "complaint",
            "application",
            "status",
            "plan",
            "follow_up_on",
            "follow_up_done_at",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class CaseCreateInputSerializer(serializers.Serializer):
    household = serializers.IntegerField()
    origin = serializers.ChoiceField(choices=CaseOrigin.choices, default=CaseOrigin.WALK_IN)
    complaint = serializers.IntegerField(required=False)
    application = serializers.IntegerField(required=False)
    plan = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)


class AssessInputSerializer(serializers.Serializer):
    domain = serializers.ChoiceField(choices=Domain.choices)
    need = serializers.ChoiceField(choices=NeedLevel.choices)
    notes = serializers.CharField(required=False, allow_blank=True)


class ReferralCreateInputSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    service = serializers.IntegerField()
    need = serializers.CharField()
    individual = serializers.IntegerField(required=False)
    follow_up_on = serializers.DateField(required=False)


class SendInputSerializer(serializers.Serializer):
    duplicate_reason = serializers.CharField(required=False, allow_blank=True)


class ReferralReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class CompleteInputSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    outcome_date = serializers.DateField(required=False)
    value = serializers.DecimalField(max_digits=14, decimal_places=0, required=False)


class ReferralNoteInputSerializer(serializers.Serializer):
    text = serializers.CharField()


class LetterSerializer(serializers.ModelSerializer):
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = [
            "id",
            "kind",
            "number",
            "region",
            "recipient_name",
            "details",
            "valid_until",
            "issued_at",
            "sha256",
            "revoked_at",
            "verification_url",
        ]
        read_only_fields = fields

    def get_verification_url(self, obj) -> str:
        from ..letters import verification_url

        return verification_url(obj)


class LetterCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LetterKind.choices)
    region = serializers.CharField(help_text=_("Village code"))
    recipient_name = serializers.CharField(max_length=150)
    recipient_nik = serializers.CharField(max_length=24, required=False, allow_blank=True)
    details = serializers.DictField(required=False)
    valid_until = serializers.DateField(required=False)
