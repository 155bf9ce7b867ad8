from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DtksConfig(AppConfig):
    """The verified registry (DTKS/DTSEN) every other app reads: regions, households, people."""

    name = "dtks"
    verbose_name = _("Registry (DTKS)")
