"""What the dtks app adds to the shared pages: its cards on the landing page, its entries
in the menu, what the public front page offers, and its links on a household's page.

``core.extensions.collect`` gathers these hooks from every app in ``settings.SILAKSO_APPS``.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role
from core.permissions import REGIONAL_STAFF_ROLES, has_role

from .choices import FlagKind, FlagStatus
from .models import (
    Flag,
    Household,
    Individual,
    Program,
)
from .permissions import ROUND_APPROVERS, ROUND_PROPOSERS, can_read_registry, can_read_rounds

# The heading of this app's entries in the phone menu.
GROUP = gettext_lazy("Social welfare data")


def dashboard_cards(user) -> list[dict]:
    """Landing-page cards of the registry for staff working in a region."""
    if not has_role(user, *REGIONAL_STAFF_ROLES):
        return []
    households = Household.objects.visible_to(user)
    scope = user.region.name if user.region_id else _("the whole installation")
    open_flags = Flag.objects.visible_to(user).filter(status=FlagStatus.OPEN).count()
    return [
        {
            "title": _("Households in {scope}").format(scope=scope),
            "value": households.count(),
            "hint": _("{people} people; {unranked} households have no official desil yet.").format(
                people=Individual.objects.visible_to(user).living().count(),
                unranked=households.filter(desil__isnull=True).count(),
            ),
            "url": reverse("dtks:household_list"),
            "action": _("Find a household"),
        },
        {
            "title": _("Data problems to check"),
            "value": open_flags,
            "hint": _("Households without a head, unknown NIK codes and other problems."),
            "url": reverse("dtks:flag_list"),
            "action": _("Open the list"),
        },
        *_round_cards(user),
    ]


def _round_cards(user) -> list[dict]:
    """The national round that waits for this user: the head of division's approval, or the
    data manager's proposal once it is compared."""
    from .selectors import rounds

    waiting_for = []
    if has_role(user, *ROUND_APPROVERS):
        waiting_for.append("proposed")
    if has_role(user, *ROUND_PROPOSERS):
        waiting_for.append("compared")
    if not waiting_for:
        return []
    registry_round = rounds(user=user).filter(status__in=waiting_for).first()
    if registry_round is None:
        return []
    return [
        {
            "title": _("Registry round to decide"),
            "value": registry_round.name,
            "hint": _("A national extract is compared with the registry and waits for you."),
            "url": reverse("dtks:round_detail", args=[registry_round.pk]),
            "action": _("Open the round"),
        }
    ]


def nav_items(user) -> list[dict]:
    """Menu entries of the registry for ``user``."""
    if has_role(user, Role.PROGRAM_MANAGER) and not can_read_registry(user):
        return [{"label": _("My programs"), "url": reverse("dtks:program_list")}]
    if not can_read_registry(user):
        return []
    return [
        {"label": _("Registry"), "url": reverse("dtks:household_list")},
        {"label": _("Registry at a glance"), "url": reverse("dtks:registry_summary")},
        {"label": _("Map"), "url": reverse("dtks:registry_map")},
        *(
            [{"label": _("Registry rounds"), "url": reverse("dtks:round_list")}]
            if can_read_rounds(user)
            else []
        ),
        {"label": _("Programs"), "url": reverse("dtks:program_list")},
        {"label": _("Local PMT"), "url": reverse("dtks:pmt_overview")},
        {"label": _("Regions"), "url": reverse("dtks:region_list")},
    ]


def public_actions(user) -> list[dict]:
    """The public status check and the recipients per area on the front page."""
    return [
        {
            "label": _("Check your aid status (Cek Bansos)"),
            "hint": _("With your NIK and your name as on your KTP."),
            "url": reverse("cek_bansos"),
        },
        {
            "label": _("Aid recipients per area"),
            "hint": _("How many households of each district and village receive each program."),
            "url": reverse("transparency"),
        },
    ]


