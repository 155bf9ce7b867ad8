"""Reads of the application flow, always scoped to the caller; the same selectors feed the
HTML pages, the API and the exports."""

import datetime as dt

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from core.choices import Role
from core.permissions import has_role
from core.scope import NOTHING, within
from dtks.models import Program, Region
from dtks.nik import normalize_number

from . import permissions as perms
from .choices import ApplicationStatus, BatchStatus, ProposalStatus
from .models import (
    Application,
    ApplicationDocument,
    Batch,
    Deliberation,
    FieldCheck,
    Objection,
    UpdateProposal,
)
from .models.applications import ApplicationQuerySet
from .resident_texts import step_text


def application_list(*, user, filters: dict | None = None, request=None) -> "ApplicationQuerySet":
    """Applications the user may see (staff: their region; residents: their own)."""
    if not (perms.can_read(user) or has_role(user, Role.RESIDENT)):
        return Application.objects.filter(NOTHING)
    from django.apps import apps
    from django.db.models import Exists, OuterRef

    open_cases = apps.get_model("referrals", "Case").objects.filter(
        household=OuterRef("household"), status="open"
    )
    queryset = (
        Application.objects.visible_to(user)
        .select_related("program", "village", "village__parent", "assigned_to")
        .annotate(has_open_case=Exists(open_cases))
    )
    if filters:
        from .filtersets import ApplicationFilterSet

        queryset = ApplicationFilterSet(filters, queryset=queryset, request=request).qs
    return queryset


def application_get(*, user, pk) -> Application:
    return (
        application_list(user=user)
        .select_related(
            "individual", "household", "deliberation", "batch", "entered_by", "verified_by"
        )
        .get(pk=pk)
    )


def application_by_code(code: str) -> Application | None:
    """The application behind a tracking code; the caller proves the right to see it (the
    session's grant after code + NIK, or its own scope)."""
    return Application.objects.select_related("program", "village").filter(code=code).first()


def application_track(*, code: str, nik: str) -> Application | None:
    """The public status lookup: the application only when code and NIK belong together.

    A wrong code and a wrong NIK give the same None, so neither can be guessed separately.
    """
    code = (code or "").strip().upper().replace(" ", "")
    if code and not code.startswith("U-") and len(code) == 9:
        code = "U-" + code
    if len(code) == 10 and code.startswith("U") and "-" not in code[2:]:
        code = "U-{}-{}".format(code[1:5], code[5:])
    return (
        Application.objects.select_related("program", "village")
        .filter(code=code, applicant_nik=normalize_number(nik or ""))
        .first()
    )


def application_steps(*, application: Application) -> list[dict]:
    """The steps so far, in plain words for the resident, oldest first."""
    steps = []
    for change in application.status_changes.all():
        happened, _following = step_text(change.to_status)
        steps.append(
            {
                "status": change.to_status,
                "label": ApplicationStatus(change.to_status).label,
                "text": happened,
                "time": change.created_at,
            }
        )
    return steps


def application_next_step(*, application: Application) -> str:
    return step_text(application.status)[1]


def application_documents(*, user, application: Application) -> QuerySet[ApplicationDocument]:
    return ApplicationDocument.objects.visible_to(user).filter(application=application)


def application_counters(*, user) -> list[dict]:
    """How many applications wait at each step, and since when the oldest has waited."""
    rows = (
        application_list(user=user)
        .open()
        .values("status")
        .annotate(total=Count("pk"), oldest=Min("status_changed_at"))
    )
    now = timezone.now()
    by_status = {row["status"]: row for row in rows}
    counters = []
    for status in (
        ApplicationStatus.NEEDS_UPDATE,
        ApplicationStatus.AWAITING_DELIBERATION,
        ApplicationStatus.DELIBERATED,
        ApplicationStatus.VERIFIED,
        ApplicationStatus.FINALISED,
        ApplicationStatus.RATIFIED,
        ApplicationStatus.EXPORTED,
    ):
        row = by_status.get(status)
        oldest = row["oldest"] if row else None
        counters.append(
            {
                "status": status,
                "label": ApplicationStatus(status).label,
                "total": row["total"] if row else 0,
                "oldest_days": (now - oldest).days if oldest else None,
            }
        )
    return counters


