"""Reads of case management: case workers see their region, a provider only what was sent to it
(and of the household only the summary it needs)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.permissions import has_role
from core.scope import NOTHING
from silakso.aggregates import hours_between
from silakso.tables import local_minute

from . import permissions as perms
from .choices import CapacityPeriod, CaseStatus, Domain, LetterKind, ProviderKind, ReferralStatus
from .models import Case, Letter, Provider, Referral, Service, provider_of
from .workflow import ACTIVE_OR_DELIVERED

R = ReferralStatus


def period_start(period: str, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    if period == CapacityPeriod.YEAR:
        return today.replace(month=1, day=1)
    if period == CapacityPeriod.QUARTER:
        return today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    return today.replace(day=1)


def capacity_used(service: Service, today: dt.date | None = None) -> int:
    """Referrals sent to the service in its current period that were not declined or cancelled."""
    start = period_start(service.capacity_period, today)
    return Referral.objects.filter(
        service=service, status__in=ACTIVE_OR_DELIVERED, sent_at__date__gte=start
    ).count()


def referral_duplicates(referral: Referral) -> list[Referral]:
    """The same service, or the same domain from another provider, already active or delivered
    for the same person (or household) in the current period of the service."""
    start = period_start(referral.service.capacity_period)
    same_person = Q(case__household=referral.case.household_id)
    if referral.individual_id:
        same_person = Q(individual=referral.individual_id) | Q(
            individual__isnull=True, case__household=referral.case.household_id
        )
    return list(
        Referral.objects.filter(same_person)
        .filter(Q(service=referral.service_id) | Q(service__domain=referral.service.domain))
        .filter(status__in=ACTIVE_OR_DELIVERED, sent_at__date__gte=start)
        .exclude(pk=referral.pk)
        .select_related("service", "provider")
    )


# ---------------------------------------------------------------------------- providers
def provider_list(*, user) -> QuerySet[Provider]:
    """Providers in the user's reach: national ones and those of the user's regency."""
    if not perms.can_read(user):
        return Provider.objects.filter(NOTHING)
    own = provider_of(user)
    if own is not None:
        return Provider.objects.filter(pk=own.pk)
    queryset = Provider.objects.select_related("region")
    if user.is_installation_wide or not user.region_id:
        return queryset
    regency = ".".join(user.region_id.split(".")[:2])
    return queryset.filter(
        Q(region__isnull=True) | Q(region__code=regency) | Q(region__code=regency[:2])
    )


def service_list(*, user, domain: str | None = None) -> QuerySet[Service]:
    queryset = Service.objects.filter(provider__in=provider_list(user=user)).select_related(
        "provider"
    )
    if domain:
        queryset = queryset.filter(domain=domain)
    return queryset


def services_with_capacity(*, provider: Provider) -> list[dict]:
    return [
        {
            "service": service,
            "used": capacity_used(service),
            "capacity": service.capacity,
            "since": period_start(service.capacity_period),
        }
        for service in provider.services.order_by("name")
    ]


# ---------------------------------------------------------------------------- cases
def case_list(*, user, filters: dict | None = None) -> QuerySet[Case]:
    if not (perms.can_work_cases(user) or has_role(user, *perms.READERS)) or provider_of(user):
        return Case.objects.filter(NOTHING)
    queryset = Case.objects.visible_to(user).select_related("household", "village", "opened_by")
    if filters:
        status = filters.get("status")
        if status in CaseStatus.values:
            queryset = queryset.filter(status=status)
        if filters.get("q"):
            queryset = queryset.filter(
                Q(code__iexact=filters["q"].strip()) | Q(household__address__icontains=filters["q"])
            )
    return queryset


def case_get(*, user, pk) -> Case:
    return case_list(user=user).get(pk=pk)


def case_progress(*, case: Case) -> dict:
    """How far the case is: referrals per status, settled of total, the follow-up."""
    from .workflow import SETTLED

    rows = dict(case.referrals.values_list("status").annotate(total=Count("pk")))
    total = sum(rows.values())
    settled = sum(count for status, count in rows.items() if status in SETTLED)
    return {
        "total": total,
        "settled": settled,
        "completed": rows.get(R.COMPLETED, 0),
        "percent": round(100 * settled / total) if total else 0,
        "by_status": [
            {"status": s, "label": R(s).label, "total": rows[s]} for s in R.values if s in rows
        ],
        "follow_up_due": case.follow_up_on is not None and case.follow_up_done_at is None,
    }


# ---------------------------------------------------------------------------- referrals
def referral_list(*, user, filters: dict | None = None) -> QuerySet[Referral]:
    if not perms.can_read(user):
        return Referral.objects.filter(NOTHING)
    queryset = Referral.objects.visible_to(user).select_related(
        "case", "case__village", "service", "service__provider", "provider", "individual"
    )
    if filters:
        from .filtersets import ReferralFilterSet

        queryset = ReferralFilterSet(filters, queryset=queryset).qs
    return queryset


def referral_get(*, user, pk) -> Referral:
    return referral_list(user=user).get(pk=pk)


def referral_summary(*, referral: Referral) -> dict:
    """The household summary a provider needs to deliver the service, and no more: who (the
    member referred, or the head), where, how many live there, the official desil, whom to call.
    No other members, no house data. The full NIK is there because the provider registers the
    person with it (services.referral_open masks it for case workers and audits each reading)."""
    household = referral.case.household
    person = (
        referral.individual
        or household.members.filter(relation_to_head="head", status="alive").first()
    )
    village = household.village
    return {
        "name": person.name if person else "",
        "nik": person.nik if person else "",
        "sex": person.sex if person else "",
        "age": person.age if person else None,
        "village": village.name,
        "district": village.parent.name if village.parent else "",
        "address": "{}, RT {} / RW {}".format(
            household.address, household.rt or "-", household.rw or "-"
        ),
        "members": household.member_count,
        "desil": household.desil,
        "phone": referral.case.contact_phone,
    }


# ---------------------------------------------------------------------------- letters
def letter_list(*, user) -> QuerySet[Letter]:
    if not perms.can_issue_letters(user) and not has_role(user, *perms.READERS):
        return Letter.objects.filter(NOTHING)
    return Letter.objects.visible_to(user).select_related("issued_by", "region")


def letter_public(*, token: str) -> Letter | None:
    return Letter.objects.select_related("region").filter(token=token).first()


# ---------------------------------------------------------------------------- reports
def report(*, user, since: dt.date | None = None, until: dt.date | None = None) -> dict:
    """Per period: referrals by provider, domain and outcome; how fast providers answer and
    deliver; the SLRT service recap (letters per kind, referrals per domain)."""
    referrals = referral_list(user=user).exclude(status=R.DRAFT)
    letters = letter_list(user=user)
    if since:
        referrals = referrals.filter(sent_at__date__gte=since)
        letters = letters.filter(issued_at__date__gte=since)
    if until:
        referrals = referrals.filter(sent_at__date__lte=until)
        letters = letters.filter(issued_at__date__lte=until)
    statuses = dict(R.choices)
    by_provider = []
    for row in (
        referrals.values("provider__name", "provider__kind")
        .annotate(
            total=Count("pk"),
            accepted=Count(
                "pk", filter=Q(status__in=[R.ACCEPTED, R.IN_SERVICE, R.COMPLETED, R.FAILED])
            ),
            declined=Count("pk", filter=Q(status=R.DECLINED)),
            completed=Count("pk", filter=Q(status=R.COMPLETED)),
            waiting=Count("pk", filter=Q(status=R.SENT)),
        )
        .order_by("-total")
    ):
        by_provider.append({**row, "kind": ProviderKind(row["provider__kind"]).label})
    by_domain = [
        {
            "key": row["service__domain"],
            "label": Domain(row["service__domain"]).label,
            "total": row["total"],
        }
        for row in referrals.values("service__domain")
        .annotate(total=Count("pk"))
        .order_by("-total")
    ]
    by_outcome = [
        {"key": row["status"], "label": statuses[row["status"]], "total": row["total"]}
        for row in referrals.values("status").annotate(total=Count("pk")).order_by("-total")
    ]
    letter_counts = dict(letters.values_list("kind").annotate(total=Count("pk")))
    recap = [
        {"key": kind, "label": label, "total": letter_counts.get(kind, 0)}
        for kind, label in LetterKind.choices
    ]
    return {
        "referrals": referrals.count(),
        "by_provider": by_provider,
        "by_domain": by_domain,
        "by_outcome": by_outcome,
        "acceptance": hours_between(referrals, "sent_at", "responded_at"),
        "completion": hours_between(
            referrals.filter(status=R.COMPLETED), "sent_at", "completed_at"
        ),
        "letters": recap,
        "cases_open": case_list(user=user).filter(status=CaseStatus.OPEN).count(),
    }


def export_rows(*, user, since=None, until=None):
    """The referral list for CSV/XLSX: no names or NIKs."""
    yield [
        str(_("Case")),
        str(_("Provider")),
        str(_("Service")),
        str(_("Domain")),
        str(_("Status")),
        str(_("Sent")),
        str(_("Answered")),
        str(_("Settled")),
        str(_("Value (Rp)")),
    ]
    queryset = referral_list(user=user).exclude(status=R.DRAFT).order_by("pk")
    if since:
        queryset = queryset.filter(sent_at__date__gte=since)
    if until:
        queryset = queryset.filter(sent_at__date__lte=until)

    for row in queryset.values(
        "case__code",
        "provider__name",
        "service__name",
        "service__domain",
        "status",
        "sent_at",
        "responded_at",
        "completed_at",
        "value",
    ).iterator(chunk_size=2000):
        yield [
            row["case__code"],
            row["provider__name"],
            row["service__name"],
            row["service__domain"],
            row["status"],
            local_minute(row["sent_at"]),
            local_minute(row["responded_at"]),
            local_minute(row["completed_at"]),
            "" if row["value"] is None else str(row["value"]),
        ]


# ---------------------------------------------------------------------------- landing pages


def provider_account_choices(*, provider: Provider):
    """Accounts that may be linked to ``provider``: active provider admins and providers' API
    clients without an area, not already its own."""
    from core.models import User

    return User.objects.filter(
        role__in=[Role.PROVIDER_ADMIN, Role.API_CLIENT], region__isnull=True, is_active=True
    ).exclude(provider_membership__provider=provider)


def resident_referrals(*, user) -> QuerySet[Referral]:
    """A resident's own referrals: those for them (their NIK), and those for their household as
    a whole. A referral for another member (a sister's health care) is hers, not theirs."""
    if not user.is_authenticated or user.role != Role.RESIDENT or not user.nik:
        return Referral.objects.filter(NOTHING)
    household = Q(individual__isnull=True, case__household__members__nik=user.nik)
    return (
        Referral.objects.filter(Q(individual__nik=user.nik) | household)
        .exclude(status__in=[R.DRAFT, R.CANCELLED])
        .select_related("provider", "service")
        .distinct()
    )


def resident_letters(*, user) -> QuerySet[Letter]:
    """The letters issued to a resident (their NIK), not revoked."""
    if not user.is_authenticated or user.role != Role.RESIDENT or not user.nik:
        return Letter.objects.filter(NOTHING)
    return Letter.objects.filter(recipient_nik=user.nik, revoked_at__isnull=True)
