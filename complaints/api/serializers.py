"""Serializers of the complaint API. `status` is read-only: steps are actions."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dtks.api.serializers import MaskedNikField
from dtks.models import Program, Region
from silakso.api.serializers import FlowStepsMixin, caller

from ..choices import ComplaintCategory, ComplaintChannel, ResolvedBy, ToldVia
from ..models import Complaint, ComplaintStatusChange
from ..selectors import reporter_visible
from ..workflow import COMPLAINT_FLOW


class ComplaintStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintStatusChange
        fields = ["from_status", "to_status", "note", "created_at"]
        read_only_fields = fields


class ComplaintSerializer(FlowStepsMixin, serializers.ModelSerializer):
    flow = COMPLAINT_FLOW
    complainant_nik = MaskedNikField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    program = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "code",
            "category",
            "membership_related",
            "channel",
            "is_restricted",
            "status",
            "status_label",
            "allowed_transitions",
            "allowed_steps",
            "complainant_nik",
            "complainant_name",
            "village",
            "household",
            "description",
            "due_at",
            "escalation_level",
            "analysis",
            "in_registry",
            "program",
            "resolved_by_kind",
            "resolution",
            "resolved_at",
            "closed_at",
            "rating",
            "created_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        show = getattr(instance, "show_reporter", None)
        if show is None:
            show = reporter_visible(complaint=instance, user=caller(self))
        if not show:
            data["complainant_nik"] = None
            data["complainant_name"] = None
        return data


class ComplaintDetailSerializer(ComplaintSerializer):
    steps = ComplaintStepSerializer(source="status_changes", many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "steps"]
        read_only_fields = fields


class ComplaintCreateInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    membership_related = serializers.BooleanField(required=False, default=False)
    channel = serializers.ChoiceField(
        choices=ComplaintChannel.choices,
        help_text=_("How it reached you; partner systems use `api`."),
    )
    village = serializers.PrimaryKeyRelatedField(queryset=Region.objects.filter(level=4))
    description = serializers.CharField(max_length=4000)
    nik = serializers.CharField(max_length=24, required=False, allow_blank=True)
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    anonymous = serializers.BooleanField(required=False, default=False)
    submission_key = serializers.CharField(max_length=64, required=False)


class ComplaintNoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ReviewInputSerializer(serializers.Serializer):
    analysis = serializers.CharField(max_length=4000)
    hand_over = serializers.BooleanField(required=False, default=True)


class ResolveInputSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=4000)
    resolved_by_kind = serializers.ChoiceField(choices=ResolvedBy.choices)


class CloseInputSerializer(serializers.Serializer):
    told_via = serializers.ChoiceField(choices=ToldVia.choices)


class ProgramInputSerializer(serializers.Serializer):
    program = serializers.SlugRelatedField(slug_field="code", queryset=Program.objects.all())
