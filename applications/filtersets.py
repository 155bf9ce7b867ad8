"""Filter sets of the application flow, shared by the HTML worklists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scope import within
from dtks.nik import normalize_number
from silakso.filters import YesNoFilter

from .choices import (
    ApplicationChannel,
    ApplicationStatus,
    BatchStatus,
    ObjectionKind,
    ObjectionStatus,
    ProposalKind,
    ProposalStatus,
)
from .models import Application, Batch, Objection, UpdateProposal


def _within(queryset, field: str, code: str):
    return queryset.filter(within(field, code.strip()))


class ApplicationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Tracking code, NIK or name"))
    status = django_filters.MultipleChoiceFilter(choices=ApplicationStatus.choices, label=_("Step"))
    program = django_filters.CharFilter(field_name="program__code", label=_("Program (code)"))
    channel = django_filters.ChoiceFilter(choices=ApplicationChannel.choices, label=_("Channel"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    mine = YesNoFilter(method="filter_mine", label=_("Only my worklist"))
    overdue = YesNoFilter(method="filter_overdue", label=_("Only late ones"))
    batch = django_filters.NumberFilter(field_name="batch_id", label=_("Period list"))
    ordering = django_filters.OrderingFilter(
        fields=(("status_changed_at", "waiting"), ("created_at", "created")),
        label=_("Sort by"),
    )

    class Meta:
        model = Application
        fields = ["q", "status", "program", "channel", "region", "mine", "overdue", "batch"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = normalize_number(value)
        if digits.isdigit() and len(digits) >= 6:
            return queryset.filter(applicant_nik__startswith=digits)
        if value.upper().startswith("U-"):
            return queryset.filter(code__iexact=value)
        return queryset.filter(applicant_name__icontains=value)

    def filter_region(self, queryset, name, value):
        return _within(queryset, "village__code", value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(assigned_to=user)
        return queryset

    def filter_overdue(self, queryset, name, value):
        from .sla import late_q

        if value is None:
            return queryset
        return queryset.filter(late_q()) if value else queryset.exclude(late_q())


class UpdateProposalFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ProposalStatus.choices, label=_("Step"))
    kind = django_filters.ChoiceFilter(choices=ProposalKind.choices, label=_("Kind"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    q = django_filters.CharFilter(method="search", label=_("Code, NIK or name"))

    class Meta:
        model = UpdateProposal
        fields = ["status", "kind", "region", "q"]

    def filter_region(self, queryset, name, value):
        return _within(queryset, "village__code", value)

    def search(self, queryset, name, value):
        value = value.strip()
        digits = normalize_number(value)
        if digits.isdigit() and len(digits) >= 6:
            return queryset.filter(nik__startswith=digits)
        return queryset.filter(Q(code__iexact=value) | Q(name__icontains=value))


class BatchFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BatchStatus.choices, label=_("Status"))

    class Meta:
        model = Batch
        fields = ["status"]


class ObjectionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ObjectionStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=ObjectionKind.choices, label=_("Objection"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))

    class Meta:
        model = Objection
        fields = ["status", "kind", "region"]

    def filter_region(self, queryset, name, value):
        return _within(queryset, "village__code", value)
