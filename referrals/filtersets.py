"""Filter set of referrals, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        model = Referral
        fields = ["status", "domain", "provider", "case"]
