"""What the complaints app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

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


def service_standards() -> list[dict]:
    """The complaint's public service standard, with the time each step may take as the
    administrator set it (the longest over the categories, so the page never promises less)."""
    from .choices import ComplaintCategory
    from .models import OPEN_STATUSES
    from .services import sla_hours

    steps = []
    for status in OPEN_STATUSES:
        hours = max(sla_hours(category, status) for category in ComplaintCategory.values)
        days = -(-hours // 24)
        steps.append(
            (
                status.label,
                ngettext("at most %(days)s day", "at most %(days)s days", days) % {"days": days},
            )
        )
    return [
        {
            "slug": "pengaduan",
            "title": _("Complaint"),
            "summary": _(
                "About aid, health, school, housing or your data. Misuse can be reported "
                "without your name."
            ),
            "requirements": [
                _("What happened, where and when. Your NIK helps but is not required."),
                _("A phone number or email if you want to be told what is done."),
            ],
            "steps": steps,
            "time": _(
                "A step that takes longer than its time is passed to the officer's superior "
                "at once."
            ),
            "start": {
                "label": _("Make a complaint"),
                "url": reverse("complaints:complaint_create"),
            },
        }
    ]


def monthly_report_tables(viewer, since, until) -> list[dict]:
    """Complaints received in the month per category: resolved, open on time, open and late
    (the three add up to the complaints received)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from .choices import ComplaintCategory, ComplaintStatus

    solved = Q(status__in=[ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED])
    late = Q(due_at__lt=timezone.now())
    counts = {
        row["category"]: row
        for row in complaint_list(user=viewer)
        .filter(created_at__date__gte=since, created_at__date__lte=until)
        .values("category")
        .annotate(
            solved=Count("pk", filter=solved),
            on_time=Count("pk", filter=~solved & ~late),
            late=Count("pk", filter=~solved & late),
        )
    }
    fields = ("solved", "on_time", "late")
    return [
        {
            "title": _("Complaints received this month"),
            "row_heading": _("Category"),
            "columns": [str(_("Resolved")), str(_("Open, on time")), str(_("Open and late"))],
            "rows": [
                (label, [counts[key][field] if key in counts else 0 for field in fields])
                for key, label in ComplaintCategory.choices
            ],
        }
    ]


def resident_services(user) -> list[dict]:
    """Layanan saya: the resident's own complaints, newest first, each where it stands."""
    from core.satisfaction import survey_links

    from .resident_texts import step_label, step_text

    if not has_role(user, Role.RESIDENT):
        return []
    complaints = list(complaint_list(user=user).order_by("-created_at")[:20])
    surveys = survey_links(complaints)
    items = [
        {
            "title": complaint.get_category_display(),
            "code": complaint.code,
            "date": complaint.created_at,
            "status": step_label(complaint.status),
            "next": step_text(complaint.status, restricted=complaint.is_restricted),
            "url": reverse("complaints:status", args=[complaint.code]),
            "survey": surveys.get(complaint.pk),
        }
        for complaint in complaints
    ]
    return [
        {
            "title": _("My complaints"),
            "items": items,
            "empty": _("You have not made a complaint online yet."),
            "action": {
                "label": _("Make a complaint"),
                "url": reverse("complaints:complaint_create"),
            },
        }
    ]


def message_keywords() -> list[dict]:
    """The words a resident's SMS/WhatsApp message may start with (core.gateway)."""
    from .inbound import complaint_by_message

    return [{"keyword": "ADUAN", "handle": complaint_by_message}]


# ------------------------------------------------------------------------------ dashboards
def dashboard_sources() -> list:
    """Complaints for the dashboards (core.dashboard): open ones per step and the late ones,
    received per category, closed and rated per month. Misuse reports are counted apart
    (``misuse_*``): only Dinsos sees them, never the village they are about."""
    from django.db.models import CharField, Count, DateField, F
    from django.db.models.functions import Cast, TruncMonth
    from django.utils import timezone

    from core.dashboard import Source, last_months

    from .models import Complaint

    now = timezone.now()
    since = last_months()[0]
    month = {"output_field": DateField()}
    found = []
    for prefix, restricted in (("complaints", False), ("misuse", True)):
        rows = Complaint.objects.filter(is_restricted=restricted)
        open_ = rows.open()
        found += [
            Source(
                prefix + "_open",
                open_.values(s_region=F("village_id"), s_key=F("status")).annotate(
                    s_value=Count("pk")
                ),
            ),
            Source(
                prefix + "_late",
                open_.filter(due_at__lt=now)
                .values(s_region=F("village_id"), s_key=F("status"))
                .annotate(s_value=Count("pk")),
            ),
            Source(
                prefix + "_received",
                rows.filter(created_at__date__gte=since)
                .values(
                    s_region=F("village_id"),
                    s_key=F("category"),
                    s_month=TruncMonth("created_at", **month),
                )
                .annotate(s_value=Count("pk")),
            ),
            Source(
                prefix + "_closed",
                rows.filter(closed_at__date__gte=since)
                .values(s_region=F("village_id"), s_month=TruncMonth("closed_at", **month))
                .annotate(s_value=Count("pk")),
            ),
            Source(
                prefix + "_rated",
                rows.filter(rated_at__date__gte=since, rating__isnull=False)
                .values(
                    s_region=F("village_id"),
                    s_key=Cast("rating", CharField()),
                    s_month=TruncMonth("rated_at", **month),
                )
                .annotate(s_value=Count("pk")),
            ),
        ]
    return found


