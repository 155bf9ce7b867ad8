"""What the complaints app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.permissions import has_role

from . import permissions as perms
from .selectors import (
    C,
    complaint_list,
    counters,
)

# The heading of this app's entries in the phone menu.
GROUP = gettext_lazy("Complaints")


def dashboard_cards(user) -> list[dict]:
    if not perms.can_read(user) or has_role(user, Role.API_CLIENT):
        return []
    rows = {row["status"]: row for row in counters(user=user)}
    late = sum(row["late"] for row in rows.values())
    mine = {
        Role.VILLAGE_OPERATOR: C.RECEIVED,
        Role.VILLAGE_HEAD: C.RECEIVED,
        Role.SUPERVISOR: C.FORWARDED,
        Role.FRONT_OFFICE: C.IN_REVIEW,
        Role.BACK_OFFICE: C.IN_FOLLOW_UP,
    }.get(user.role)
    cards = []
    if mine:
        cards.append(
            {
                "title": _("Complaints waiting for you"),
                "value": rows[mine]["total"],
                "hint": _("{late} of them are late.").format(late=rows[mine]["late"]),
                "tone": "bad" if rows[mine]["late"] else "",
                "url": reverse("complaints:complaint_list") + "?status=" + mine,
                "action": _("Open the queue"),
            }
        )
    if has_role(user, Role.HEAD_OF_DIVISION, Role.SYSTEM_ADMIN) or late:
        cards.append(
            {
                "title": _("Late complaints"),
                "value": late,
                "hint": _("Past the time allowed for their step; they have been escalated."),
                "tone": "bad" if late else "ok",
                "url": reverse("complaints:complaint_list") + "?overdue=true",
                "action": _("See the late ones"),
            }
        )
    return cards


def nav_items(user) -> list[dict]:
    if not perms.can_read(user) or has_role(user, Role.API_CLIENT):
        return []
    items = [{"label": _("Complaints"), "url": reverse("complaints:complaint_list")}]
    if perms.can_report(user):
        items.append({"label": _("Complaint report"), "url": reverse("complaints:report")})
    return items


def public_actions(user) -> list[dict]:
    return [
        {
            "label": _("Make a complaint"),
            "hint": _(
                "About aid, health, school, housing or your data. Misuse can be reported anonymously."
            ),
            "url": reverse("complaints:complaint_create"),
        },
        {
            "label": _("Follow my complaint"),
            "hint": _("With your ticket code."),
            "url": reverse("complaints:track"),
        },
    ]


def household_links(household, user) -> list[dict]:
    rows = complaint_list(user=user).filter(household=household).order_by("-created_at")[:20]
    return [
        {
            "label": "{} · {} · {}".format(
                row.code, row.get_category_display(), row.get_status_display()
            ),
            "url": reverse("complaints:complaint_detail", args=[row.pk]),
        }
        for row in rows
    ]


def settings_links(user) -> list[dict]:
    from core.permissions import configures_installation

    from .services import SLA_SETTERS

    if not configures_installation(user, *SLA_SETTERS):
        return []
    return [
        {
            "label": _("Complaint service levels (SLA)"),
            "hint": _("Hours each step may take before a complaint is escalated."),
            "url": reverse("complaints:sla_table"),
        }
    ]


def workload(user_ids: list[int], since) -> list[dict]:
    """Open complaints assigned to each officer, steps each recorded since ``since`` and
    the median hours a step took (core.workload)."""
    from core.workload import flow_workload

    from .models import Complaint, ComplaintStatusChange

    return [
        flow_workload(
            _("Complaints"), Complaint.objects.open(), ComplaintStatusChange, user_ids, since
        )
    ]
