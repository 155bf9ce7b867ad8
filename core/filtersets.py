"""Filter sets of the core app, shared by the HTML list and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .models import AuditEvent
from .scope import within


class RecordKindSelect(forms.Select):
    """The kinds of record the trail speaks of, by name (``dtks.household`` in the query)."""

    @property
    def choices(self):
        from django.apps import apps
        from django.conf import settings

        kinds = sorted(
            (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
            for app in settings.SILAKSO_APPS
            for model in apps.get_app_config(app).get_models()
        )
        return [("", _("Any")), *sorted(kinds, key=lambda kind: kind[1])]

    @choices.setter
    def choices(self, value):
        pass


class AuditEventFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    actor = django_filters.NumberFilter(field_name="actor_id", label=_("Actor (user id)"))
    object_type = django_filters.CharFilter(label=_("Kind of record"), widget=RecordKindSelect)
    object_id = django_filters.CharFilter(label=_("Object id"))
    region = django_filters.CharFilter(method="filter_region", label=_("Area"))
    since = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="gte", label=_("From")
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="created_at", lookup_expr="lte", label=_("Until")
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "action", "actor", "object_type", "object_id", "region", "since", "until"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(actor_label__icontains=value)
            | Q(reason__icontains=value)
            | Q(request_id=value)
        )

    def filter_region(self, queryset, name, value):
        return queryset.filter(within("region_code", value.strip()))
