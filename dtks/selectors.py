"""Reads of the registry, always scoped to the caller."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import REGIONAL_STAFF_ROLES, has_role

from .models import Household, Individual, Region


def region_list(*, filters: dict | None = None) -> QuerySet[Region]:
    """The official region list is public reference data: every caller reads all of it."""
    queryset = Region.objects.select_related("parent")
    if filters:
        from .filtersets import RegionFilterSet

        queryset = RegionFilterSet(filters, queryset=queryset).qs
    return queryset


def household_list(*, user) -> QuerySet[Household]:
    return Household.objects.visible_to(user).select_related("village")


def individual_list(*, user) -> QuerySet[Individual]:
    return Individual.objects.visible_to(user).select_related("household")


def dashboard_cards(user) -> list[dict]:
    """Landing-page cards of the registry for staff working in a region."""
    if not has_role(user, *REGIONAL_STAFF_ROLES):
        return []
    households = household_list(user=user)
    scope = user.region.name if user.region_id else _("the whole installation")
    return [
        {
            "title": _("Households in {scope}").format(scope=scope),
            "value": households.count(),
            "hint": _("{people} people; {unranked} households have no official desil yet.").format(
                people=individual_list(user=user).living().count(),
                unranked=households.filter(desil__isnull=True).count(),
            ),
            "url": reverse("dtks:region_list"),
            "action": _("Regions"),
        }
    ]


def nav_items(user) -> list[dict]:
    """Menu entries of the registry for ``user``."""
    if not has_role(user, *REGIONAL_STAFF_ROLES):
        return []
    return [{"label": _("Regions"), "url": reverse("dtks:region_list")}]
