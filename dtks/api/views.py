from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated

from dtks import selectors
from dtks.filtersets import RegionFilterSet

from .serializers import RegionSerializer


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The official Kemendagri region list, by code (`/regions/19.04/`) or by name (`?q=`)."""

    serializer_class = RegionSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = RegionFilterSet
    ordering_fields = ["code", "name"]
    lookup_value_regex = r"[0-9.]+"

    def get_queryset(self):
        return selectors.region_list()