def _sum(*parts: dict) -> dict:
    total: dict = {}
    for part in parts:
        for key, value in part.items():
            total[key] = total.get(key, 0) + value
    return total


def dashboard_panels(figures) -> list[dict]:
    """Complaints on a dashboard: open and late per step, what they are about, how residents
    rated the service, per area and month."""
    from core.dashboard import area_table, backlog, chart, list_link
    from core.permissions import DINSOS_ROLES

    from .choices import ComplaintCategory, Rating
    from .models import OPEN_STATUSES

    user = figures.user
    if not perms.can_read(user):
        return []
    prefixes = ["complaints"]
    if user.is_installation_wide or user.role in DINSOS_ROLES:
        prefixes.append("misuse")

    def by_key(metric, **kwargs):
        return _sum(*(figures.by_key(p + metric, **kwargs) for p in prefixes))

    def by_area(metric, **kwargs):
        return _sum(*(figures.by_area(p + metric, **kwargs) for p in prefixes))

    def trend(metric):
        series = [figures.trend(p + metric) for p in prefixes]
        return [sum(values) for values in zip(*series, strict=True)]

    def complaints(**params):
        return lambda code: list_link("complaints:complaint_list", figures, region=code, **params)

    numbers, step_table = backlog(
        figures,
        list_name="complaints:complaint_list",
        statuses=OPEN_STATUSES,
        open_=by_key("_open"),
        late=by_key("_late"),
        open_label=_("Open complaints"),
        caption=_("Open complaints per step"),
    )
    received = by_key("_received", monthly=True)
    rated = by_key("_rated", monthly=True)
    total_rated = sum(rated.values())
    good = rated.get(str(Rating.GOOD), 0) + rated.get(str(Rating.VERY_GOOD), 0)
    return [
        {
            "title": _("Complaints"),
            "figures": [
                *numbers,
                {
                    "label": _("Received in the last 12 months"),
                    "value": sum(received.values()),
                },
                {
                    "label": _("Rated good or very good"),
                    "value": "{}%".format(round(100 * good / total_rated)) if total_rated else "–",
                    "hint": ngettext(
                        "of %(count)s rating in 12 months",
                        "of %(count)s ratings in 12 months",
                        total_rated,
                    )
                    % {"count": total_rated},
                },
            ],
            "tables": [
                step_table,
                {
                    "caption": _("Complaints received in 12 months, by what they are about"),
                    "row_heading": _("Category"),
                    "columns": [_("Received")],
                    "rows": [
                        {
                            "label": label,
                            "url": None,
                            "cells": [
                                {
                                    "value": received.get(key, 0),
                                    "url": list_link(
                                        "complaints:complaint_list", figures, category=key
                                    ),
                                }
                            ],
                        }
                        for key, label in ComplaintCategory.choices
                        if received.get(key)
                    ],
                    "totals": [sum(received.values())],
                },
                area_table(
                    figures,
                    caption=_("Complaints per area"),
                    columns=[
                        (_("Open"), by_area("_open"), complaints(status=list(OPEN_STATUSES))),
                        (_("Late"), by_area("_late"), complaints(overdue="true")),
                        (_("Received in 12 months"), by_area("_received", monthly=True), None),
                    ],
                ),
            ],
            "trend": chart(
                figures.months,
                [
                    {"label": _("Received"), "values": trend("_received")},
                    {"label": _("Closed"), "values": trend("_closed")},
                ],
            ),
            "more": [],
        }
    ]


# ------------------------------------------------------------------------------ field app
def _field_form(user, data=None, files=None):
    from dtks.selectors import villages_by_district

    from .forms import ComplaintForm

    return ComplaintForm(data, files, villages=villages_by_district(user=user), staff=True)


def _field_create(form, user) -> str:
    complaint, _secret = form.submit(actor=user)
    return _("Complaint {code} received. Give the resident this code.").format(code=complaint.code)


def field_flows() -> list:
    """A resident's complaint, taken on a home visit and sent when there is a network."""
    from core.fieldwork import FieldFlow

    return [
        FieldFlow(
            "complaint",
            form=_field_form,
            create=_field_create,
            label=_("A resident's complaint"),
            defaults={"channel": "home_visit"},
            allowed=perms.can_intake,
        )
    ]
