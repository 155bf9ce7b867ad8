from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    """Aid applications (usulan bansos) from request to ministry result (issue #5)."""

    name = "applications"
    verbose_name = _("Aid applications")
