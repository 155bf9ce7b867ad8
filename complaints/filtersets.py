"""Filter sets of the complaint flow, shared by the HTML queues, the API and the export."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scope import within
from dtks.nik import normalize_number
from silakso.filters import YesNoFilter

from .choices import ComplaintCategory, ComplaintChannel, ComplaintStatus
from .models import Complaint


class ComplaintFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Ticket code, NIK or name"))
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices, label=_("Step"))
    category = django_filters.ChoiceFilter(choices=ComplaintCategory.choices, label=_("Category"))
    channel = django_filters.ChoiceFilter(choices=ComplaintChannel.choices, label=_("Channel"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Only late ones"))
    restricted = YesNoFilter(field_name="is_restricted", label=_("Misuse reports"))
    mine = YesNoFilter(method="filter_mine", label=_("Only mine"))
    since = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("Received from")
    )
    until = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("Received until")
    )

    class Meta:
        model = Complaint
        fields = ["q", "status", "category", "channel", "region", "overdue", "restricted", "mine"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = normalize_number(value)
        if digits.isdigit() and len(digits) >= 6:
            return queryset.filter(complainant_nik__startswith=digits)
        if value.upper().startswith("P-"):
            return queryset.filter(code__iexact=value)
        return queryset.filter(complainant_name__icontains=value, is_restricted=False)

    def filter_region(self, queryset, name, value):
        return queryset.filter(within("village__code", value.strip()))

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(
                status__in=[s for s in ComplaintStatus.values if s != ComplaintStatus.CLOSED],
                due_at__lt=timezone.now(),
            )
        return queryset

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(assigned_to=user)
        return queryset
