"""What the core app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.utils.translation import gettext_lazy

from .choices import Role
from .models import User
from .permissions import AUDIT_READER_ROLES, configures_installation, has_role
from .selectors import (
    operator_list,
    recent_failed_logins,
    system_health,
)

# The heading of this app's entries in the phone menu.
GROUP = gettext_lazy("Office")


def dashboard_cards(user: User) -> list[dict]:
    """Landing-page cards of the core app for ``user``'s role."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .dashboard import can_read as reads_dashboard

    cards = []
    if reads_dashboard(user):
        cards.append(
            {
                "title": _("Dashboard"),
                "value": user.region.name if user.region_id else _("the whole installation"),
                "hint": _(
                    "Registry, aid requests, complaints and referrals of your area, per place and "
                    "month; each figure opens its list."
                ),
                "url": reverse("core:dashboard"),
                "action": _("Open the dashboard"),
            }
        )
    from .fieldwork import can_use as works_in_the_field

    if works_in_the_field(user):
        cards.append(
            {
                "title": _("Field work, also without a network"),
                "value": user.region.name,
                "hint": _(
                    "Births, deaths, people moving out, house photos and campaign visits: "
                    "recorded on the phone, sent when there is a network."
                ),
                "url": reverse("core:field_app"),
                "action": _("Open the field app"),
            }
        )
    if has_role(user, Role.VILLAGE_HEAD):
        waiting = operator_list(user=user).filter(is_active=False, activated_at__isnull=True)
        cards.append(
            {
                "title": _("Operator accounts waiting for you"),
                "value": waiting.count(),
                "hint": _("New village operators can sign in only after you activate them."),
                "url": reverse("core:operator_list"),
                "action": _("Manage operators"),
            }
        )
    if has_role(user, *AUDIT_READER_ROLES):
        cards.append(
            {
                "title": _("Failed sign-ins in the last 24 hours"),
                "value": recent_failed_logins(),
                "hint": _("Every change and every sensitive read is in the audit trail."),
                "url": reverse("core:audit_event_list"),
                "action": _("Open the audit trail"),
            }
        )
    if has_role(user, Role.SYSTEM_ADMIN):
        health = system_health()
        cards.append(
            {
                "title": _("System health"),
                "value": _("All good") if health["ok"] else _("Problem"),
                "tone": "ok" if health["ok"] else "bad",
                "hint": ", ".join(
                    "{}: {}".format(name, "ok" if item["ok"] else item["detail"])
                    for name, item in health["checks"].items()
                ),
                "url": reverse("core:job_list"),
                "action": _("Background jobs"),
            }
        )
    return cards


def nav_items(user: User) -> list[dict]:
    """Menu entries of the core app for ``user``."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    home = _("My services") if has_role(user, Role.RESIDENT) else _("Home")
    items = [{"label": home, "url": reverse("core:home")}]
    from .dashboard import can_read as reads_dashboard
    from .fieldwork import can_use as works_in_the_field

    if reads_dashboard(user):
        items.append({"label": _("Dashboard"), "url": reverse("core:dashboard")})
    if works_in_the_field(user):
        items.append({"label": _("Field work (offline)"), "url": reverse("core:field_app")})
    if has_role(user, Role.VILLAGE_HEAD, Role.SYSTEM_ADMIN):
        items.append({"label": _("Operators"), "url": reverse("core:operator_list")})
    if collect_settings(user):
        items.append({"label": _("Settings"), "url": reverse("core:settings_home")})
    if has_role(user, Role.SYSTEM_ADMIN):
        items.append({"label": _("Accounts"), "url": reverse("core:user_admin_list")})
        items.append({"label": _("Partner systems"), "url": reverse("core:api_client_list")})
    if has_role(user, *AUDIT_READER_ROLES):
        items.append({"label": _("Audit trail"), "url": reverse("core:audit_event_list")})
    from .workload import can_read_workload

    if can_read_workload(user):
        items.append({"label": _("Workload"), "url": reverse("core:workload")})
    from .monthly_report import can_read as can_read_monthly_reports

    if can_read_monthly_reports(user):
        items.append({"label": _("Monthly reports"), "url": reverse("core:monthly_report_list")})
    from .survey_views import IKM_READERS

    if has_role(user, *IKM_READERS):
        items.append({"label": _("Satisfaction (IKM)"), "url": reverse("core:satisfaction_index")})
    if user.is_authenticated and user.role != Role.RESIDENT:
        items.append({"label": _("My jobs"), "url": reverse("core:job_list")})
    if has_role(user, Role.SYSTEM_ADMIN, Role.API_CLIENT):
        items.append({"label": _("API"), "url": reverse("api-docs")})
    return items


def collect_settings(user: User) -> bool:
    from .extensions import collect

    return bool(collect("settings_links", user))


def settings_links(user: User) -> list[dict]:
    """Configuration pages of the core app."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    links = []
    if has_role(user, Role.SYSTEM_ADMIN):
        links.append(
            {
                "label": _("Accounts"),
                "hint": _("Create accounts, change roles and areas, reset sign-in."),
                "url": reverse("core:user_admin_list"),
            }
        )
        links.append(
            {
                "label": _("Partner systems"),
                "hint": _("API keys with their scopes, and what each partner is told."),
                "url": reverse("core:api_client_list"),
            }
        )
        if configures_installation(user, Role.SYSTEM_ADMIN):
            links.append(
                {
                    "label": _("Office contact details and opening hours"),
                    "hint": _("Shown to residents, in messages and on letters."),
                    "url": reverse("core:agency_profile_edit"),
                }
            )
            links.append(
                {
                    "label": _("Messages to residents"),
                    "hint": _("The texts of SMS, WhatsApp and email messages, and quiet hours."),
                    "url": reverse("core:message_template_list"),
                }
            )
    return links
