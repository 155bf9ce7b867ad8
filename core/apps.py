from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Accounts, roles, geographic scope, audit trail, background jobs and notifications."""

    name = "core"
    verbose_name = _("Accounts and audit")
