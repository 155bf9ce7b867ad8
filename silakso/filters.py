"""Filter pieces every list shares (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget


class AnyYesNo(BooleanWidget):
    """A yes/no filter's select: "any" when not chosen (django-filter says "unknown")."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]


class YesNoFilter(django_filters.BooleanFilter):
    """A BooleanFilter offered as any / yes / no; ``true``/``false`` (and ``1``/``0``) in the
    query string, as before."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AnyYesNo)
        super().__init__(*args, **kwargs)
