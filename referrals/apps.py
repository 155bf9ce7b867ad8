from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    """Case management and referrals to partner providers (issue #7)."""

    name = "referrals"
    verbose_name = _("Cases and referrals")
