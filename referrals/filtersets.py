"""Filter set of referrals, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.scope import within

from .choices import Domain, ReferralStatus
from .models import Referral


class ReferralFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReferralStatus.choices, label=_("Status"))
    domain = django_filters.ChoiceFilter(
        field_name="service__domain", choices=Domain.choices, label=_("Domain")
    )
    provider = django_filters.NumberFilter(field_name="provider_id", label=_("Provider"))
    case = django_filters.CharFilter(
        field_name="case__code", lookup_expr="iexact", label=_("Case number")
    )
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))

    class Meta:
        model = Referral
        fields = ["status", "domain", "provider", "case", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(within("case__village__code", value.strip()))
