from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """Complaints (pengaduan) with SLRT routing and SLAs (issue #6)."""

    name = "complaints"
    verbose_name = _("Complaints")
