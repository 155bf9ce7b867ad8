from rest_framework import serializers

from dtks.models import Region


class RegionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "kind", "parent", "postal_code"]
        read_only_fields = fields
