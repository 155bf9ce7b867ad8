"""What the referrals app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.choices import Role
from core.permissions import configures_installation

from . import permissions as perms
from .choices import CaseStatus
from .models import Referral, provider_of
from .selectors import (
    R,
    case_list,
    referral_list,
)

# The heading of this app's entries in the phone menu.
GROUP = gettext_lazy("Referrals and services")


def dashboard_cards(user) -> list[dict]:
    provider = provider_of(user)
    if provider is not None and user.role == Role.PROVIDER_ADMIN:
        waiting = Referral.objects.filter(provider=provider, status=R.SENT)
        late = waiting.filter(response_due_at__lt=timezone.now()).count()
        return [
            {
                "title": _("Referrals waiting for your answer"),
                "value": waiting.count(),
                "hint": _("{late} past the answer date.").format(late=late),
                "tone": "bad" if late else "",
                "url": reverse("referrals:portal"),
                "action": _("Open the referrals"),
            },
            {
                "title": _("In service"),
                "value": Referral.objects.filter(
                    provider=provider, status__in=[R.ACCEPTED, R.IN_SERVICE]
                ).count(),
                "hint": _("Record the outcome when delivered."),
                "url": reverse("referrals:portal") + "?status=in_service",
                "action": _("Update progress"),
            },
        ]
    if not perms.can_work_cases(user):
        return []
    cases = case_list(user=user).filter(status=CaseStatus.OPEN)
    late = (
        referral_list(user=user).filter(status=R.SENT, response_due_at__lt=timezone.now()).count()
    )
    return [
        {
            "title": _("Open cases"),
            "value": cases.count(),
            "hint": _("{late} referrals not answered in time.").format(late=late),
            "tone": "bad" if late else "",
            "url": reverse("referrals:case_list"),
            "action": _("Open the cases"),
        }
    ]


def nav_items(user) -> list[dict]:
    provider = provider_of(user)
    if provider is not None and user.role == Role.PROVIDER_ADMIN:
        return [
            {"label": _("Referrals to us"), "url": reverse("referrals:portal")},
            {"label": _("Our services"), "url": reverse("referrals:portal_services")},
        ]
    items = []
    if perms.can_work_cases(user):
        items.append({"label": _("Cases and referrals"), "url": reverse("referrals:case_list")})
    if perms.can_issue_letters(user):
        items.append({"label": _("Service letters"), "url": reverse("referrals:letter_list")})
        items.append({"label": _("Referral report"), "url": reverse("referrals:report")})
    return items


def household_links(household, user) -> list[dict]:
    """The household's cases (a link for case workers, who can open them; the fact for other
    readers), and for a case worker the way to open one."""
    cases = list(case_list(user=user).filter(household=household).order_by("-created_at")[:10])
    works_cases = perms.can_work_cases(user)
    links = [
        {
            "label": "{} · {} · {}".format(case.code, _("case"), case.get_status_display()),
            "url": reverse("referrals:case_detail", args=[case.pk]) if works_cases else None,
        }
        for case in cases
    ]
    if works_cases and not any(case.status == CaseStatus.OPEN for case in cases):
        links.append(
            {
                "label": _("Open a case and refer its needs"),
                "url": reverse("referrals:case_create", args=[household.pk]),
            }
        )
    return links


def settings_links(user) -> list[dict]:
    if not perms.has_role(user, *perms.CATALOGUE_ADMINS):
        return []
    return [
        {
            "label": _("Providers and their services"),
            "hint": _("Where cases are referred, their accounts and their systems."),
            "url": reverse("referrals:provider_list"),
        },
    ] + (
        [
            {
                "label": _("Letter kinds"),
                "hint": _("Text, signatory and validity of each SLRT letter."),
                "url": reverse("referrals:letter_template_list"),
            }
        ]
        if configures_installation(user, *perms.CATALOGUE_ADMINS)
        else []
    )


def service_standards() -> list[dict]:
    """The public service standards of referrals and of the SLRT letters."""
    from django.conf import settings

    from .choices import LetterKind

    days = settings.SILAKSO_REFERRAL_RESPONSE_DAYS
    return [
        {
            "slug": "rujukan",
            "title": _("Referral to a partner service"),
            "summary": _(
                "When you need a service of another office (health, school, housing, "
                "disability), an officer refers you and follows it up."
            ),
            "requirements": [_("Your NIK; the officer finds the rest in the registry.")],
            "steps": [
                (_("An officer of the village or the social agency writes the referral."), ""),
                (
                    _("The partner office answers whether it takes you in."),
                    ngettext("within %(days)s day", "within %(days)s days", days) % {"days": days},
                ),
                (_("The partner records what it did; the officer closes the case."), ""),
            ],
            "time": _(
                "A referral the partner has not answered in time is passed to the supervisor."
            ),
            "start": None,
        },
        {
            "slug": "surat-layanan",
            "title": _("Service letters (SLRT)"),
            "summary": _("Letters the SLRT secretariat issues:"),
            "letters": [kind.label for kind in LetterKind],
            "requirements": [
                _("Your KTP and family card (KK)."),
                _("Your household in the social welfare register, for the letters that need it."),
            ],
            "steps": [
                (_("You ask at the SLRT secretariat or the village office."), ""),
                (_("The officer checks your data in the registry."), ""),
                (_("The letter is printed with a QR code anyone can check."), ""),
            ],
            "time": _("Issued when your data in the registry is complete."),
            "start": None,
        },
    ]


def monthly_report_tables(viewer, since, until) -> list[dict]:
    """Referrals sent in the month per partner by outcome, and the SLRT service recap (letters
    issued per kind, the form of seed 004)."""
    from .selectors import report

    figures = report(user=viewer, since=since, until=until)
    return [
        {
            "title": _("Referrals sent this month"),
            "row_heading": _("Partner"),
            "columns": [
                str(_("Waiting for an answer")),
                str(_("Taken in")),
                str(_("Declined")),
            ],
            "rows": [
                (
                    row["provider__name"],
                    [row["waiting"], row["accepted"], row["declined"]],
                )
                for row in figures["by_provider"]
            ],
        },
        {
            "title": _("SLRT service recap: letters issued this month"),
            "row_heading": _("Letter"),
            "columns": [str(_("Letters"))],
            "rows": [(row["label"], [row["total"]]) for row in figures["letters"]],
        },
    ]


def resident_services(user) -> list[dict]:
    """Layanan saya: where the resident was referred and what the partner did, and the
    letters issued to them (each opens its public check page)."""
    from core.satisfaction import survey_links

    from .selectors import resident_letters, resident_referrals

    if not user.is_authenticated or user.role != Role.RESIDENT:
        return []
    referral_rows = list(resident_referrals(user=user).order_by("-sent_at")[:20])
    letter_rows = list(resident_letters(user=user)[:20])
    surveys = {("r", pk): url for pk, url in survey_links(referral_rows).items()}
    surveys.update({("l", pk): url for pk, url in survey_links(letter_rows).items()})
    referrals = [
        {
            "title": "{} · {}".format(referral.service.name, referral.provider.name),
            "date": referral.sent_at,
            "status": referral.get_status_display(),
            "next": _("Follow up on {day}.").format(day=formats.date_format(referral.follow_up_on))
            if referral.follow_up_on
            else "",
            "survey": surveys.get(("r", referral.pk)),
        }
        for referral in referral_rows
    ]
    letters = [
        {
            "title": letter.get_kind_display(),
            "code": letter.number,
            "date": letter.issued_at,
            "status": _("Anyone can check it is genuine with its QR code."),
            "url": reverse("referrals:letter_verify", args=[letter.token]),
            "survey": surveys.get(("l", letter.pk)),
        }
        for letter in letter_rows
    ]
    return [
        {
            "title": _("Where I was referred"),
            "items": referrals,
            "empty": _("No referral to a partner office yet."),
            "action": None,
        },
        {
            "title": _("My letters"),
            "items": letters,
            "empty": _("No letter has been issued to you yet."),
            "action": None,
        },
    ]


# ------------------------------------------------------------------------------ dashboards
#: The ends of a referral counted per provider on the dashboards, and the steps it waits in.
SETTLED = ("completed", "declined", "failed")
WAITING = ("sent", "accepted", "in_service")


def dashboard_sources() -> list:
    """Referrals for the dashboards (core.dashboard): those waiting for or in service now,
    sent per month and provider, and each provider's outcomes per month."""
    from django.db.models import CharField, Count, DateField, F, Value
    from django.db.models.functions import Cast, Concat, TruncMonth

    from core.dashboard import Source, last_months

    from .models import ReferralStatusChange

    since = last_months()[0]
    month = {"output_field": DateField()}
    return [
        Source(
            "referrals_open",
            Referral.objects.filter(status__in=WAITING)
            .values(s_region=F("case__village_id"), s_key=F("status"))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "referrals_sent",
            Referral.objects.filter(sent_at__date__gte=since)
            .values(
                s_region=F("case__village_id"),
                s_key=Cast("provider_id", CharField()),
                s_month=TruncMonth("sent_at", **month),
            )
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "referrals_settled",
            ReferralStatusChange.objects.filter(created_at__date__gte=since, to_status__in=SETTLED)
            .values(
                s_region=F("referral__case__village_id"),
                s_key=Concat(
                    Cast("referral__provider_id", CharField()),
                    Value("|"),
                    "to_status",
                    output_field=CharField(),
                ),
                s_month=TruncMonth("created_at", **month),
            )
            .annotate(s_value=Count("pk")),
        ),
    ]