def workload(user_ids: list[int], since) -> list[dict]:
    """Open data problems assigned to each officer, those each resolved since ``since`` and
    the median hours from being found to being resolved (core.workload)."""
    from django.db.models import Count, DurationField, ExpressionWrapper, F

    from .models import Flag

    open_ = dict(
        Flag.objects.open()
        .filter(assigned_to__in=user_ids)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
    )
    resolved = Flag.objects.filter(resolved_by__in=user_ids, resolved_at__gte=since)
    done = dict(resolved.values_list("resolved_by").annotate(n=Count("pk")))
    hours: dict = {}
    took = resolved.annotate(
        took=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    ).values_list("resolved_by", "took")
    by_user: dict = {}
    for officer, duration in took:
        by_user.setdefault(officer, []).append(duration.total_seconds() / 3600)
    for officer, values in by_user.items():
        values.sort()
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        hours[officer] = round(median, 1)
    return [{"label": _("Data problems"), "open": open_, "done": done, "hours": hours}]


def monthly_report_tables(viewer, since, until) -> list[dict]:
    """The registry's tables of the monthly report: households per desil band and people, per
    district, as the registry stands when the report is made."""
    from .selectors import registry_summary

    summary = registry_summary(user=viewer)
    bands = [
        str(_("Desil {desil}").format(desil=low)) if low == high else "{}–{}".format(low, high)
        for low, high in [(d, d) for d in range(1, 6)] + [(6, 10)]
    ]
    return [
        {
            "title": _("Households in the registry per desil"),
            "row_heading": _("District"),
            "columns": [*bands, str(_("No desil"))],
            "rows": [
                (line["name"], [band["n"] for band in line["bands"]] + [line["no_desil"]])
                for line in summary["rows"]
            ],
        },
        {
            "title": _("People in the registry"),
            "row_heading": _("District"),
            "columns": [str(_("People"))],
            "rows": [(line["name"], [line["people"]]) for line in summary["rows"]],
        },
    ]


def resident_services(user) -> list[dict]:
    """Layanan saya: the programs the resident's household receives in the current period
    (what Cek Bansos tells anyone with their NIK and name, for their own NIK)."""
    from .selectors import programs_now

    if not has_role(user, Role.RESIDENT) or not user.nik:
        return []
    items = [
        {"title": row["program"], "status": row["period"]} for row in programs_now(nik=user.nik)
    ]
    return [
        {
            "title": _("Programs my household receives now"),
            "items": items,
            "empty": _("Your household receives no program in the current period."),
            "action": None,
        }
    ]


# ------------------------------------------------------------------------------ dashboards
def dashboard_sources() -> list:
    """The registry's figures for the dashboards (core.dashboard): what stands now per
    village, and the data problems found and resolved per month."""
    from django.db.models import CharField, Count, DateField, F
    from django.db.models.functions import Cast, TruncMonth

    from core.dashboard import Source, last_months

    from .choices import HouseholdStatus, IndividualStatus
    from .models import Enrollment

    since = last_months()[0]
    active = Household.objects.filter(status=HouseholdStatus.ACTIVE)
    month = {"output_field": DateField()}
    return [
        Source(
            "households_desil",
            active.values(s_region=F("village_id"), s_key=Cast("desil", CharField())).annotate(
                s_value=Count("pk")
            ),
        ),
        Source(
            "people",
            Individual.objects.filter(
                status=IndividualStatus.ALIVE, household__status=HouseholdStatus.ACTIVE
            )
            .values(s_region=F("household__village_id"))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "enrolled",
            Enrollment.objects.active()
            .values(s_region=F("household__village_id"), s_key=F("program__code"))
            .annotate(s_value=Count("household_id", distinct=True)),
        ),
        Source(
            "overlaps",
            Enrollment.objects.active()
            .exclude(double_dip_reason="")
            .values(s_region=F("household__village_id"))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "flags_open",
            Flag.objects.filter(status=FlagStatus.OPEN)
            .values(s_region=F("household__village_id"), s_key=F("kind"))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "flags_found",
            Flag.objects.filter(created_at__date__gte=since)
            .values(s_region=F("household__village_id"), s_month=TruncMonth("created_at", **month))
            .annotate(s_value=Count("pk")),
        ),
        Source(
            "flags_resolved",
            Flag.objects.filter(resolved_at__date__gte=since)
            .values(s_region=F("household__village_id"), s_month=TruncMonth("resolved_at", **month))
            .annotate(s_value=Count("pk")),
        ),
    ]


