"""Serializers of the application API: output shapes, and one input shape per action.

`status` is read-only everywhere: it changes only through the transition actions.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dtks.api.serializers import MaskedNikField
from dtks.models import Program, Region
from silakso.api.serializers import FlowStepsMixin

from ..choices import ApplicationChannel, DeliberationKind, ObjectionOutcome, PovertyDecision
from ..models import (
    Application,
    ApplicationStatusChange,
    Batch,
    Deliberation,
    Objection,
    UpdateProposal,
)
from ..workflow import APPLICATION_FLOW, BATCH_FLOW, PROPOSAL_FLOW


class StepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_full_name", default=None, read_only=True)

    class Meta:
        model = ApplicationStatusChange
        fields = ["from_status", "to_status", "actor", "note", "created_at"]
        read_only_fields = fields


class ApplicationSerializer(FlowStepsMixin, serializers.ModelSerializer):
    flow = APPLICATION_FLOW
    applicant_nik = MaskedNikField(read_only=True)
    program = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "code",
            "program",
            "status",
            "status_label",
            "allowed_transitions",
            "allowed_steps",
            "channel",
            "applicant_nik",
            "applicant_name",
            "village",
            "household",
            "screening_result",
            "screening",
            "deliberation",
            "assigned_to",
            "verified_at",
            "decision_reason",
            "batch",
            "ministry_note",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    steps = StepSerializer(source="status_changes", many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class ApplicationCreateInputSerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(
        slug_field="code", queryset=Program.objects.filter(is_active=True)
    )
    village = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level=4))
    channel = serializers.ChoiceField(
        choices=ApplicationChannel.choices,
        help_text=_("How the request reached you; partner systems use `api`."),
    )
    nik = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=150)
    kk_number = serializers.CharField(max_length=24, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=255)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    submission_key = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_("Send the same key again (a retry) and you get the same application back."),
    )


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class FieldCheckInputSerializer(serializers.Serializer):
    notes = serializers.CharField(max_length=2000)
    photo = serializers.FileField(required=False)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)


class UpdateProposalSerializer(FlowStepsMixin, serializers.ModelSerializer):
    flow = PROPOSAL_FLOW
    nik = MaskedNikField(read_only=True)

    class Meta:
        model = UpdateProposal
        fields = [
            "id",
            "code",
            "kind",
            "status",
            "allowed_transitions",
            "allowed_steps",
            "village",
            "household",
            "application",
            "nik",
            "name",
            "reason",
            "variables",
            "poverty_decision",
            "deliberation",
            "verified_at",
            "decision_reason",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields


class ProposalFillInputSerializer(serializers.Serializer):
    variables = serializers.DictField(
        help_text=_("Household variables by field name, as in the household API.")
    )
    head = serializers.DictField(
        required=False, help_text=_("New household only: nik, name, birth_date, sex, …")
    )
    kk_number = serializers.CharField(max_length=24, required=False, allow_blank=True)


class DeliberationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deliberation
        fields = ["id", "village", "kind", "held_on", "attendees", "notes", "created_at"]
        read_only_fields = fields


class DeliberationCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DeliberationKind.choices)
    held_on = serializers.DateField()
    attendees = serializers.IntegerField(required=False, min_value=0)
    document = serializers.FileField()
    notes = serializers.CharField(required=False, allow_blank=True)
    approve = serializers.ListField(child=serializers.IntegerField(), required=False)
    reject = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text=_("Application id → reason the resident reads."),
    )
    proposals = serializers.DictField(
        child=serializers.ChoiceField(choices=PovertyDecision.choices), required=False
    )


class BatchSerializer(FlowStepsMixin, serializers.ModelSerializer):
    flow = BATCH_FLOW
    size = serializers.IntegerField(read_only=True)

    class Meta:
        model = Batch
        fields = [
            "id",
            "regency",
            "name",
            "cutoff",
            "status",
            "allowed_transitions",
            "allowed_steps",
            "size",
            "finalised_at",
            "ratification_number",
            "ratification_date",
            "ratified_at",
            "annex_sha256",
            "exported_at",
            "results_imported_at",
        ]
        read_only_fields = fields


class BatchCreateInputSerializer(serializers.Serializer):
    regency = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level=2))
    name = serializers.CharField(max_length=100)
    cutoff = serializers.DateField()


class RatifyInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    date = serializers.DateField()


class ResultsInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = [
            "id",
            "code",
            "kind",
            "village",
            "subject_name",
            "subject_address",
            "reason",
            "objector_name",
            "objector_phone",
            "application",
            "status",
            "outcome",
            "answer",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields


class ObjectionAnswerInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ObjectionOutcome.choices)
    answer = serializers.CharField(max_length=2000)
    application = serializers.IntegerField(required=False)
    reject_application = serializers.BooleanField(required=False, default=False)