def dashboard_panels(figures) -> list[dict]:
    """Referrals on a dashboard: what waits at the providers, and each provider's outcomes."""
    from core.dashboard import area_table, chart, list_link
    from core.permissions import REGIONAL_STAFF_ROLES, has_role

    from .choices import ReferralStatus
    from .models import Provider

    if not has_role(figures.user, *REGIONAL_STAFF_ROLES) or not perms.can_read(figures.user):
        return []
    open_ = figures.by_key("referrals_open")
    sent = figures.by_key("referrals_sent", monthly=True)
    settled: dict[str, dict[str, int]] = {}
    for key, value in figures.by_key("referrals_settled", monthly=True).items():
        provider, _sep, status = key.partition("|")
        settled.setdefault(provider, {})[status] = value
    names = dict(
        Provider.objects.filter(
            pk__in=[int(p) for p in {*sent, *settled} if p.isdigit()]
        ).values_list("pk", "name")
    )
    providers = sorted({*sent, *settled}, key=lambda p: names.get(int(p), p) if p.isdigit() else p)

    report = reverse("referrals:report") if perms.can_issue_letters(figures.user) else None

    outcomes = [(s, ReferralStatus(s).label) for s in SETTLED]
    return [
        {
            "title": _("Referrals"),
            "figures": [
                {
                    "label": _("Waiting for or in service"),
                    "value": sum(open_.values()),
                    "url": list_link("referrals:case_list", figures)
                    if perms.can_work_cases(figures.user)
                    else None,
                },
                {"label": _("Sent in the last 12 months"), "value": sum(sent.values())},
                {
                    "label": _("Completed in the last 12 months"),
                    "value": sum(row.get("completed", 0) for row in settled.values()),
                },
            ],
            "tables": [
                {
                    "caption": _("Referrals in 12 months per provider"),
                    "row_heading": _("Provider"),
                    "columns": [_("Sent"), *(label for _key, label in outcomes)],
                    "rows": [
                        {
                            "label": names.get(int(provider), provider)
                            if provider.isdigit()
                            else provider,
                            "url": None,
                            "cells": [
                                {
                                    "value": sent.get(provider, 0),
                                    "url": report,
                                },
                                *(
                                    {"value": settled.get(provider, {}).get(key, 0)}
                                    for key, _label in outcomes
                                ),
                            ],
                        }
                        for provider in providers
                    ],
                    "totals": [
                        sum(sent.values()),
                        *(sum(row.get(key, 0) for row in settled.values()) for key, _l in outcomes),
                    ],
                },
                area_table(
                    figures,
                    caption=_("Referrals per area"),
                    columns=[
                        (
                            _("Waiting for or in service"),
                            figures.by_area("referrals_open"),
                            None,
                        ),
                        (
                            _("Sent in 12 months"),
                            figures.by_area("referrals_sent", monthly=True),
                            None,
                        ),
                    ],
                ),
            ],
            "trend": chart(
                figures.months,
                [
                    {"label": _("Sent"), "values": figures.trend("referrals_sent")},
                    {
                        "label": _("Settled"),
                        "values": figures.trend("referrals_settled"),
                    },
                ],
            ),
            "more": [{"label": _("Referral report"), "url": report}] if report else [],
        }
    ]