def dashboard_panels(figures) -> list[dict]:
    """The registry on a dashboard: what it holds now, where, and the data problems."""
    from core.dashboard import area_table, chart, list_link

    if not can_read_registry(figures.user):
        return []
    desil = figures.by_key("households_desil")
    flags = figures.by_key("flags_open")
    poor = [str(d) for d in range(1, 5)]

    def households(**params):
        return lambda code: list_link(
            "dtks:household_list", figures, region=code, status="active", **params
        )

    def problems(code):
        return list_link("dtks:flag_list", figures, region=code)

    by_area = figures.by_area("households_desil")
    poor_by_area: dict = {}
    for key in poor:
        for code, value in figures.by_area("households_desil", key).items():
            poor_by_area[code] = poor_by_area.get(code, 0) + value
    programs = dict(Program.objects.values_list("code", "name"))
    enrolled = figures.by_key("enrolled")
    return [
        {
            "title": _("Registry"),
            "figures": [
                {
                    "label": _("Households"),
                    "value": sum(desil.values()),
                    "url": list_link("dtks:household_list", figures, status="active"),
                },
                {"label": _("People"), "value": figures.total("people")},
                {
                    "label": _("Households in desil 1–4"),
                    "value": sum(desil.get(key, 0) for key in poor),
                    "url": list_link(
                        "dtks:household_list", figures, status="active", desil_min=1, desil_max=4
                    ),
                },
                {
                    "label": _("Households without an official desil"),
                    "value": desil.get("", 0),
                    "url": list_link(
                        "dtks:household_list", figures, status="active", no_desil="true"
                    ),
                },
                {
                    "label": _("Data problems open"),
                    "value": sum(flags.values()),
                    "url": list_link("dtks:flag_list", figures),
                },
                {
                    "label": _("Poor households in no program (exclusion errors)"),
                    "value": flags.get(FlagKind.EXCLUSION_ERROR, 0),
                    "url": list_link("dtks:flag_list", figures, kind=FlagKind.EXCLUSION_ERROR),
                },
                {
                    "label": _("Enrolled above the program's desil limit (inclusion errors)"),
                    "value": flags.get(FlagKind.INCLUSION_ERROR, 0),
                    "url": list_link("dtks:flag_list", figures, kind=FlagKind.INCLUSION_ERROR),
                },
                {
                    "label": _("Second aid of the same type, allowed with a reason"),
                    "value": figures.total("overlaps"),
                },
            ],
            "tables": [
                area_table(
                    figures,
                    caption=_("Registry per area"),
                    columns=[
                        (_("Households"), by_area, households()),
                        (_("Desil 1–4"), poor_by_area, households(desil_min=1, desil_max=4)),
                        (_("People"), figures.by_area("people"), None),
                        (_("Data problems open"), figures.by_area("flags_open"), problems),
                    ],
                ),
                {
                    "caption": _("Households receiving each program now"),
                    "row_heading": _("Program"),
                    "columns": [_("Households")],
                    "rows": [
                        {
                            "label": programs.get(code, code),
                            "url": None,
                            "cells": [
                                {
                                    "value": value,
                                    "url": list_link("dtks:household_list", figures, program=code),
                                }
                            ],
                        }
                        for code, value in sorted(enrolled.items(), key=lambda kv: -kv[1])
                    ],
                    "totals": None,
                },
            ],
            "trend": chart(
                figures.months,
                [
                    {"label": _("Data problems found"), "values": figures.trend("flags_found")},
                    {
                        "label": _("Data problems resolved"),
                        "values": figures.trend("flags_resolved"),
                    },
                ],
            ),
            "more": [
                {"label": _("Registry at a glance"), "url": reverse("dtks:registry_summary")},
                {"label": _("Map of homes and complaints"), "url": reverse("dtks:registry_map")},
                *(
                    [{"label": _("Registry rounds"), "url": reverse("dtks:round_list")}]
                    if can_read_rounds(figures.user)
                    else []
                ),
            ],
        }
    ]


