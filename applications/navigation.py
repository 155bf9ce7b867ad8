"""What the applications app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.permissions import has_role

from . import permissions as perms
from .choices import ApplicationStatus, BatchStatus, ObjectionStatus, ProposalStatus
from .selectors import (
    application_counters,
    application_list,
    batch_list,
    objection_list,
    proposal_list,
)

# The heading of this app's entries in the phone menu.
GROUP = gettext_lazy("Aid requests")


def dashboard_cards(user) -> list[dict]:
    """Landing-page cards: what waits for this role, and for how long."""
    cards = []
    if not perms.can_read(user):
        return cards
    counters = {row["status"]: row for row in application_counters(user=user)}

    def card(status, title, action, url_query, tone=""):
        row = counters[status]
        hint = (
            _("The oldest has waited {days} days.").format(days=row["oldest_days"])
            if row["total"]
            else _("Nothing waiting.")
        )
        return {
            "title": title,
            "value": row["total"],
            "hint": hint,
            "tone": tone if row["total"] else "",
            "url": reverse("applications:application_list") + url_query,
            "action": action,
        }

    if has_role(user, Role.VILLAGE_OPERATOR):
        waiting = proposal_list(user=user).filter(
            status__in=[ProposalStatus.SUBMITTED, ProposalStatus.VARIABLES_FILLED]
        )
        cards.append(
            {
                "title": _("Households to visit (data updates)"),
                "value": waiting.count(),
                "hint": _("Fill in the data and take a photo of the house."),
                "url": reverse("applications:proposal_list"),
                "action": _("Open the list"),
            }
        )
    if has_role(user, Role.VILLAGE_HEAD):
        waiting = card(
            ApplicationStatus.AWAITING_DELIBERATION,
            _("Requests waiting for the village deliberation"),
            _("Record a deliberation"),
            "",
        )
        waiting["url"] = reverse("applications:deliberation_create")
        cards.append(waiting)
    if has_role(user, Role.VERIFIER):
        cards.append(
            card(
                ApplicationStatus.DELIBERATED,
                _("Requests to verify"),
                _("Open the worklist"),
                "?status=deliberated",
                tone="bad",
            )
        )
        open_objections = objection_list(user=user).filter(status=ObjectionStatus.OPEN).count()
        cards.append(
            {
                "title": _("Public objections to answer"),
                "value": open_objections,
                "hint": _("Objections (sanggah) against proposed or listed recipients."),
                "url": reverse("applications:objection_list"),
                "action": _("Answer objections"),
            }
        )
    if has_role(user, Role.DATA_MANAGER, Role.HEAD_OF_DIVISION):
        verified = card(
            ApplicationStatus.VERIFIED,
            _("Verified requests waiting for the period list"),
            _("Period lists"),
            "",
        )
        verified["url"] = reverse("applications:batch_list")
        cards.append(verified)
    if has_role(user, Role.REGENT_OFFICE):
        waiting = batch_list(user=user).filter(status=BatchStatus.FINALISED).count()
        cards.append(
            {
                "title": _("Period lists to ratify"),
                "value": waiting,
                "hint": _("Finalised by Dinsos, waiting for the regent's decree."),
                "url": reverse("applications:batch_list"),
                "action": _("Open the lists"),
            }
        )
    return cards


def nav_items(user) -> list[dict]:
    items = []
    if perms.can_read(user):
        items.append({"label": _("Aid requests"), "url": reverse("applications:application_list")})
    if has_role(user, Role.VILLAGE_HEAD):
        items.append(
            {"label": _("Deliberation"), "url": reverse("applications:deliberation_create")}
        )
    if perms.can_read(user) and has_role(
        user,
        Role.DATA_MANAGER,
        Role.HEAD_OF_DIVISION,
        Role.REGENT_OFFICE,
        Role.VERIFIER,
        Role.SYSTEM_ADMIN,
    ):
        items.append({"label": _("Period lists"), "url": reverse("applications:batch_list")})
    if perms.can_read_objections(user):
        items.append({"label": _("Objections"), "url": reverse("applications:objection_list")})
    return items


def public_actions(user) -> list[dict]:
    actions = [
        {
            "label": _("Ask for aid"),
            "hint": _("Apply online for a social assistance program."),
            "url": reverse("applications:apply_start"),
        },
        {
            "label": _("Follow my request"),
            "hint": _("With your tracking code and NIK."),
            "url": reverse("applications:track"),
        },
        {
            "label": _("Object to a recipient (sanggah)"),
            "hint": _("Someone on the list is not eligible, or a poor neighbour is missing."),
            "url": reverse("applications:objection_create"),
        },
    ]
    if user is not None and user.is_authenticated and user.role == Role.RESIDENT:
        actions.insert(
            1,
            {
                "label": _("My requests"),
                "hint": _("Every request made with your NIK."),
                "url": reverse("applications:my_applications"),
            },
        )
    return actions


def household_links(household, user) -> list[dict]:
    """Applications of a household, for its page in the registry."""
    rows = application_list(user=user).filter(household=household).order_by("-created_at")[:20]
    return [
        {
            "label": "{} · {} · {}".format(row.code, row.program.name, row.get_status_display()),
            "url": reverse("applications:application_detail", args=[row.pk]),
        }
        for row in rows
    ]


def workload(user_ids: list[int], since) -> list[dict]:
    """Open aid requests assigned to each officer, steps each recorded since ``since`` and
    the median hours a step took (core.workload)."""
    from core.workload import flow_workload

    from .models import Application, ApplicationStatusChange

    return [
        flow_workload(
            _("Aid requests"), Application.objects.open(), ApplicationStatusChange, user_ids, since
        )
    ]


def service_standards() -> list[dict]:
    """The public service standards of what residents ask through this app (``core.views.
    service_standards``): the aid request, with each open program's own documents, and the
    registry update."""
    from .selectors import programs_open_for_applications

    programs = [
        {
            "name": program.name,
            "documents": program.document_list,
            "url": reverse("applications:apply", args=[program.code]),
        }
        for program in programs_open_for_applications()
    ]
    return [
        {
            "slug": "usulan-bantuan",
            "title": _("Request for social aid"),
            "summary": _("Ask to receive a social aid program, online or at your village office."),
            "requirements": [
                _("Your NIK (on your KTP) and your family card (KK) number."),
                _("The documents the program asks for, listed below for each program."),
            ],
            "programs": programs,
            "steps": [
                (_("You send the request online, or at the village office (Puskesos)."), ""),
                (_("The village operator checks your data in the registry."), ""),
                (_("The village deliberation (musdes) agrees on the village's list."), ""),
                (_("The social agency verifies it and the head of the agency ratifies it."), ""),
                (_("You are told the decision; you can follow every step with your code."), ""),
            ],
            "time": _(
                "Requests are decided at the next ratification of the program's list; every "
                "step and its date are shown when you follow the request."
            ),
            "start": {"label": _("Follow my request"), "url": reverse("applications:track")},
        },
        {
            "slug": "pemutakhiran-data",
            "title": _("Update of your registry data"),
            "summary": _(
                "Register a household that is missing, correct wrong data, or ask for your "
                "household's welfare to be assessed again."
            ),
            "requirements": [
                _("Your KTP and family card (KK), shown at the village office."),
                _("For a correction: what is wrong and what is right."),
            ],
            "steps": [
                (_("You ask at the village office, or make a complaint about your data."), ""),
                (_("The village operator writes the proposal and checks your house."), ""),
                (_("The village deliberation (musdes) decides on it."), ""),
                (_("The social agency verifies it and applies it to the registry."), ""),
            ],
            "time": _(
                "Proposals are sent to the ministry with the next registry round; the registry "
                "shows the new data as soon as the social agency applies it."
            ),
            "start": None,
        },
    ]


def monthly_report_tables(viewer, since, until) -> list[dict]:
    """Requests for aid received in the month, per program, by where they stand now."""
    from django.db.models import Count, Q

    st = ApplicationStatus
    groups = [
        (
            _("Still being decided"),
            [st.SUBMITTED, st.NEEDS_UPDATE, st.AWAITING_DELIBERATION, st.DELIBERATED, st.VERIFIED],
        ),
        (_("Approved"), [st.FINALISED, st.RATIFIED, st.EXPORTED, st.ACCEPTED]),
        (_("Not approved or withdrawn"), [st.REJECTED, st.NOT_ACCEPTED, st.WITHDRAWN]),
    ]
    counts = (
        application_list(user=viewer)
        .filter(created_at__date__gte=since, created_at__date__lte=until)
        .values("program__name")
        .annotate(
            **{
                "g{}".format(n): Count("pk", filter=Q(status__in=statuses))
                for n, (_label, statuses) in enumerate(groups)
            }
        )
        .order_by("program__name")
    )
    return [
        {
            "title": _("Requests for aid received this month"),
            "row_heading": _("Program"),
            "columns": [str(label) for label, _statuses in groups],
            "rows": [
                (row["program__name"], [row["g{}".format(n)] for n in range(len(groups))])
                for row in counts
            ],
        }
    ]


def resident_services(user) -> list[dict]:
    """Layanan saya: the resident's own requests for aid (their account or their NIK), newest
    first, each with what happened and what happens next in plain words."""
    from .resident_texts import step_text

    if not has_role(user, Role.RESIDENT):
        return []
    from core.satisfaction import survey_links

    items = []
    applications = list(application_list(user=user).order_by("-created_at")[:20])
    surveys = survey_links(applications)
    for application in applications:
        happened, following = step_text(application.status)
        items.append(
            {
                "title": application.program.name,
                "code": application.code,
                "date": application.created_at,
                "status": happened,
                "next": following,
                "url": reverse("applications:status", args=[application.code]),
                "survey": surveys.get(application.pk),
            }
        )
    from .selectors import resident_objections

    objections = [
        {
            "title": "{} · {}".format(objection.get_kind_display(), objection.subject_name),
            "code": objection.code,
            "date": objection.created_at,
            "status": objection.get_outcome_display()
            if objection.outcome
            else objection.get_status_display(),
            "next": objection.answer
            or _("A Dinsos verifier checks it and answers; the answer comes here and by SMS."),
        }
        for objection in resident_objections(user=user)[:20]
    ]
    sections = [
        {
            "title": _("My requests for aid"),
            "items": items,
            "empty": _("You have not asked for aid online yet."),
            "action": {
                "label": _("Ask for aid"),
                "url": reverse("service_standard", args=["usulan-bantuan"]),
            },
        }
    ]
    if objections:
        sections.append(
            {
                "title": _("My objections (sanggah)"),
                "items": objections,
                "empty": "",
                "action": None,
            }
        )
    return sections


# ------------------------------------------------------------------------------ dashboards
#: The ends a request reaches, counted per month on the dashboards.
DECIDED = (
    ApplicationStatus.RATIFIED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.NOT_ACCEPTED,
)
#: How long open requests have waited in their step: (key, at most so many days, label).
AGES = (
    ("a", 7, gettext_lazy("Up to 7 days")),
    ("b", 30, gettext_lazy("8 to 30 days")),
    ("c", 90, gettext_lazy("31 to 90 days")),
    ("d", None, gettext_lazy("More than 90 days")),
)


def dashboard_sources() -> list:
    """Aid requests for the dashboards (core.dashboard): open ones per step, late ones, how
    long they have waited; received and decided per month."""
    import datetime as dt

    from django.db.models import Case, CharField, Count, DateField, F, Q, Value, When
    from django.db.models.functions import Coalesce, TruncMonth
    from django.utils import timezone

    from core.dashboard import Source, last_months

    from .models import Application, ApplicationStatusChange
    from .models.applications import OPEN_STATUSES
    from .sla import late_q

    now = timezone.now()
    since = last_months()[0]
    open_ = Application.objects.filter(status__in=OPEN_STATUSES)
    month = {"output_field": DateField()}
    waiting_since = Coalesce("status_changed_at", "created_at")
    age = Case(
        *(
            When(Q(since__gte=now - dt.timedelta(days=days)), then=Value(key))
            for key, days, _label in AGES
            if days is not None
        ),
        default=Value(AGES[-1][0]),
        output_field=CharField(),
    )
    return [
        Source(
            "applications_open",
            open_.values(s_region=F("village_id"), s_key=F("status")).annotate(s_value=Count("pk")),
        ),
        Source(
            "applications_late",
            open_.filter(late_q(now))
            .values(s_region=F("village_id"), s_key=F("status"))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "applications_age",
            open_.annotate(since=waiting_since)
            .values(s_region=F("village_id"), s_key=age)
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "applications_received",
            Application.objects.filter(created_at__date__gte=since)
            .values(s_region=F("village_id"), s_month=TruncMonth("created_at", **month))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "applications_decided",
            ApplicationStatusChange.objects.filter(
                created_at__date__gte=since, to_status__in=DECIDED
            )
            .values(
                s_region=F("application__village_id"),
                s_key=F("to_status"),
                s_month=TruncMonth("created_at", **month),
            )
            .annotate(s_value=Count("pk")),
        ),
    ]


def dashboard_panels(figures) -> list[dict]:
    """Aid requests on a dashboard: the backlog per step, how much of it is late and how old
    it is, per area, and what came in and was decided each month."""
    from core.dashboard import area_table, backlog, chart, list_link

    from .models.applications import OPEN_STATUSES
    from .sla import step_days

    if not perms.can_read(figures.user):
        return []
    numbers, step_table = backlog(
        figures,
        list_name="applications:application_list",
        statuses=OPEN_STATUSES,
        open_=figures.by_key("applications_open"),
        late=figures.by_key("applications_late"),
        open_label=_("Open requests"),
        caption=_("Open requests per step"),
        extra=(_("Days allowed"), step_days()),
    )

    def requests(**params):
        return lambda code: list_link(
            "applications:application_list", figures, region=code, **params
        )

    decided = figures.by_key("applications_decided", monthly=True)
    ages = figures.by_key("applications_age")
    return [
        {
            "title": _("Aid requests"),
            "figures": [
                *numbers,
                {
                    "label": _("Received in the last 12 months"),
                    "value": figures.total("applications_received", monthly=True),
                },
                {
                    "label": _("Ratified in the last 12 months"),
                    "value": decided.get(ApplicationStatus.RATIFIED, 0),
                },
            ],
            "tables": [
                step_table,
                {
                    "caption": _("How long the open requests have waited in their step"),
                    "row_heading": _("Waiting"),
                    "columns": [_("Requests")],
                    "rows": [
                        {"label": label, "url": None, "cells": [{"value": ages.get(key, 0)}]}
                        for key, _days, label in AGES
                    ],
                    "totals": [sum(ages.values())],
                },
                area_table(
                    figures,
                    caption=_("Aid requests per area"),
                    columns=[
                        (
                            _("Open"),
                            figures.by_area("applications_open"),
                            requests(status=list(OPEN_STATUSES)),
                        ),
                        (_("Late"), figures.by_area("applications_late"), requests(overdue="true")),
                        (
                            _("Received in 12 months"),
                            figures.by_area("applications_received", monthly=True),
                            None,
                        ),
                    ],
                ),
            ],
            "trend": chart(
                figures.months,
                [
                    {"label": _("Received"), "values": figures.trend("applications_received")},
                    {
                        "label": _("Ratified"),
                        "values": figures.trend("applications_decided", ApplicationStatus.RATIFIED),
                    },
                    {
                        "label": _("Not approved"),
                        "values": figures.trend("applications_decided", ApplicationStatus.REJECTED),
                    },
                ],
            ),
            "more": [],
        }
    ]


# ------------------------------------------------------------------------------ field app
def _field_form(program):
    def form(user, data=None, files=None):
        from dtks.selectors import villages_by_district

        from .forms import ApplicationForm

        return ApplicationForm(
            data, files, program=program, villages=villages_by_district(user=user), staff=True
        )

    return form


def _field_create(program):
    def create(form, user) -> str:
        from dtks.selectors import region_get

        from .services import application_submit

        application = application_submit(
            program=program,
            applicant=form.applicant(),
            village=region_get(form.cleaned_data["village"]),
            channel=form.cleaned_data["channel"],
            actor=user,
            documents=form.document_uploads(),
        )
        return _("Request {code} received. Give the resident this code.").format(
            code=application.code
        )

    return create


def field_flows() -> list:
    """A resident's aid request, taken on a home visit with photos of their documents, per
    program an officer may enter requests for."""
    from core.fieldwork import FieldFlow

    from .selectors import programs_for_intake

    return [
        FieldFlow(
            "application_" + program.code,
            form=_field_form(program),
            create=_field_create(program),
            label=_("Aid request: {program}").format(program=program.name),
            defaults={"channel": "home_visit"},
            allowed=perms.can_intake,
        )
        for program in programs_for_intake().filter(accepts_applications=True).order_by("name")
    ]