def programs_open_for_applications(*, village_code: str | None = None) -> QuerySet[Program]:
    queryset = Program.objects.active().filter(accepts_applications=True)
    if village_code:
        queryset = queryset.available_in(village_code)
    return queryset.order_by("name")


def programs_for_intake() -> QuerySet[Program]:
    """Active programs an officer can enter a request for."""
    return Program.objects.active()


def resident_initial(*, user) -> dict:
    """A signed-in resident's own data as the registry knows it, to fill in the form."""
    if user is None or not user.is_authenticated or user.role != Role.RESIDENT or not user.nik:
        return {}
    from dtks.models import Individual

    person = (
        Individual.objects.filter(nik=user.nik).select_related("household").order_by("pk").first()
    )
    initial = {
        "nik": user.nik,
        "name": user.get_full_name(),
        "phone": user.phone,
        "email": user.email,
    }
    if person is not None:
        initial.update(
            name=person.name,
            village=person.household.village_id,
            address=person.household.address,
        )
    return initial


def village_choices(villages) -> list:
    """Villages grouped by district, for a <select> a resident can scroll on a phone."""
    groups: dict[str, list] = {}
    for village in villages:
        district = village.parent.name if village.parent else ""
        groups.setdefault(district, []).append((village.code, village.name))
    return [("", "—"), *list(groups.items())]


def resident_village_choices() -> list:
    """The choices of ``villages_for_residents``, kept five minutes in the cache: every public
    form shows them and they change only when an administrator reloads the region list."""
    from django.conf import settings
    from django.core.cache import cache

    key = "silakso:resident-villages:" + settings.SILAKSO_HOME_REGENCY
    choices = cache.get(key)
    if choices is None:
        choices = village_choices(villages_for_residents())
        cache.set(key, choices, 300)
    return choices


def villages_for_residents() -> QuerySet[Region]:
    """Villages a resident can choose: those of the regency this installation serves."""
    from django.conf import settings

    return (
        Region.objects.filter(within("code", settings.SILAKSO_HOME_REGENCY), level=4)
        .select_related("parent")
        .order_by("parent__name", "name")
    )


# ---------------------------------------------------------------------------- proposals
def proposal_list(*, user, filters: dict | None = None) -> QuerySet[UpdateProposal]:
    if not perms.can_read(user):
        return UpdateProposal.objects.filter(NOTHING)
    queryset = UpdateProposal.objects.visible_to(user).select_related(
        "village", "household", "application", "application__program"
    )
    if filters:
        from .filtersets import UpdateProposalFilterSet

        queryset = UpdateProposalFilterSet(filters, queryset=queryset).qs
    return queryset


def proposal_get(*, user, pk) -> UpdateProposal:
    return (
        proposal_list(user=user)
        .select_related("deliberation", "filled_by", "verified_by")
        .get(pk=pk)
    )


def field_checks(*, user, application=None, proposal=None) -> QuerySet[FieldCheck]:
    queryset = FieldCheck.objects.visible_to(user).select_related("checked_by")
    if application is not None:
        return queryset.filter(application=application)
    return queryset.filter(proposal=proposal)


# ---------------------------------------------------------------------------- deliberations
def deliberation_list(*, user) -> QuerySet[Deliberation]:
    if not perms.can_read(user):
        return Deliberation.objects.filter(NOTHING)
    return Deliberation.objects.visible_to(user).select_related("village", "recorded_by")