# ------------------------------------------------------------------------------ field app
#: What an operator records offline (core.fieldwork): a household's member events and house
#: photo, and the visits of a field campaign (form A4).
FIELD_HOUSEHOLD_STEPS = ("birth", "move_in", "death", "move_out", "photo")


def _keep_household(household) -> dict:
    """A household as the phone keeps it: masked as in the lists, no full NIK or KK."""
    from .choices import IndividualStatus

    members = getattr(household, "all_members", None)
    if members is None:
        members = list(household.members.select_related("family").order_by("birth_date"))
    flags = getattr(household, "open_flags", None)
    if flags is None:
        flags = list(household.flags.filter(status=FlagStatus.OPEN))
    return {
        "id": household.pk,
        "version": household.version,
        "address": household.address,
        "rt": household.rt,
        "village": household.village_id,
        "desil": household.desil,
        "members": [
            {
                "id": person.pk,
                "name": person.name,
                "nik": person.nik_masked,
                "relation": str(person.get_relation_to_head_display()),
                "head": person.relation_to_head == "head",
                "living": person.status == IndividualStatus.ALIVE,
                "status": str(person.get_status_display()),
                "family": person.family_id,
            }
            for person in members
        ],
        "families": [
            {"id": family.pk, "kk": "…" + family.kk_number[-4:]}
            for family in household.families.all()
        ],
        "flags": [str(flag.get_kind_display()) for flag in flags],
    }


def _keep_item(item) -> dict:
    return {
        "id": item.pk,
        "campaign": item.campaign.name,
        "household": item.household_id,
        "status": item.status,
        "outcome": item.outcome,
    }


def field_flows() -> list:
    from core.fieldwork import FieldFlow

    from .selectors import campaign_item_get, household_get
    from .workflow import CAMPAIGN_ITEM_STEPS, HOUSEHOLD_STEPS

    return [
        FieldFlow(
            "household", HOUSEHOLD_STEPS, household_get, _keep_household, FIELD_HOUSEHOLD_STEPS
        ),
        FieldFlow("campaign_item", CAMPAIGN_ITEM_STEPS, campaign_item_get, _keep_item, ("record",)),
    ]


def field_data(user) -> list[dict]:
    """The households of the operator's area and the campaign visits still to make."""
    from django.db.models import Prefetch, Q

    from core.fieldwork import MAX_HOUSEHOLDS

    from .choices import CampaignStatus, HouseholdStatus
    from .models import CampaignItem
    from .selectors import household_list

    if not can_read_registry(user):
        return []
    members = Individual.objects.select_related("family").order_by("birth_date")
    households = (
        household_list(user=user)
        .filter(status=HouseholdStatus.ACTIVE)
        .prefetch_related(
            Prefetch("members", queryset=members, to_attr="all_members"),
            "families",
            Prefetch(
                "flags", queryset=Flag.objects.filter(status=FlagStatus.OPEN), to_attr="open_flags"
            ),
        )
        .order_by("address", "pk")[:MAX_HOUSEHOLDS]
    )
    items = (
        CampaignItem.objects.visible_to(user)
        .filter(campaign__status=CampaignStatus.OPEN)
        .filter(Q(outcome="") | Q(review="rejected"))
        .select_related("campaign")
        .order_by("pk")
    )
    return [
        {
            "households": [_keep_household(household) for household in households],
            "campaign_items": [_keep_item(item) for item in items],
        }
    ]
