from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import AuditEvent, Job, User


class MeSerializer(serializers.ModelSerializer):
    """The signed-in account: who it is, its role and where it works."""

    role_label = serializers.CharField(source="get_role_display", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True, default=None)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "role_label", "region", "region_name"]
        read_only_fields = fields


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField(help_text=_("current, total, message, percent"))

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "progress",
            "result",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job) -> dict:
        from core.services import job_progress

        return job_progress(job)


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "region_code",
            "changes",
            "reason",
            "request_id",
            "ip",
        ]
        read_only_fields = fields