def waiting_for_deliberation(*, user, village: Region) -> dict:
    """What the village head of ``village`` decides on: applications and update proposals."""
    applications = application_list(user=user).filter(
        village=village, status=ApplicationStatus.AWAITING_DELIBERATION
    )
    proposals = proposal_list(user=user).filter(
        village=village, status=ProposalStatus.GROUND_CHECKED
    )
    return {
        "applications": applications.order_by("status_changed_at"),
        "proposals": proposals.order_by("status_changed_at"),
    }


# ---------------------------------------------------------------------------- batches
def batch_overview(*, batch: Batch) -> dict:
    """What a period list's page shows beside the list: how many verified applications wait
    for it (while open), its applications per village and step, its background jobs."""
    from core.models import Job

    return {
        "candidates": batch_candidates(batch).count() if batch.status == BatchStatus.OPEN else None,
        "per_village": [
            {**row, "status": ApplicationStatus(row["status"]).label}
            for row in batch.applications.values("village__name", "status")
            .order_by("village__name")
            .annotate(total=Count("pk"))
        ],
        "jobs": Job.objects.filter(task_kwargs__batch_id=batch.pk).order_by("-created_at")[:5],
    }


def proposal_variables(*, proposal: UpdateProposal) -> list[tuple[str, object]]:
    """The proposed household values with the field names in words."""
    from dtks.models import Household

    labels = {
        field.name: field.verbose_name
        for field in Household._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    return [(labels.get(key, key), value) for key, value in proposal.variables.items()]


def batch_list(*, user) -> QuerySet[Batch]:
    if not perms.can_read(user):
        return Batch.objects.filter(NOTHING)
    return (
        Batch.objects.visible_to(user)
        .select_related("regency")
        .annotate(size=Count("applications"))
    )


def batch_candidates(batch: Batch):
    """Verified applications of the list's regency up to its cut-off, not in a list yet."""
    cutoff_end = timezone.make_aware(
        dt.datetime.combine(batch.cutoff + dt.timedelta(days=1), dt.time.min)
    )
    return Application.objects.filter(
        within("village__code", batch.regency_id),
        status=ApplicationStatus.VERIFIED,
        batch__isnull=True,
        verified_at__lt=cutoff_end,
    )


def batch_get(*, user, pk) -> Batch:
    return batch_list(user=user).select_related("finalised_by", "ratified_by").get(pk=pk)


def batch_public(*, token: str) -> dict | None:
    """What the QR code of an annex confirms: the list, its decree and its totals, no names."""
    batch = (
        Batch.objects.select_related("regency")
        .filter(verification_token=token, status__in=[BatchStatus.RATIFIED, BatchStatus.EXPORTED])
        .first()
    )
    if batch is None:
        return None
    villages = (
        batch.applications.values("village__name", "village__code")
        .annotate(total=Count("pk"))
        .order_by("village__code")
    )
    return {"batch": batch, "villages": list(villages), "total": sum(v["total"] for v in villages)}


# ---------------------------------------------------------------------------- objections
def resident_objections(*, user) -> QuerySet[Objection]:
    """The objections a resident filed while signed in (newest first); never anyone else's."""
    if not user.is_authenticated or user.role != Role.RESIDENT:
        return Objection.objects.none()
    return Objection.objects.filter(objector=user).order_by("-created_at")


def objection_list(*, user, filters: dict | None = None) -> QuerySet[Objection]:
    queryset = Objection.objects.visible_to(user).select_related("village", "application")
    if filters:
        from .filtersets import ObjectionFilterSet

        queryset = ObjectionFilterSet(filters, queryset=queryset).qs
    return queryset


# ---------------------------------------------------------------------------- landing pages


def proposals_open_in(user) -> QuerySet[UpdateProposal]:
    return proposal_list(user=user).exclude(
        status__in=[ProposalStatus.APPLIED, ProposalStatus.REJECTED]
    )


def objection_counts(*, user) -> dict:
    rows = objection_list(user=user).values("status").annotate(total=Count("pk"))
    return {row["status"]: row["total"] for row in rows}
